import type { Rule } from "../../types";
import { cite } from "../sources";

/**
 * Which query parameters, paths or titles carry personal data depends on the application, not on a
 * setting: the excluded-parameter lists are reconciled as drift by the engine, and a person attests
 * that what remains is free of personal data. The pack keeps this rule on consent sites.
 */
export const NoPiiUrl: Rule = {
  id: "CNIL-NO-PII-URL",
  title: "Page URLs, titles, referrers and search terms carry no personal data",
  explanation:
    "E-mail addresses, names or tokens in URLs end up in the statistics and make them personal data, whatever the legal basis. Excluding the parameters that carry them, or cleaning URLs in the application, keeps them out.",
  ...cite("GM"),
  remediation:
    "List the parameters that can carry personal data in `excludedQueryParameters` (and Matomo's `privacy.globalExcludedQueryParameters`), strip them in the application where possible, then attest that URLs, titles and search terms carry no personal data.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "H", piwikpro: "H" },
  reads: {},
};
