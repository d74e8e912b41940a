import type { Rule, Verdict } from "../../types";
import { coversHost, fail, hostsOf, normaliseCookieDomain, notChecked, pass, piwikProTags, TAG_OPTION_READS } from "../helpers";
import { cite } from "../sources";

export const NoThirdPartyCookie: Rule = {
  id: "CNIL-NO-THIRD-PARTY-COOKIE",
  title: "Only first-party trackers are used: no third-party cookie",
  explanation:
    "A third-party cookie lives on the analytics server's domain and is sent from every site that uses it, which makes cross-site tracking possible. Matomo sets one only when its config file asks for it; Piwik PRO is first-party by design.",
  ...cite("GM", "MPOL"),
  remediation: "Matomo: `[Tracker] use_third_party_id_cookie = 0` in config/config.ini.php (the default). Piwik PRO: keep the tag's `cookie_domain` on the site's own domain.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "C", piwikpro: "A" },
  reads: { matomo: [], piwikpro: [...TAG_OPTION_READS, "site.urls"] },
  check(subject) {
    const data = subject.data;
    if (data.product === "matomo") return notChecked("Matomo's third-party cookie is switched in the server's config file (`[Tracker] use_third_party_id_cookie`), which Exempt does not read");
    const hosts = hostsOf(data.site.urls);
    const verdicts: Verdict[] = [];
    for (const [key, t] of piwikProTags(data.site, "piwik")) {
      const domain = t.templateOptions?.cookie_domain;
      if (typeof domain !== "string" || !domain.trim()) continue;
      // A cookie domain no host of the site lies under is a third party's.
      if (!hosts.some((h) => coversHost(normaliseCookieDomain(domain), h)))
        verdicts.push(fail(`site.tags.${key}.templateOptions.cookie_domain`, domain, `a domain of the site (${hosts.join(", ")})`, `the Piwik PRO tag '${t.name}' sets its cookie on ${domain}, a domain that is not the site's`));
    }
    return verdicts.length ? verdicts : pass("site.tags", undefined, "first-party cookies only", "Piwik PRO sets first-party cookies only");
  },
};
