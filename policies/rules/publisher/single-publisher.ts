import { urlIdentity } from "../../../model/config";
import type { Rule, Verdict } from "../../types";
import { fail, pass } from "../helpers";
import { cite } from "../sources";
import { identitiesOverlap, overlapCandidates, siblingIndex } from "../siblings";

/** Two URLs overlap when one is the other or a path below it (Matomo and Piwik PRO match URLs by prefix). */
export function urlsOverlap(a: string, b: string): boolean {
  const x = urlIdentity(a);
  const y = urlIdentity(b);
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
}

/**
 * Roll-up reports are not in the model yet; when they are, a roll-up spanning publishers belongs here.
 * Live sites that are not declared count as publishers of their own, so an unmanaged live site that
 * tracks the same URLs is reported too.
 */
export const SinglePublisher: Rule = {
  id: "CNIL-SINGLE-PUBLISHER",
  title: "Each site measures one publisher's site alone: it accepts only its own URLs, and shares none with another publisher's site",
  explanation:
    "The exemption covers measurement for one publisher's exclusive account. On a shared instance each publisher's data must stay apart, with independent trackers; a site that accepts hits from any URL, or that tracks URLs another publisher also tracks, mixes their audiences. It is a core condition: a site that cannot meet it is not exempt.",
  ...cite(["G20", "§51"], "CNIL25", "R13"),
  remediation:
    "Set `excludeUnknownUrls: true` (the default), list only the site's own URLs, and give sites of different publishers distinct URLs (`publisher:` names who owns each site; by default each site is its own publisher).",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A", piwikpro: "A" },
  reads: { matomo: ["site.excludeUnknownUrls", "site.urls"], piwikpro: ["site.excludeUnknownUrls", "site.urls"] },
  check(subject) {
    const site = subject.data.site;
    const verdicts: Verdict[] = [];
    verdicts.push(
      site.excludeUnknownUrls
        ? pass("site.excludeUnknownUrls", true, "true")
        : fail("site.excludeUnknownUrls", false, "true", "the site accepts hits from any URL, so other sites can send data into it"),
    );
    const siblings = siblingIndex(subject.instanceSites);
    const selfAt = siblings.positionOf.get(subject.siteKey);
    const publisher = selfAt === undefined ? subject.siteKey : subject.instanceSites[selfAt].publisher;
    let shared = false;
    // The site's own URLs are usually its entry in the sibling list, already parsed there.
    const own = selfAt !== undefined && subject.instanceSites[selfAt].urls === site.urls ? siblings.identities[selfAt] : undefined;
    site.urls.forEach((url, i) => {
      const identity = own ? own[i] : urlIdentity(url);
      // The index names the only siblings that can clash, in list order: the same verdicts as a scan of all of them.
      for (const position of overlapCandidates(siblings, identity)) {
        const other = subject.instanceSites[position];
        if (other.key === subject.siteKey || other.publisher === publisher) continue;
        const ids = siblings.identities[position];
        const clash = other.urls.find((_, j) => identitiesOverlap(identity, ids[j]));
        if (!clash) continue;
        shared = true;
        verdicts.push(
          fail(`site.urls[${i}]`, url, "URLs no site of another publisher tracks", `${url} overlaps ${clash}, tracked by site '${other.key}' of publisher '${other.publisher}': their audiences would mix`),
        );
      }
    });
    if (!shared) verdicts.push(pass("site.urls", site.urls, "URLs no site of another publisher tracks"));
    return verdicts;
  },
};
