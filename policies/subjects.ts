import type { Config, Instance } from "../model/config";
import type { Subject } from "./types";

/** The desired side: one subject per declared site, everything known, evidence "declaration". */
export function desiredSubjects(config: Config, only?: { instance?: string; site?: string }): Subject[] {
  const subjects: Subject[] = [];
  for (const [instanceId, instance] of Object.entries(config.instances)) {
    if (only?.instance && only.instance !== instanceId) continue;
    // One sibling list per instance, shared by its subjects: a list per subject is O(n²) memory.
    const siblings = instanceSitesOf(instance);
    for (const siteKey of Object.keys(instance.sites)) {
      if (only?.site && only.site !== siteKey) continue;
      const subject = desiredSubject(instanceId, instance, siteKey, siblings);
      if (subject) subjects.push(subject);
    }
  }
  return subjects;
}

export function instanceSitesOf(instance: Instance): Subject["instanceSites"] {
  return Object.entries(instance.sites)
    .filter(([, s]) => !s.remove)
    .map(([key, s]) => ({ key, publisher: s.publisher ?? key, urls: s.urls }));
}

export function desiredSubject(instanceId: string, instance: Instance, siteKey: string, siblings: Subject["instanceSites"] = instanceSitesOf(instance)): Subject | undefined {
  const site = instance.sites[siteKey];
  // A site marked for removal is no longer measured: it is judged by nothing.
  if (!site || site.remove) return undefined;
  const common = {
    side: "desired" as const,
    instanceId,
    siteKey,
    mode: site.mode,
    unknown: {},
    evidence: "declaration" as const,
    fieldEvidence: {},
    suppressions: { site: site.suppressions, instance: instance.suppressions },
    attestations: [...instance.attestations, ...site.attestations],
    attestationsOnInstance: instance.attestations.length,
    instanceSites: siblings,
  };
  if (instance.kind === "matomo") {
    return { ...common, data: { product: "matomo", privacy: instance.privacy, access: instance.access, site: instance.sites[siteKey] as (typeof instance.sites)[string] } };
  }
  return { ...common, data: { product: "piwikpro", privacy: instance.privacy, site: instance.sites[siteKey] as (typeof instance.sites)[string] } };
}
