import type { Rule, Verdict } from "../../types";
import { containerField, judgeCookieDomain, matomoContainers, notChecked, piwikProTagNotDeclared, piwikProTags, TAG_OPTION_READS } from "../helpers";
import { cite } from "../sources";

/**
 * The third-party `_pk_uid` cookie is CNIL-NO-THIRD-PARTY-COOKIE's; this rule judges the first-party
 * cookie's reach. A cross-publisher "unique visitors" roll-up also belongs here once roll-ups are modelled.
 */
export const NoCrossSiteId: Rule = {
  id: "CNIL-NO-CROSS-SITE-ID",
  title: "No identifier is shared across sites: the visitor cookie stays on the site's own domain",
  explanation:
    "An identifier that several sites can read recognises the same person from one site to the next, which is cross-site tracking; since 2025 the CNIL names it explicitly as outside the exemption. A cookie set on a parent domain is readable by every site under it. It is a core condition: a site that cannot meet it is not exempt.",
  ...cite("CNIL25"),
  remediation: "Leave the cookie domain unset (the page's own host), or set it to the site's own domain only: Matomo Tag Manager `cookieDomain`, Piwik PRO tag `cookie_domain`.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "S", piwikpro: "A" },
  reads: { matomo: ["site.tagManager", "site.urls"], piwikpro: [...TAG_OPTION_READS, "site.urls"] },
  check(subject) {
    const data = subject.data;
    const verdicts: Verdict[] = [];
    if (data.product === "matomo") {
      const containers = matomoContainers(data.site);
      if (!containers.length) return notChecked("no Tag Manager container is declared: a `setCookieDomain` call in the snippet shows only on the live page", "site.tagManager");
      for (const [key, c] of containers) verdicts.push(judgeCookieDomain(subject, containerField(key, "matomoConfiguration.cookieDomain"), c.matomoConfiguration.cookieDomain, data.site.urls));
    } else {
      const tags = piwikProTags(data.site, "piwik");
      if (!tags.length) return piwikProTagNotDeclared("cookie_domain");
      for (const [key, t] of tags) verdicts.push(judgeCookieDomain(subject, `site.tags.${key}.templateOptions.cookie_domain`, t.templateOptions?.cookie_domain, data.site.urls));
    }
    const failures = verdicts.filter((v) => v.status !== "pass");
    return failures.length ? failures : verdicts.slice(0, 1);
  },
};
