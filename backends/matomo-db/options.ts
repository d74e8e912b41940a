/**
 * Matomo's `option` rows ↔ the model's privacy fields: the only place outside backends/matomo that
 * knows Matomo's option names. Values are read as Matomo's setters write them (privacy.json,
 * `observed_db_options_after`); anything else is reported unreadable, naming option and value.
 */
import type { ObservedPrivacy } from "../../engine/observe";
import { MATOMO_RETENTION_DAYS_PER_MONTH } from "../../model/matomo";

export const OPTION = {
  ipAnonymizerEnabled: "PrivacyManager.ipAnonymizerEnabled",
  ipAddressMaskLength: "PrivacyManager.ipAddressMaskLength",
  useAnonymizedIpForVisitEnrichment: "PrivacyManager.useAnonymizedIpForVisitEnrichment",
  anonymizeUserId: "PrivacyManager.anonymizeUserId",
  anonymizeOrderId: "PrivacyManager.anonymizeOrderId",
  anonymizeReferrer: "PrivacyManager.anonymizeReferrer",
  forceCookielessTracking: "PrivacyManager.forceCookielessTracking",
  doNotTrackEnabled: "PrivacyManager.doNotTrackEnabled",
  deleteLogsEnable: "delete_logs_enable",
  deleteLogsOlderThan: "delete_logs_older_than",
  /** The schema version Matomo's updater records: Do-Not-Track's default changed between 4 and 5. */
  versionCore: "version_core",
} as const;

export const OBSERVED_OPTION_NAMES: readonly string[] = Object.values(OPTION);

export interface OptionRow {
  option_name: string;
  option_value: string;
  autoload: number;
}

/** Matomo's own defaults when a PrivacyManager row is absent (plugins/PrivacyManager/Config.php, Matomo 5). */
const MATOMO5_DEFAULTS = { ipAnonymizerEnabled: true, ipAddressMaskLength: 2, useAnonymizedIpForVisitEnrichment: false, anonymizeUserId: false, anonymizeOrderId: false, anonymizeReferrer: "", forceCookielessTracking: false } as const;

const REFERRERS: Record<string, string> = { "": "keep", exclude_query: "exclude_query", exclude_path: "exclude_path", exclude_all: "exclude_all" };

/** Matomo masks at most the 4 bytes of an IPv4 address (and caps IPv6 masks alike): more acts as 4. */
const MAX_MASK_BYTES = 4;

type Reading = { value: unknown; note?: string } | { unreadable: string };

/**
 * Model fields from the rows read. `option_name` compares case-insensitively, as Matomo's lookups
 * do under the table's default collation.
 */
export function privacyFromOptions(rows: readonly OptionRow[]): ObservedPrivacy {
  const byName = new Map(rows.map((r) => [r.option_name.toLowerCase(), r.option_value]));
  const get = (name: string) => byName.get(name.toLowerCase());
  const defaulted: string[] = [];
  const out: ObservedPrivacy = { values: {}, unreadable: {}, notes: [] };

  /** `absent`: Matomo's default when the row is missing, or why that default is not known. */
  const flag = (name: string, absent: boolean | { unknown: string }): Reading => {
    const v = get(name);
    if (v === undefined) {
      if (typeof absent !== "boolean") return { unreadable: `no ${name} row, ${absent.unknown}` };
      defaulted.push(name);
      return { value: absent };
    }
    if (v === "1" || v === "0") return { value: v === "1" };
    return { unreadable: `${name} is ${JSON.stringify(v)}, not Matomo's "0" or "1"` };
  };

  const fields: Record<string, () => Reading> = {
    ipMaskBytes: () => ipMaskBytes(get, defaulted),
    useMaskedIpForEnrichment: () => flag(OPTION.useAnonymizedIpForVisitEnrichment, MATOMO5_DEFAULTS.useAnonymizedIpForVisitEnrichment),
    referrer: () => {
      const v = get(OPTION.anonymizeReferrer);
      if (v === undefined) {
        defaulted.push(OPTION.anonymizeReferrer);
        return { value: REFERRERS[MATOMO5_DEFAULTS.anonymizeReferrer] };
      }
      return v in REFERRERS ? { value: REFERRERS[v] } : { unreadable: `${OPTION.anonymizeReferrer} is ${JSON.stringify(v)}, which Matomo does not know (it knows "", exclude_query, exclude_path, exclude_all)` };
    },
    rawDataRetentionMonths: () => retention(get),
    anonymizeUserId: () => flag(OPTION.anonymizeUserId, MATOMO5_DEFAULTS.anonymizeUserId),
    anonymizeOrderId: () => flag(OPTION.anonymizeOrderId, MATOMO5_DEFAULTS.anonymizeOrderId),
    forceCookielessTracking: () => flag(OPTION.forceCookielessTracking, MATOMO5_DEFAULTS.forceCookielessTracking),
    doNotTrack: () => {
      const version = get(OPTION.versionCore);
      const fallback = doNotTrackDefault(version);
      const why = `and its default depends on the Matomo version (on in 4, off in 5), which ${version === undefined ? `no ${OPTION.versionCore} row gives` : `${OPTION.versionCore} ${JSON.stringify(version)} does not settle`}`;
      return flag(OPTION.doNotTrackEnabled, fallback ?? { unknown: why });
    },
  };

  for (const [field, read] of Object.entries(fields)) {
    const r = read();
    if ("unreadable" in r) out.unreadable[field] = `the database observer could not read it: ${r.unreadable}`;
    else {
      out.values[field] = r.value;
      if (r.note) out.notes.push(r.note);
    }
  }
  if (defaulted.length) out.notes.push(`no option row for ${defaulted.join(", ")}: Matomo applies its defaults, reported as observed`);
  return out;
}

