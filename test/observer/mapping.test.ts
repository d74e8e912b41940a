import { readFileSync } from "node:fs";
import * as path from "node:path";
import { matomoTranscriptsDir } from "../support/contracts";
import { privacyFromOptions, OPTION } from "../../backends/matomo-db/options";
import { writeGrantsOn } from "../../backends/matomo-db/grants";
import { retentionDays } from "../../model/matomo";
import { MAX_RETENTION_DAYS } from "../../policies/rules/lifetimes/retention-25m";

/** The option rows ↔ model fields mapping, and the grant check, without a database. */

const rowsOf = (options: Record<string, string>) => Object.entries(options).map(([option_name, option_value]) => ({ option_name, option_value, autoload: 0 }));
const read = (options: Record<string, string>) => privacyFromOptions(rowsOf(options));

const transcript: Array<{ seq: number; name: string; observed_db_options?: Record<string, string>; observed_db_options_after?: Record<string, string> | null }> = JSON.parse(
  readFileSync(path.join(matomoTranscriptsDir(), "privacy.json"), "utf8"),
);
const after = (seq: number) => transcript.find((r) => r.seq === seq)!.observed_db_options_after!;

describe("option rows -> privacy fields", () => {
  test("the rows of the recorded 'all params' setter (seq 56) read as what was sent", () => {
    const r = read(after(56));
    expect(r.values).toMatchObject({ ipMaskBytes: 2, useMaskedIpForEnrichment: true, referrer: "exclude_query", anonymizeUserId: true, anonymizeOrderId: true, forceCookielessTracking: true });
  });

  test("the recorded fresh install (seq 53) reads as Matomo 5's defaults, with a note, and leaves retention and DNT unreadable", () => {
    const fresh = transcript.find((r) => r.seq === 53)!.observed_db_options!;
    const r = read(fresh);
    expect(r.values).toEqual({ ipMaskBytes: 2, useMaskedIpForEnrichment: false, referrer: "keep", anonymizeUserId: false, anonymizeOrderId: false, forceCookielessTracking: false });
    expect(r.unreadable.rawDataRetentionMonths).toMatch(/no delete_logs_enable row.*config\.ini\.php's \[Deletelogs\]/);
    expect(r.unreadable.doNotTrack).toMatch(/no PrivacyManager\.doNotTrackEnabled row.*depends on the Matomo version.*no version_core row/);
    expect(r.notes).toEqual([expect.stringMatching(/^no option row for PrivacyManager\.ipAddressMaskLength, .*Matomo applies its defaults/)]);
  });

  test("an absent Do-Not-Track row is Matomo 5's off, Matomo 4's on, and unknown for other versions", () => {
    expect(read({ [OPTION.versionCore]: "5.1.2" }).values.doNotTrack).toBe(false);
    expect(read({ [OPTION.versionCore]: "4.16.0" }).values.doNotTrack).toBe(true);
    expect(read({ [OPTION.versionCore]: "6.0.0" }).unreadable.doNotTrack).toMatch(/version_core "6\.0\.0" does not settle/);
  });

  test("every recorded DNT and referrer state maps", () => {
    expect(read(after(66)).values).toMatchObject({ doNotTrack: true, referrer: "keep" });
    expect(read(after(69)).values).toMatchObject({ doNotTrack: false });
    expect(read(after(59)).values).toMatchObject({ referrer: "exclude_all", anonymizeUserId: false });
    expect(read({ [OPTION.anonymizeReferrer]: "exclude_path" }).values.referrer).toBe("exclude_path");
  });

  test("anonymisation off is a 0-byte mask whatever length is stored (seq 63); on with a 0 length is 0 too (seq 61)", () => {
    expect(read(after(63)).values.ipMaskBytes).toBe(0);
    expect(read(after(61)).values.ipMaskBytes).toBe(0);
    expect(read(after(58)).values.ipMaskBytes).toBe(1);
  });

  test("a mask beyond 4 bytes (seq 60, stored as sent) is reported as stored, with a note that it acts as 4", () => {
    const r = read(after(60));
    expect(r.values.ipMaskBytes).toBe(9);
    expect(r.notes).toContain("PrivacyManager.ipAddressMaskLength is 9: Matomo masks at most 4 bytes, so it acts as 4");
  });

  test("retention: days / 30 as months, deletion off as unlimited (recorded 90 days, then defaults)", () => {
    expect(read(after(72)).values.rawDataRetentionMonths).toBe(3);
    expect(read(after(74)).values.rawDataRetentionMonths).toBe("unlimited");
    expect(read({ delete_logs_enable: "1", delete_logs_older_than: "750" }).values.rawDataRetentionMonths).toBe(25);
  });

  test("a day count that is not a multiple of 30 differs from every whole month and is judged as the days it is", () => {
    const at = (days: number) => read({ delete_logs_enable: "1", delete_logs_older_than: String(days) });
    const r = at(758);
    expect(r.values.rawDataRetentionMonths).toBe(25.26);
    expect(r.notes).toContain("delete_logs_older_than is 758 days, not a whole number of 30-day months: reported as 25.26 months");
    // The 758-day rule multiplies back: at most the true span, never above it.
    for (let days = 1; days <= 3650; days++) {
      const months = at(days).values.rawDataRetentionMonths as number;
      expect([days, retentionDays(months)! <= MAX_RETENTION_DAYS]).toEqual([days, days <= MAX_RETENTION_DAYS]);
      if (days % 30) expect(Number.isInteger(months)).toBe(false);
    }
  });

  test.each([
    [{ [OPTION.ipAddressMaskLength]: "abc" }, "ipMaskBytes", 'PrivacyManager.ipAddressMaskLength is "abc", not a number of bytes'],
    [{ [OPTION.ipAddressMaskLength]: "-1" }, "ipMaskBytes", 'PrivacyManager.ipAddressMaskLength is "-1"'],
    [{ [OPTION.ipAnonymizerEnabled]: "yes" }, "ipMaskBytes", 'PrivacyManager.ipAnonymizerEnabled is "yes", not Matomo\'s "0" or "1"'],
    [{ [OPTION.anonymizeReferrer]: "bogus" }, "referrer", 'PrivacyManager.anonymizeReferrer is "bogus", which Matomo does not know'],
    [{ [OPTION.doNotTrackEnabled]: "true" }, "doNotTrack", 'PrivacyManager.doNotTrackEnabled is "true"'],
    [{ [OPTION.useAnonymizedIpForVisitEnrichment]: "2" }, "useMaskedIpForEnrichment", 'PrivacyManager.useAnonymizedIpForVisitEnrichment is "2"'],
    [{ delete_logs_enable: "on" }, "rawDataRetentionMonths", 'delete_logs_enable is "on"'],
    [{ delete_logs_enable: "1", delete_logs_older_than: "0" }, "rawDataRetentionMonths", 'delete_logs_older_than is "0", not a number of days of at least 1'],
    [{ delete_logs_enable: "1", delete_logs_older_than: "2 years" }, "rawDataRetentionMonths", 'delete_logs_older_than is "2 years"'],
    [{ delete_logs_enable: "1" }, "rawDataRetentionMonths", "deletion is on but there is no delete_logs_older_than row"],
  ])("an unexpected value %j makes %s unreadable, naming option and value", (rows, field, note) => {
    const r = read(rows);
    expect(r.unreadable[field]).toContain(note);
    expect(r.values).not.toHaveProperty(field);
  });

  test("option names match case-insensitively, as under the table's collation", () => {
    expect(read({ "privacymanager.IPADDRESSMASKLENGTH": "3" }).values.ipMaskBytes).toBe(3);
  });
});

describe("write privileges in SHOW GRANTS", () => {
  const usage = "GRANT USAGE ON *.* TO `ro`@`%` IDENTIFIED BY PASSWORD '*983E68AB1FFBFE9078F9CAAB3F4C7805DF8A5A10'";

  test("SELECT only, on the database or elsewhere, is fine", () => {
    expect(writeGrantsOn("matomo", [usage, "GRANT SELECT ON `matomo`.* TO `ro`@`%`", "GRANT SELECT, SHOW VIEW ON `matomo`.`matomo_option` TO `ro`@`%`"])).toEqual([]);
    expect(writeGrantsOn("matomo", ["GRANT ALL PRIVILEGES ON `other`.* TO `ro`@`%`"])).toEqual([]);
  });

  test("writes on the database, one of its tables, a matching pattern or everything are found", () => {
    expect(writeGrantsOn("matomo", ["GRANT SELECT, INSERT, UPDATE ON `matomo`.* TO `rw`@`%`"])).toEqual(["INSERT, UPDATE on `matomo`.*"]);
    expect(writeGrantsOn("matomo", ["GRANT SELECT, UPDATE (`option_value`) ON `matomo`.`matomo_option` TO `rw`@`%`"])).toEqual(["UPDATE on `matomo`.`matomo_option`"]);
    expect(writeGrantsOn("matomo", ["GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"])).toEqual(["ALL PRIVILEGES on *.*"]);
    expect(writeGrantsOn("matomo", ["GRANT DELETE ON `mato%`.* TO `x`@`%`"])).toEqual(["DELETE on `mato%`.*"]);
    expect(writeGrantsOn("matomo_prod", ["GRANT DROP ON `matomo\\_prod`.* TO `x`@`%`"])).toEqual(["DROP on `matomo\\_prod`.*"]);
    expect(writeGrantsOn("matomoXprod", ["GRANT DROP ON `matomo\\_prod`.* TO `x`@`%`"])).toEqual([]);
  });
});
