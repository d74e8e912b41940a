import type { Rule } from "../../types";
import { fail, notChecked, pass } from "../helpers";
import { cite } from "../sources";

/**
 * Piwik PRO's guide describes the separation through its settings, which the model names; on Matomo it
 * lives in per-feature gating in the snippet, so there it waits for the live-page check.
 */
export const HybridSeparation: Rule = {
  id: "CNIL-HYBRID-SEPARATION",
  title: "When some visitors consent, exempt measurement of the others stays separate: without consent, no cookie and only anonymous data",
  explanation:
    "A site can measure everyone under the exemption and do more for visitors who consent, provided the two are kept apart. Piwik PRO's CNIL guide does it with the Consent Manager on and cookieless collection for visitors who have not consented.",
  ...cite("GP"),
  remediation: "Piwik PRO: `askConsent: true` and `withoutConsent: cookieless` (the defaults). Matomo: gate every feature beyond the exemption on consent in the snippet.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "S", piwikpro: "A" },
  reads: { matomo: [], piwikpro: ["site.askConsent", "site.withoutConsent"] },
  check(subject) {
    const data = subject.data;
    if (data.product === "matomo") return notChecked("per-feature consent gating lives in the Matomo snippet and shows only on the live page");
    const { askConsent, withoutConsent } = data.site;
    if (!askConsent) return fail("site.askConsent", false, "true", "without the Consent Manager Piwik PRO makes no difference between visitors: none is measured the exempt way");
    if (withoutConsent === "session-cookie")
      return fail("site.withoutConsent", withoutConsent, "cookieless", "visitors who have not consented get a 30-minute cookie; the CNIL's Piwik PRO guide collects their data without any cookie", "warning");
    return pass("site.withoutConsent", withoutConsent, "cookieless (or nothing)");
  },
};
