import type { Rule } from "../../types";
import { cite } from "../sources";

/** The model only accepts `jurisdiction: FR`; what a person confirms is that no other law reaches the audience. */
export const ScopeFr: Rule = {
  id: "CNIL-SCOPE-FR",
  title: "The site relies on the exemption of French law only, and its audience is not also governed by a law that requires consent",
  explanation:
    "The consent exemption is article 82 of the French Loi Informatique et Libertés as read by the CNIL. Other data-protection authorities (Germany's, for one) may still require consent for the same measurement, so the pack is scoped to France and a person confirms the site's audience is.",
  ...cite("G20", "CNIL25"),
  remediation: "Attest (`attestations: [{ rule: CNIL-SCOPE-FR, by, at }]`) that the site's audience is French, or collect consent where another law applies (`mode: consent`).",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "H", piwikpro: "H" },
  reads: {},
};
