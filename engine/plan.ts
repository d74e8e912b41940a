import type { Instance } from "../model/config";
import type { MatomoSite } from "../model/matomo";
import type { PiwikProApp } from "../model/piwikpro";
import { diffAccess, diffContainers, diffPrivacy, diffPrivacyOverrides, diffSiteSettings, diffTags } from "./diff";
import { indexLiveSites, matchSite } from "./identity";
import type { InstancePlan, LiveInstance, PlanProblem, SitePlan } from "./types";

export interface PlanOptions {
  /** Deletion of sites declared `remove: true` (with deletionProtection off) and revocation of undeclared access. */
  prune: boolean;
  /** Restrict the plan to one declared site (`--only instance/site`): instance-wide settings are then left out. */
  onlySite?: string;
}

/**
 * Plans one instance: match every declaration to its live site, diff field by field, and say what
 * would be written. Pure: the same declaration and reading always give the same plan.
 */
export function planInstance(instanceId: string, instance: Instance, live: LiveInstance, options: PlanOptions): InstancePlan {
  const index = indexLiveSites(live.sites);
  const matched = new Set<string>();
  const sites: SitePlan[] = [];
  const problems: PlanProblem[] = [];

  for (const [siteKey, desired] of Object.entries(instance.sites)) {
    if (options.onlySite && options.onlySite !== siteKey) continue;
    const productId = "idSite" in desired && desired.idSite !== undefined ? String(desired.idSite) : "appId" in desired ? desired.appId : undefined;
    const identity = matchSite({ urls: desired.urls, productId }, live.sites, index);
    if (identity.kind === "conflict") {
      problems.push({ siteKey, message: identity.message });
      sites.push({ siteKey, operation: "none", changes: [], desired });
      continue;
    }
    if (identity.kind === "absent" && productId !== undefined) {
      problems.push({ siteKey, message: `the declared product id ${productId} does not exist on ${instance.url}: remove the id to create the site, or fix it` });
      sites.push({ siteKey, operation: "none", changes: [], desired });
      continue;
    }
    const liveSite = identity.kind === "matched" ? identity.live : undefined;
    if (liveSite) matched.add(liveSite.productId);

    if (desired.remove) {
      if (!liveSite) sites.push({ siteKey, operation: "none", changes: [], desired });
      else if (desired.deletionProtection) sites.push({ siteKey, productId: liveSite.productId, operation: "none", changes: [], desired, live: liveSite, blockedBy: "deletionProtection is on: set deletionProtection: false to allow deleting this site" });
      else if (!options.prune) sites.push({ siteKey, productId: liveSite.productId, operation: "none", changes: [], desired, live: liveSite, blockedBy: "deleting a site needs --prune (EXEMPT_PRUNE=1 under cdktf deploy)" });
      else sites.push({ siteKey, productId: liveSite.productId, operation: "delete", changes: [{ area: "site", siteKey, field: "(site)", live: `site ${liveSite.productId} "${liveSite.name}"`, desired: "deleted" }], desired, live: liveSite });
      continue;
    }

    const changes = liveSite ? diffSiteSettings(instance.kind, siteKey, desired, liveSite) : [];
    changes.push(...diffAccess(instance, siteKey, liveSite, options.prune));
    if (instance.kind === "matomo") changes.push(...diffContainers(siteKey, desired as MatomoSite, liveSite));
    else {
      const tags = diffTags(siteKey, desired as PiwikProApp, liveSite);
      changes.push(...tags.changes);
      problems.push(...tags.problems.map((message) => ({ siteKey, message })));
      if (liveSite) changes.push(...diffPrivacyOverrides(instance, siteKey, liveSite));
    }
    const operation = !liveSite ? "create" : changes.some((c) => !c.blockedBy) ? "update" : "none";
    if (!liveSite) changes.unshift({ area: "site", siteKey, field: "(site)", live: null, desired: `new site "${desired.name}" ${desired.urls[0]}` });
    sites.push({ siteKey, productId: liveSite?.productId, operation, changes, desired, live: liveSite });
  }

  const privacy = options.onlySite ? { changes: [], reassert: [] } : diffPrivacy(instance, live);
  return {
    instanceId,
    product: instance.kind,
    url: instance.url,
    version: live.version,
    sites,
    instanceChanges: privacy.changes,
    reassert: privacy.reassert,
    unmanaged: options.onlySite ? [] : live.sites.filter((s) => !matched.has(s.productId)),
    problems,
  };
}

/** Every change of a plan that the next apply would make (blocked ones excluded). */
export function pendingChanges(plan: InstancePlan): number {
  return plan.instanceChanges.length + plan.sites.reduce((n, s) => n + s.changes.filter((c) => !c.blockedBy).length, 0);
}
