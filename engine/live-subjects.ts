import type { Instance } from "../model/config";
import type { MatomoDeclaredTag, MatomoSite } from "../model/matomo";
import type { PiwikProApp } from "../model/piwikpro";
import { instanceSitesOf } from "../policies/subjects";
import type { Evidence, Subject, UnknownField } from "../policies/types";
import { findLiveContainer } from "./diff";
import type { InstancePlan, LiveInstance, LiveSite } from "./types";

/**
 * The live side, in the shape the rule pack judges. What was read replaces what was declared;
 * what could not be read is listed as unknown, so the pack says "not observable" instead of
 * judging the declaration again.
 */
export function liveSubjects(instance: Instance, plan: InstancePlan, live: LiveInstance): Subject[] {
  const subjects: Subject[] = [];
  // Built once: a search of the plan per live site, or a sibling list per subject, is O(n²) on a fleet.
  const declaredKeys = declaredKeysOf(plan);
  const liveSiblings = live.sites.map((s) => ({ key: declaredKeys.get(s.productId) ?? `#${s.productId}`, publisher: declaredKeys.get(s.productId) ?? `#${s.productId}`, urls: s.urls }));
  const declaredSiblings = instanceSitesOf(instance);
  const shared = instanceParts(instance, live);
  for (const sitePlan of plan.sites) {
    if (!sitePlan.live || sitePlan.operation === "delete") continue;
    subjects.push(subjectFor(plan.instanceId, instance, live, sitePlan.live, sitePlan.siteKey, instance.sites[sitePlan.siteKey], liveSiblings, declaredSiblings, shared));
  }
  for (const site of plan.unmanaged) subjects.push(subjectFor(plan.instanceId, instance, live, site, `#${site.productId}`, undefined, liveSiblings, declaredSiblings, shared));
  return subjects;
}

/** What every live subject of an instance starts from, worked out once rather than once per site. */
interface InstanceParts {
  /** `privacy.<field>` → why it is unknown, in the order of live.privacyUnknown. */
  unknown: Record<string, UnknownField>;
  /** `privacy.<field>` → "database", for the values the observer read. */
  fieldEvidence: Record<string, Evidence>;
  /** The declared privacy with what was read over it. */
  privacy: Record<string, unknown>;
}

function instanceParts(instance: Instance, live: LiveInstance): InstanceParts {
  const unknown: Record<string, UnknownField> = {};
  const fieldEvidence: Record<string, Evidence> = {};
  const privacy: Record<string, unknown> = { ...instance.privacy };
  for (const [field, why] of Object.entries(live.privacyUnknown)) unknown[`privacy.${field}`] = why;
  for (const [field, value] of Object.entries(live.privacy)) {
    privacy[field] = value;
    if (live.privacyEvidence[field] === "database") fieldEvidence[`privacy.${field}`] = "database";
  }
  return { unknown, fieldEvidence, privacy };
}

/** Live product id → the key of the first site plan matched to it. */
function declaredKeysOf(plan: InstancePlan): Map<string, string> {
  const keys = new Map<string, string>();
  for (const p of plan.sites) if (p.live && !keys.has(p.live.productId)) keys.set(p.live.productId, p.siteKey);
  return keys;
}

