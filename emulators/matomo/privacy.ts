/**
 * PrivacyManager's setters, which write `option` rows and have no getters over HTTP (calling a
 * getter name answers "method does not exist", as recorded). Quirks kept from the recordings:
 * the mask length is cast to int and never validated; an `anonymizeIPEnable` other than 0/1
 * leaves the flag alone; `anonymizeReferrer` is always written, an omitted or unknown value as "";
 * omitted user-id/order-id/cookieless flags stay as they were; the deletion setters need the
 * password even with a token, clamp a retention below one day to one, and reset omitted values.
 */
import visitColumns from "./data/visit-columns.json";
import { Args, CallContext, Module, REQUIRED, method, str } from "./api";
import { requireSomeAdminAccess, requireSuperUser } from "./auth";
import { phpBool, phpInt } from "./php";
import { confirmPassword } from "./users";

const REFERRER_VALUES = ["", "exclude_query", "exclude_path", "exclude_all"];
const bit = (b: boolean) => (b ? "1" : "0");

async function setOption(ctx: CallContext, name: string, value: string): Promise<void> {
  await ctx.state.options.set(name, value, 0);
}

async function setAnonymizeIpSettings(ctx: CallContext, a: Args): Promise<boolean> {
  requireSuperUser(ctx.caller);
  const enable = str(a.anonymizeIPEnable);
  if (enable === "1") await setOption(ctx, "PrivacyManager.ipAnonymizerEnabled", "1");
  else if (enable === "0") await setOption(ctx, "PrivacyManager.ipAnonymizerEnabled", "0");
  await setOption(ctx, "PrivacyManager.ipAddressMaskLength", String(phpInt(a.maskLength)));
  await setOption(ctx, "PrivacyManager.useAnonymizedIpForVisitEnrichment", bit(phpBool(a.useAnonymizedIpForVisitEnrichment)));
  // false (the PHP default) means "not sent": those three keep their stored value.
  if (a.anonymizeUserId !== false) await setOption(ctx, "PrivacyManager.anonymizeUserId", bit(phpBool(a.anonymizeUserId)));
  if (a.anonymizeOrderId !== false) await setOption(ctx, "PrivacyManager.anonymizeOrderId", bit(phpBool(a.anonymizeOrderId)));
  const referrer = str(a.anonymizeReferrer);
  await setOption(ctx, "PrivacyManager.anonymizeReferrer", REFERRER_VALUES.includes(referrer) ? referrer : "");
  if (a.forceCookielessTracking !== false) await setOption(ctx, "PrivacyManager.forceCookielessTracking", bit(phpBool(a.forceCookielessTracking)));
  return true;
}

function deletionSetter(sig: [string, string | number][], write: (ctx: CallContext, a: Args) => Promise<void>) {
  return method(
    [...sig, ["passwordConfirmation", ""]],
    async (ctx, a) => {
      requireSuperUser(ctx.caller);
      confirmPassword(ctx.state, ctx.caller, a.passwordConfirmation);
      await write(ctx, a);
      return true;
    },
    ["passwordConfirmation"],
  );
}

export const privacyManager: Module = {
  setAnonymizeIpSettings: method(
    [
      ["anonymizeIPEnable", REQUIRED], ["maskLength", REQUIRED], ["useAnonymizedIpForVisitEnrichment", REQUIRED],
      ["anonymizeUserId", false], ["anonymizeOrderId", false], ["anonymizeReferrer", ""], ["forceCookielessTracking", false],
    ],
    setAnonymizeIpSettings,
  ),
  activateDoNotTrack: method([], async (ctx) => {
    requireSuperUser(ctx.caller);
    await setOption(ctx, "PrivacyManager.doNotTrackEnabled", "1");
    return true;
  }),
  deactivateDoNotTrack: method([], async (ctx) => {
    requireSuperUser(ctx.caller);
    await setOption(ctx, "PrivacyManager.doNotTrackEnabled", "0");
    return true;
  }),
  setDeleteLogsSettings: deletionSetter([["enableDeleteLogs", "0"], ["deleteLogsOlderThan", 180]], async (ctx, a) => {
    await setOption(ctx, "delete_logs_enable", String(phpInt(a.enableDeleteLogs)));
    await setOption(ctx, "delete_logs_older_than", String(Math.max(1, phpInt(a.deleteLogsOlderThan))));
  }),
  setScheduleReportDeletionSettings: deletionSetter([["deleteLowestInterval", 7]], async (ctx, a) => {
    await setOption(ctx, "delete_logs_schedule_lowest_interval", String(phpInt(a.deleteLowestInterval)));
  }),
  setDeleteReportsSettings: deletionSetter(
    [
      ["enableDeleteReports", 0], ["deleteReportsOlderThan", 3], ["keepBasic", 0], ["keepDay", 0], ["keepWeek", 0],
      ["keepMonth", 0], ["keepYear", 0], ["keepRange", 0], ["keepSegments", 0],
    ],
    async (ctx, a) => {
      const flag = (v: unknown) => String(phpInt(v) ? 1 : 0);
      await setOption(ctx, "delete_reports_enable", flag(a.enableDeleteReports));
      // Reports are kept at least two months (ReportsPurger); inferred from the 5.2 source, not recorded.
      await setOption(ctx, "delete_reports_older_than", String(Math.max(2, phpInt(a.deleteReportsOlderThan))));
      await setOption(ctx, "delete_reports_keep_basic_metrics", flag(a.keepBasic));
      await setOption(ctx, "delete_reports_keep_day_reports", flag(a.keepDay));
      await setOption(ctx, "delete_reports_keep_week_reports", flag(a.keepWeek));
      await setOption(ctx, "delete_reports_keep_month_reports", flag(a.keepMonth));
      await setOption(ctx, "delete_reports_keep_year_reports", flag(a.keepYear));
      await setOption(ctx, "delete_reports_keep_range_reports", flag(a.keepRange));
      await setOption(ctx, "delete_reports_keep_segment_reports", flag(a.keepSegments));
      // Saving the report settings also writes the purge batch sizes, as recorded (privacy.json seq 77).
      for (const name of ["delete_logs_max_rows_per_query", "delete_logs_unused_actions_max_rows_per_query"]) {
        if ((await ctx.state.options.get(name)) === undefined) await setOption(ctx, name, "100000");
      }
    },
  ),
  getAvailableVisitColumnsToAnonymize: method([], ({ state, caller }) => {
    requireSomeAdminAccess(state, caller);
    return visitColumns.columns;
  }),
};

