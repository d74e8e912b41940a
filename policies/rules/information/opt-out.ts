import type { Rule } from "../../types";
import { cite } from "../sources";

/** The embed's presence is a live-page check Exempt does not have yet; until then a person attests it. */
export const OptOut: Rule = {
  id: "CNIL-OPT-OUT",
  title: "Visitors can object easily on every device and browser, and after an objection nothing is read, written or collected about them",
  explanation:
    "Every version of the CNIL's texts since 2013 keeps an easy opt-out as a condition. Matomo's CNIL policy lists it as a manual item: the opt-out embed must sit on the privacy page.",
  ...cite("G19", "R13", "GM", "GP"),
  remediation: "Embed Matomo's opt-out (CoreAdminHome.getOptOutJSEmbedCode) or Piwik PRO's opt-out form on the privacy page, then attest it.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "S", piwikpro: "S" },
  reads: {},
};