function subjectFor(
  instanceId: string,
  instance: Instance,
  live: LiveInstance,
  site: LiveSite,
  siteKey: string,
  declared: Instance["sites"][string] | undefined,
  siblings: Subject["instanceSites"],
  declaredSiblings: Subject["instanceSites"],
  shared: InstanceParts,
): Subject {
  // Copies: each subject owns its records, as when they were built here for every site.
  const unknown: Record<string, UnknownField> = { ...shared.unknown };
  const fieldEvidence: Record<string, Evidence> = { ...shared.fieldEvidence };
  const privacy: Record<string, unknown> = { ...shared.privacy };
  const base: Omit<Subject, "data"> = {
    side: "live" as const,
    instanceId,
    siteKey,
    productId: site.productId,
    mode: declared?.mode ?? "exempt",
    unknown,
    evidence: "api" as const,
    fieldEvidence,
    suppressions: { site: declared?.suppressions ?? [], instance: instance.suppressions },
    attestations: [...instance.attestations, ...(declared?.attestations ?? [])],
    unmanaged: declared === undefined,
    instanceSites: declared ? declaredSiblings : siblings,
  };

  if (instance.kind === "matomo") {
    const decl = declared as MatomoSite | undefined;
    // Object.assign, not spread: the same keys in the same order, and ten times faster on objects
    // of this size (V8 copies a second spread source key by key). Both sources hold model fields only.
    const siteData: Record<string, unknown> = Object.assign({}, decl, site.settings);
    siteData.name = site.name;
    siteData.urls = site.urls;
    siteData.publicStats = site.access.anonymous === "view";
    for (const [path, why] of FEATURES_NOT_READ) unknown[path] = why;
    siteData.features = decl?.features ?? { heatmaps: false, sessionRecordings: false, abTesting: false, marketingCampaigns: false, visitorLog: false };
    if (decl?.tagManager) {
      const containers: Record<string, unknown> = {};
      for (const [key, container] of Object.entries(decl.tagManager.containers)) {
        const liveContainer = findLiveContainer(key, container, site.containers ?? []);
        if (!liveContainer) continue;
        const tags: Record<string, MatomoDeclaredTag> = {};
        for (const t of liveContainer.tags) {
          if (t.type === "Matomo") continue;
          const declaredTag = Object.values(container.tags).find((d) => d.name === t.name);
          // An undeclared tag is judged as firing without consent: nobody has said otherwise.
          tags[`live-${t.id}`] = { name: t.name, type: t.type, firesWithoutConsent: declaredTag?.firesWithoutConsent ?? true };
        }
        const merged = Object.assign({}, container) as Record<string, unknown>;
        merged.matomoConfiguration = Object.assign({}, container.matomoConfiguration, liveContainer.matomoConfiguration?.settings);
        merged.tags = tags;
        containers[key] = merged;
      }
      siteData.tagManager = { containers };
    } else unknown["site.tagManager"] = { why: "not-checked", enforcedOnApply: false, note: "Tag Manager is not managed for this site" };
    const access = { ...instance.access, publicStats: site.access.anonymous === "view" };
    (base as Subject).data = { product: "matomo", privacy: privacy as never, access, site: siteData as unknown as MatomoSite };
    return base as Subject;
  }

  const decl = declared as PiwikProApp | undefined;
  const tags: PiwikProApp["tags"] = {};
  for (const t of site.tags ?? [])
    tags[`live-${t.tagId}`] = {
      name: t.name,
      template: t.template,
      consentType: t.consentType as PiwikProApp["tags"][string]["consentType"],
      tagId: t.tagId,
      active: t.active,
      ...(t.templateOptions ? { templateOptions: t.templateOptions } : {}),
    };
  const effectivePrivacy = Object.assign({}, privacy, site.privacyOverrides);
  const appData: Record<string, unknown> = Object.assign({}, decl, site.settings);
  appData.name = site.name;
  appData.urls = site.urls;
  appData.tags = tags;
  const siteData = appData as unknown as PiwikProApp;
  if (site.tags === undefined) unknown["site.tags"] = { why: "not-checked", enforcedOnApply: false, note: "tags were not read" };
  (base as Subject).data = { product: "piwikpro", privacy: effectivePrivacy as never, site: siteData };
  return base as Subject;
}

/** Plugins (heatmaps, A/B tests...) are not read through the API: the same unknown fields on every live Matomo site. */
const FEATURES_NOT_READ: ReadonlyArray<readonly [string, UnknownField]> = (() => {
  const why: UnknownField = { why: "not-checked", enforcedOnApply: false, note: "plugin settings are not read" };
  return ["heatmaps", "sessionRecordings", "abTesting", "marketingCampaigns", "visitorLog"].map((f) => [`site.features.${f}`, why] as const);
})();
