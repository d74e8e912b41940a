import type { Rule } from "../../types";
import { fail, needsAttestation, pass } from "../helpers";
import { cite } from "../sources";

/**
 * Piwik PRO's session log visibility has no public API (piwikpro-api.md §6), so on Piwik PRO this
 * rule asks for an attestation rather than passing by default.
 */
export const AggregateOnly: Rule = {
  id: "CNIL-AGGREGATE-ONLY",
  title: "The tool outputs anonymous aggregate statistics only: visit-level views (visitor log, visitor profiles, session log) are off",
  explanation:
    "The exemption covers anonymous statistics. A visitor log or a visitor profile shows one person's visits, pages and times, which is no longer a statistic. Matomo's own CNIL policy turns both off.",
  ...cite(["G20", "§51"], "GP", "MPOL"),
  remediation: "Matomo: `features.visitorLog: false` (Live plugin: turn off the visits log and visitor profiles). Piwik PRO: hide the session log, then attest it.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A-w", piwikpro: "H" },
  reads: { matomo: ["site.features.visitorLog"], piwikpro: [] },
  check(subject) {
    const data = subject.data;
    if (data.product === "piwikpro") return needsAttestation("the Piwik PRO session log (visit-level data) is hidden from every user of the app");
    const on = data.site.features.visitorLog;
    return on ? fail("site.features.visitorLog", on, "false", "the visitor log and visitor profiles are on: they show visit-level data") : pass("site.features.visitorLog", on, "false");
  },
};
