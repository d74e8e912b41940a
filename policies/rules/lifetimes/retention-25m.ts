import { retentionDays } from "../../../model/matomo";
import type { Rule } from "../../types";
import { fail, needsAttestation, pass } from "../helpers";
import { cite } from "../sources";

/** The shortest span 25 calendar months can have (750 recommended). */
export const MAX_RETENTION_DAYS = 758;

export const Retention25m: Rule = {
  id: "CNIL-RETENTION-25M",
  title: "Raw visit data is deleted after at most 25 months (758 days)",
  explanation:
    "The guidelines recommend keeping collected data at most 25 months, and the CNIL treats it as part of the exemption; it protects visitors on consent sites too. Aggregated reports are anonymous statistics and may stay. Piwik PRO's retention is set by the plan (Core 14 months, Enterprise 25 or custom), so a person confirms it.",
  ...cite(["G20", "§52"], "CNIL25"),
  remediation: "Matomo: `privacy.rawDataRetentionMonths: 25` (the default, 750 days) or less, never `unlimited`. Piwik PRO: confirm the plan's retention is at most 25 months, then attest it.",
  scope: "instance",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A-w", piwikpro: "H" },
  reads: { matomo: ["privacy.rawDataRetentionMonths"], piwikpro: [] },
  check(subject) {
    const data = subject.data;
    if (data.product === "piwikpro") return needsAttestation("the Piwik PRO plan deletes raw data after at most 25 months (retention is contractual, not an API setting)");
    const months = data.privacy.rawDataRetentionMonths;
    const days = retentionDays(months);
    const expected = `at most ${MAX_RETENTION_DAYS} days (25 months; Matomo counts 30 days a month)`;
    if (days === undefined) return fail("privacy.rawDataRetentionMonths", months, expected, "raw data is never deleted");
    return days <= MAX_RETENTION_DAYS ? pass("privacy.rawDataRetentionMonths", months, expected) : fail("privacy.rawDataRetentionMonths", months, expected, `raw data is kept ${days} days`);
  },
};
