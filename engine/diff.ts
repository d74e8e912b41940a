import type { Instance, Site } from "../model/config";
import type { MatomoContainer, MatomoSite, MatomoTrackerConfiguration } from "../model/matomo";
import type { PiwikProApp } from "../model/piwikpro";
import type { Product } from "../policies/types";
import { PRIVACY_FIELDS, SITE_SETTING_FIELDS, TRACKER_CONFIGURATION_FIELDS, UNORDERED_LISTS } from "./fields";
import { normaliseField, sameValue } from "./normalise";
import type { Change, LiveContainer, LiveInstance, LiveSite, Reassertion } from "./types";

/**
 * Pure diffs between the declaration and what was read, field by field, in the model's words.
 * A field the declaration leaves out (undefined) is not managed and never diffed.
 */

export const NO_ACCESS = "noaccess";

export function diffSiteSettings(product: Product, siteKey: string, desired: Site, live: LiveSite): Change[] {
  const changes: Change[] = [];
  for (const field of SITE_SETTING_FIELDS[product]) {
    const want = (desired as Record<string, unknown>)[field];
    if (want === undefined) continue;
    const have = field === "name" ? live.name : field === "urls" ? live.urls : live.settings[field];
    if (!sameValue(field, want, have)) changes.push({ area: "site", siteKey, field, live: have ?? null, desired: normaliseForReport(field, want) });
  }
  return changes;
}

function normaliseForReport(field: string, value: unknown): unknown {
  return UNORDERED_LISTS.has(field) ? normaliseField(field, value) : value;
}

/** The roles the declaration gives on one site: declared users whose selection includes it, and `anonymous` for public stats. */
export function desiredAccess(instance: Instance, siteKey: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [principal, grant] of Object.entries(instance.access.users as Record<string, { role: string; sites: "all" | string[] }>)) {
    if (grant.sites === "all" || grant.sites.includes(siteKey)) out[principal] = grant.role;
  }
  if (instance.kind === "matomo") {
    const site = instance.sites[siteKey] as MatomoSite | undefined;
    const publicStats = site?.publicStats ?? instance.access.publicStats;
    if (publicStats) out.anonymous = "view";
  }
  return out;
}

/**
 * Access differences on one site. Declared roles are applied; a role nobody declared is drift, and
 * revoking it needs both `access.revokeUndeclared` and `--prune` (nothing lost by default).
 * Anonymous view is a declared setting (publicStats), so it is always reconciled.
 */
export function diffAccess(instance: Instance, siteKey: string, live: LiveSite | undefined, prune: boolean): Change[] {
  const want = desiredAccess(instance, siteKey);
  const have = live?.access ?? {};
  const changes: Change[] = [];
  for (const [principal, role] of Object.entries(want)) {
    if (have[principal] !== role) changes.push({ area: "access", siteKey, field: `access.${principal}`, live: have[principal] ?? NO_ACCESS, desired: role });
  }
  const revoke = instance.access.revokeUndeclared;
  for (const [principal, role] of Object.entries(have)) {
    if (principal in want || role === NO_ACCESS) continue;
    const blockedBy =
      principal === "anonymous" ? undefined : !revoke ? "undeclared access is only revoked with access.revokeUndeclared: true and --prune" : !prune ? "revoking access needs --prune" : undefined;
    changes.push({ area: "access", siteKey, field: `access.${principal}`, live: role, desired: NO_ACCESS, blockedBy });
  }
  return changes;
}

/** The declared container settings with the model's defaults filled, in the live settings' shape. */
function wantedTrackerSettings(container: MatomoContainer): Partial<MatomoTrackerConfiguration> {
  return container.matomoConfiguration;
}

export function findLiveContainer(key: string, declared: MatomoContainer, live: readonly LiveContainer[]): LiveContainer | undefined {
  if (declared.idContainer) return live.find((c) => c.idContainer === declared.idContainer);
  const byName = live.filter((c) => c.name === declared.name);
  return byName[0];
}

