import type { Rule, Verdict } from "../../types";
import { fail, matomoContainers, notApplicable, pass, piwikProFiresWithoutConsent, piwikProTags, TAG_LIST_READS } from "../helpers";
import { cite } from "../sources";

/** Matomo Tag Manager's type of the analytics tag itself. */
export const MATOMO_ANALYTICS_TAG_TYPE = "Matomo";
export const PIWIKPRO_ANALYTICS_TEMPLATE = "piwik";

export const NoUnconsentedTags: Rule = {
  id: "CNIL-NO-UNCONSENTED-TAGS",
  title: "On an exempt site, no tag other than the analytics tag fires without consent",
  explanation:
    "The exemption covers the audience-measurement tracker, not whatever else a tag manager loads. Any other tag that fires before consent (a chat widget, a pixel, a custom script) needs its own consent, so on an exempt site it must wait for it.",
  ...cite("GP", "GM"),
  remediation:
    "Matomo Tag Manager: give every tag other than the Matomo tag a consent condition (`firesWithoutConsent: false`). Piwik PRO: give every tag other than the Piwik PRO tag a consent type other than not_require_consent, with the Consent Manager on.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A", piwikpro: "A" },
  reads: { matomo: ["site.tagManager"], piwikpro: [...TAG_LIST_READS, "site.askConsent"] },
  check(subject) {
    const data = subject.data;
    const failures: Verdict[] = [];
    if (data.product === "matomo") {
      const containers = matomoContainers(data.site);
      if (!containers.length) return notApplicable("no Tag Manager container is declared", "site.tagManager");
      for (const [ckey, c] of containers)
        for (const [tkey, t] of Object.entries(c.tags))
          if (t.type !== MATOMO_ANALYTICS_TAG_TYPE && t.firesWithoutConsent)
            failures.push(fail(`site.tagManager.containers.${ckey}.tags.${tkey}.firesWithoutConsent`, true, "false", `the tag '${t.name}' (${t.type}) fires without consent`));
      return failures.length ? failures : pass("site.tagManager", undefined, "no tag but the Matomo tag fires without consent");
    }
    for (const [key, t] of piwikProTags(data.site)) {
      if (t.template === PIWIKPRO_ANALYTICS_TEMPLATE) continue;
      const fires = piwikProFiresWithoutConsent(data.site, key, t);
      if (fires) failures.push(fail(fires.field, fires.found, "a consent type other than not_require_consent, with the Consent Manager on", fires.why));
    }
    return failures.length ? failures : pass("site.tags", undefined, "no tag but the Piwik PRO tag fires without consent");
  },
};
