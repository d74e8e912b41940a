import type { Rule } from "../../types";
import { fail, pass, piwikProTemplatesNeedConsent, TAG_LIST_READS } from "../helpers";
import { cite } from "../sources";

/** Piwik PRO templates of A/B testing and personalisation tools. */
export const COHORT_TEMPLATES = ["ab_tasty", "optimizely", "visual_website_optimizer"] as const;

export const NoCohorts: Rule = {
  id: "CNIL-NO-COHORTS",
  title: "No A/B test, cohort or personalised content runs without consent, even with random assignment",
  explanation:
    "The 2025 self-assessment grid excludes cohorts and differentiated content from the exemption (the superseded 2019 guidelines had allowed A/B tests). Showing visitors different content on the basis of a tracker is no longer audience measurement.",
  ...cite("MFAQ", "SELF25"),
  remediation: "Matomo: `features.abTesting: false` (AbTesting plugin off, or no running experiment). Piwik PRO: A/B testing tags use the `ab_testing_and_personalization` consent type, never not_require_consent.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "C", piwikpro: "A" },
  reads: { matomo: ["site.features.abTesting"], piwikpro: [...TAG_LIST_READS, "site.askConsent"] },
  check(subject) {
    const data = subject.data;
    if (data.product === "matomo") {
      const on = data.site.features.abTesting;
      return on ? fail("site.features.abTesting", on, "false", "A/B testing is on: experiments need consent") : pass("site.features.abTesting", on, "false");
    }
    return piwikProTemplatesNeedConsent(data.site, COHORT_TEMPLATES, "A/B testing or personalisation");
  },
};
