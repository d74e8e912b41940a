import type { Rule } from "../../types";
import { cite } from "../sources";

/**
 * The catalogue's `reviewedAt` date is the attestation's `at`: an attestation holds 12 months unless it
 * says `until`, so a review older than 12 months shows as to be confirmed again.
 */
export const RetentionReview: Rule = {
  id: "CNIL-RETENTION-REVIEW",
  title: "Retention periods and tracker lifetimes are reviewed periodically (at least every 12 months)",
  explanation:
    "The guidelines ask for the durations to be re-evaluated periodically, without giving a period; the pack uses 12 months. A review is a person's act, recorded as a dated attestation.",
  ...cite(["G20", "§52"], "CNIL25"),
  remediation: "Review the retention period and cookie lifetimes, then record it: `attestations: [{ rule: CNIL-RETENTION-REVIEW, by, at: <review date> }]` (valid 12 months).",
  scope: "instance",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "H", piwikpro: "H" },
  reads: {},
};
