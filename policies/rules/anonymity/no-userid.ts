import type { Rule, Verdict } from "../../types";
import { containerField, fail, isSet, matomoContainers, notChecked, pass, piwikProTagNotDeclared, piwikProTags, TAG_OPTION_READS } from "../helpers";
import { cite } from "../sources";

export const NoUserId: Rule = {
  id: "CNIL-NO-USERID",
  title: "No user identifier is sent: analytics are never linked to accounts",
  explanation:
    "A User ID ties every visit to a known account, across devices: the statistics are then about identified people, not an anonymous audience. The CNIL's Matomo guide says not to activate user-id functions. It is a core condition: a site that cannot meet it is not exempt.",
  ...cite("GM"),
  remediation:
    "Matomo: leave the Tag Manager variable's `userId` empty and remove any `setUserId` call from the snippet. Piwik PRO: remove `user_id` from the Piwik PRO tag's template options.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A", piwikpro: "A" },
  reads: { matomo: ["site.tagManager"], piwikpro: TAG_OPTION_READS },
  check(subject) {
    const data = subject.data;
    const failures: Verdict[] = [];
    if (data.product === "matomo") {
      const containers = matomoContainers(data.site);
      if (!containers.length) return notChecked("no Tag Manager container is declared: a `setUserId` call in the tracker snippet shows only on the live page", "site.tagManager");
      for (const [key, c] of containers)
        if (isSet(c.matomoConfiguration.userId)) failures.push(fail(containerField(key, "matomoConfiguration.userId"), c.matomoConfiguration.userId, "empty", `the container '${c.name}' sends a User ID`));
      return failures.length ? failures : pass("site.tagManager", undefined, "no userId in any container", "no Tag Manager container sends a User ID");
    }
    const tags = piwikProTags(data.site, "piwik");
    if (!tags.length) return piwikProTagNotDeclared("user_id");
    for (const [key, t] of tags)
      if (isSet(t.templateOptions?.user_id)) failures.push(fail(`site.tags.${key}.templateOptions.user_id`, t.templateOptions?.user_id, "absent or empty", `the Piwik PRO tag '${t.name}' sends a User ID`));
    return failures.length ? failures : pass("site.tags", undefined, "no user_id on the Piwik PRO tag", "the Piwik PRO tag sends no User ID");
  },
};