function ipMaskBytes(get: (n: string) => string | undefined, defaulted: string[]): Reading {
  const enabled = get(OPTION.ipAnonymizerEnabled);
  if (enabled === undefined) defaulted.push(OPTION.ipAnonymizerEnabled);
  else if (enabled !== "0" && enabled !== "1") return { unreadable: `${OPTION.ipAnonymizerEnabled} is ${JSON.stringify(enabled)}, not Matomo's "0" or "1"` };
  // Anonymisation off: the stored mask length is kept but unused.
  if (enabled === "0") return { value: 0 };
  const mask = get(OPTION.ipAddressMaskLength);
  if (mask === undefined) {
    defaulted.push(OPTION.ipAddressMaskLength);
    return { value: MATOMO5_DEFAULTS.ipAddressMaskLength };
  }
  if (!/^\d+$/.test(mask)) return { unreadable: `${OPTION.ipAddressMaskLength} is ${JSON.stringify(mask)}, not a number of bytes` };
  const bytes = Number(mask);
  return bytes > MAX_MASK_BYTES ? { value: bytes, note: `${OPTION.ipAddressMaskLength} is ${bytes}: Matomo masks at most ${MAX_MASK_BYTES} bytes, so it acts as ${MAX_MASK_BYTES}` } : { value: bytes };
}

/**
 * Retention in the model's 30-day months. A day count that is not a multiple of 30 is reported
 * rounded down to hundredths of a month (758 days -> 25.26): never equal to a whole-month
 * declaration, so it shows as drift, and never above the true span, so the 758-day rule judges it
 * as the days it is.
 */
function retention(get: (n: string) => string | undefined): Reading {
  const enable = get(OPTION.deleteLogsEnable);
  // Without rows, config.ini.php's [Deletelogs] section decides, and the database does not show it.
  if (enable === undefined) return { unreadable: `no ${OPTION.deleteLogsEnable} row, so config.ini.php's [Deletelogs] section decides (off by default), which the database does not show` };
  if (enable === "0") return { value: "unlimited" };
  if (enable !== "1") return { unreadable: `${OPTION.deleteLogsEnable} is ${JSON.stringify(enable)}, not Matomo's "0" or "1"` };
  const days = get(OPTION.deleteLogsOlderThan);
  if (days === undefined) return { unreadable: `deletion is on but there is no ${OPTION.deleteLogsOlderThan} row, so config.ini.php decides the day count (180 by default), which the database does not show` };
  if (!/^\d+$/.test(days) || Number(days) < 1) return { unreadable: `${OPTION.deleteLogsOlderThan} is ${JSON.stringify(days)}, not a number of days of at least 1` };
  const n = Number(days);
  if (n % MATOMO_RETENTION_DAYS_PER_MONTH === 0) return { value: n / MATOMO_RETENTION_DAYS_PER_MONTH };
  const months = Math.floor((n * 100) / MATOMO_RETENTION_DAYS_PER_MONTH) / 100;
  return { value: months, note: `${OPTION.deleteLogsOlderThan} is ${n} days, not a whole number of ${MATOMO_RETENTION_DAYS_PER_MONTH}-day months: reported as ${months} months` };
}

/** Matomo 4 honoured Do-Not-Track by default, Matomo 5 does not; other or unknown versions: no default is assumed. */
function doNotTrackDefault(version: string | undefined): boolean | undefined {
  const major = version?.match(/^(\d+)\./)?.[1];
  if (major === "5") return false;
  if (major === "4") return true;
  return undefined;
}