/** Tag Manager: each declared container exists and its "Matomo Configuration" variable holds the declared values. */
export function diffContainers(siteKey: string, site: MatomoSite, live: LiveSite | undefined): Change[] {
  const containers = site.tagManager?.containers ?? {};
  const changes: Change[] = [];
  for (const [key, declared] of Object.entries(containers)) {
    const base = `tagManager.containers.${key}`;
    const liveContainer = live ? findLiveContainer(key, declared, live.containers ?? []) : undefined;
    if (!liveContainer) {
      changes.push({ area: "tagmanager", siteKey, field: base, live: null, desired: `container "${declared.name}"` });
      continue;
    }
    const want = wantedTrackerSettings(declared);
    const have = liveContainer.matomoConfiguration?.settings;
    if (!have) {
      changes.push({ area: "tagmanager", siteKey, field: `${base}.matomoConfiguration`, live: null, desired: "a Matomo Configuration variable" });
      continue;
    }
    for (const field of TRACKER_CONFIGURATION_FIELDS) {
      const w = (want as Record<string, unknown>)[field];
      const h = (have as Record<string, unknown>)[field];
      // visitorCookieDays and cookieDomain left out mean "the tracker's default": live must not set them either.
      const wantNorm = w ?? (field === "cookieDomain" ? "" : undefined);
      const haveNorm = h ?? (field === "cookieDomain" ? "" : undefined);
      if (!sameValue(field, wantNorm, haveNorm)) changes.push({ area: "tagmanager", siteKey, field: `${base}.matomoConfiguration.${field}`, live: haveNorm ?? null, desired: wantNorm ?? null });
    }
  }
  return changes;
}

/** Piwik PRO tags: each declared tag exists with its consent type, state and options. Undeclared live tags are left alone. */
export function diffTags(siteKey: string, app: PiwikProApp, live: LiveSite | undefined): { changes: Change[]; problems: string[] } {
  const changes: Change[] = [];
  const problems: string[] = [];
  for (const [key, tag] of Object.entries(app.tags)) {
    const base = `tags.${key}`;
    const liveTag = (live?.tags ?? []).find((t) => (tag.tagId ? t.tagId === tag.tagId : t.name === tag.name));
    if (!liveTag) {
      changes.push({ area: "tagmanager", siteKey, field: base, live: null, desired: `${tag.template} tag "${tag.name}" (${tag.consentType})` });
      continue;
    }
    if (liveTag.template !== tag.template) {
      problems.push(`tag "${tag.name}" is a ${liveTag.template} tag live but declared ${tag.template}: Piwik PRO cannot change a tag's template; rename the declaration or recreate the tag by hand`);
      continue;
    }
    if (liveTag.consentType !== tag.consentType) changes.push({ area: "tagmanager", siteKey, field: `${base}.consentType`, live: liveTag.consentType, desired: tag.consentType });
    if (liveTag.active !== tag.active) changes.push({ area: "tagmanager", siteKey, field: `${base}.active`, live: liveTag.active, desired: tag.active });
  }
  // Changes left in the draft (a publish that failed, or an edit in the UI) are not live yet.
  if (app.publishTags && live?.unpublishedTagChanges && !changes.some((c) => c.area === "tagmanager"))
    changes.push({ area: "tagmanager", siteKey, field: "tags.(draft)", live: "unpublished changes in the Tag Manager draft", desired: "published" });
  return { changes, problems };
}

/**
 * Instance-wide privacy. Observable fields are diffed; those the API cannot read are re-asserted on
 * every apply and reported as such, never as in sync.
 */
export function diffPrivacy(instance: Instance, live: LiveInstance): { changes: Change[]; reassert: Reassertion[] } {
  const changes: Change[] = [];
  const reassert: Reassertion[] = [];
  const privacy = instance.privacy as Record<string, unknown>;
  for (const field of PRIVACY_FIELDS[instance.kind]) {
    const want = privacy[field];
    if (want === undefined) continue;
    const unknown = live.privacyUnknown[field];
    if (unknown) {
      reassert.push({ field: `privacy.${field}`, desired: want, enforced: unknown.enforcedOnApply, note: unknown.note });
      continue;
    }
    const have = live.privacy[field];
    if (!sameValue(field, want, have)) changes.push({ area: "instance", field: `privacy.${field}`, live: have ?? null, desired: want });
  }
  if (instance.kind === "matomo" && instance.privacy.globalExcludedQueryParameters !== undefined) {
    const want = instance.privacy.globalExcludedQueryParameters;
    const have = live.globals.globalExcludedQueryParameters;
    if (!sameValue("globalExcludedQueryParameters", want, have))
      changes.push({ area: "instance", field: "privacy.globalExcludedQueryParameters", live: normaliseField("globalExcludedQueryParameters", have) ?? null, desired: normaliseField("globalExcludedQueryParameters", want) });
  }
  return { changes, reassert };
}

/** Piwik PRO: an app that overrides an account-wide privacy setting with another value is drift (the override is reset). */
export function diffPrivacyOverrides(instance: Instance, siteKey: string, live: LiveSite): Change[] {
  if (!live.privacyOverrides) return [];
  const privacy = instance.privacy as Record<string, unknown>;
  const changes: Change[] = [];
  for (const [field, value] of Object.entries(live.privacyOverrides)) {
    if (!(field in privacy) || privacy[field] === undefined) continue;
    if (!sameValue(field, privacy[field], value)) changes.push({ area: "site", siteKey, field: `privacyOverride.${field}`, live: value, desired: privacy[field] });
  }
  return changes;
}
