import type { Rule } from "../../types";
import { fail, isKnown, notApplicable, notObservable, pass } from "../helpers";
import { MATOMO_MIN_MASK_BYTES } from "../anonymity/ip-mask-2b";
import { cite } from "../sources";

/**
 * A transparency norm of beta.gouv.fr, not a CNIL condition: the rule refuses only its unsafe form.
 * Its preconditions are optional reads, because Matomo's API shows anonymous access but neither the
 * visitor log switch nor the IP mask: public statistics that cannot be shown safe are reported as not
 * observable, and private statistics need neither.
 */
export const PublicStats: Rule = {
  id: "TRANSPARENCY-PUBLIC-STATS",
  title: "Statistics are public only when the visitor log is off and IP masking holds, so anonymous visitors see aggregates alone",
  explanation:
    "beta.gouv.fr products publish their usage statistics to embody openness, by giving Matomo's anonymous user view access. With the visitor log on, that same access lets anyone browse visit-level data; with weak IP masking, the data it shows is less anonymous.",
  ...cite("BETA"),
  remediation: "Before `publicStats: true`, set `features.visitorLog: false` on the site and keep `privacy.ipMaskBytes` at 2 or more; otherwise keep the statistics private.",
  scope: "site",
  products: ["matomo"],
  verification: { matomo: "A" },
  reads: { matomo: ["site.publicStats", "access.publicStats"] },
  optionalReads: { matomo: ["site.features.visitorLog", "privacy.ipMaskBytes"] },
  check(subject) {
    const data = subject.data;
    if (data.product !== "matomo") return [];
    const field = data.site.publicStats === undefined ? "access.publicStats" : "site.publicStats";
    const isPublic = data.site.publicStats ?? data.access.publicStats;
    if (!isPublic) return notApplicable("the statistics are not public (beta.gouv.fr publishes them for transparency, once the visitor log is off)", field);
    if (!isKnown(subject, "site.features.visitorLog")) return notObservable("site.features.visitorLog", "the statistics are public, and whether the visitor log is off cannot be read on this side");
    if (data.site.features.visitorLog)
      return fail(field, true, "false while the visitor log is on", "the statistics are public and the visitor log is on: anonymous visitors can browse visit-level data");
    if (!isKnown(subject, "privacy.ipMaskBytes")) return notObservable("privacy.ipMaskBytes", "the statistics are public, and the IP mask cannot be read on this side");
    if (data.privacy.ipMaskBytes < MATOMO_MIN_MASK_BYTES)
      return fail(field, true, `false while IPs are masked by fewer than ${MATOMO_MIN_MASK_BYTES} bytes`, `the statistics are public and IPs are masked by ${data.privacy.ipMaskBytes} byte(s) only`);
    return pass(field, true, "public only with the visitor log off and IPs masked", "the statistics are public, with the visitor log off and IPs masked");
  },
};
