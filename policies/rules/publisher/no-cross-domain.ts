import type { Rule, Verdict } from "../../types";
import { containerField, fail, matomoContainers, notChecked, pass, piwikProTagNotDeclared, piwikProTags, switchValue, TAG_OPTION_READS } from "../helpers";
import { cite } from "../sources";

export const NoCrossDomain: Rule = {
  id: "CNIL-NO-CROSS-DOMAIN",
  title: "Cross-domain linking is off: no visitor id is carried from one domain to another",
  explanation:
    "Cross-domain linking decorates links with the visitor id (`pk_vid`) so the same person is recognised on two domains. The CNIL's Matomo guide lists it among the functions to leave off.",
  ...cite("GM"),
  remediation: "Matomo: Tag Manager `enableCrossDomainLinking: false` (the default) and no `enableCrossDomainLinking` call in the snippet. Piwik PRO: the Piwik PRO tag's `cross_domain_tracking` off.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "S", piwikpro: "A" },
  reads: { matomo: ["site.tagManager"], piwikpro: TAG_OPTION_READS },
  check(subject) {
    const data = subject.data;
    const verdicts: Verdict[] = [];
    if (data.product === "matomo") {
      const containers = matomoContainers(data.site);
      if (!containers.length) return notChecked("no Tag Manager container is declared: an `enableCrossDomainLinking` call in the snippet shows only on the live page", "site.tagManager");
      for (const [key, c] of containers)
        if (c.matomoConfiguration.enableCrossDomainLinking)
          verdicts.push(fail(containerField(key, "matomoConfiguration.enableCrossDomainLinking"), true, "false", `the container '${c.name}' links visitors across domains`));
      return verdicts.length ? verdicts : pass("site.tagManager", undefined, "enableCrossDomainLinking false in every container");
    }
    const tags = piwikProTags(data.site, "piwik");
    if (!tags.length) return piwikProTagNotDeclared("cross_domain_tracking");
    for (const [key, t] of tags) {
      const field = `site.tags.${key}.templateOptions.cross_domain_tracking`;
      const on = switchValue(t.templateOptions?.cross_domain_tracking);
      if (on === true) verdicts.push(fail(field, t.templateOptions?.cross_domain_tracking, "false or absent", `the Piwik PRO tag '${t.name}' links visitors across domains`));
      else if (on === "unrecognised") verdicts.push(notChecked(`the Piwik PRO tag's cross_domain_tracking value ${JSON.stringify(t.templateOptions?.cross_domain_tracking)} is not one Exempt recognises`, field));
    }
    return verdicts.length ? verdicts : pass("site.tags", undefined, "cross_domain_tracking off on every Piwik PRO tag");
  },
};
