import type { Rule, Verdict } from "../../types";
import { fail, pass, piwikProTagNotDeclared, piwikProTags, TAG_LIST_READS } from "../helpers";
import { cite } from "../sources";

/** Inactive tags are judged too: activating one must not be the moment a breach appears. */
export const TagConsentAnalytics: Rule = {
  id: "CNIL-TAG-CONSENT-ANALYTICS",
  title: "Every Piwik PRO analytics tag (template `piwik`) has the consent type `analytics`",
  explanation:
    "With the Consent Manager on, the Piwik PRO tag's consent type decides how visitors who have not consented are measured: `analytics` gives them the anonymous, cookieless collection of the CNIL's Piwik PRO guide, while not_require_consent measures them fully.",
  ...cite("GP"),
  remediation: "Set `consentType: analytics` on the Piwik PRO tag (the model's default, and Piwik PRO's for the piwik template).",
  scope: "site",
  products: ["piwikpro"],
  verification: { piwikpro: "A" },
  reads: { piwikpro: TAG_LIST_READS },
  check(subject) {
    if (subject.data.product !== "piwikpro") return [];
    const tags = piwikProTags(subject.data.site, "piwik");
    if (!tags.length) return piwikProTagNotDeclared("consent_type");
    const failures: Verdict[] = tags
      .filter(([, t]) => t.consentType !== "analytics")
      .map(([key, t]) => fail(`site.tags.${key}.consentType`, t.consentType, "analytics", `the Piwik PRO tag '${t.name}' has the consent type ${t.consentType}`));
    return failures.length ? failures : pass("site.tags", undefined, "analytics", "every Piwik PRO tag has the consent type analytics");
  },
};
