import type { InstanceKind } from "../../model/config";
import { MatomoRole } from "../../model/matomo";
import { PiwikProRole } from "../../model/piwikpro";
import { PRIVACY_FIELDS, SITE_SETTING_FIELDS } from "../fields";
import { sameValue } from "../normalise";
import { showValue } from "../render/values";
import type { LiveContainer, LiveInstance, LiveSite, LiveTag } from "../types";
import type { ModelDefaults } from "./defaults";
import { keysByName, siteKeys } from "./keys";

/**
 * The declaration an import writes, built from a reading in the model's words (LiveInstance): what
 * it declares is what the engine diffs, with the live values, so a plan right after finds no
 * change. Fields whose live value is the model's default are left out (leaving them out declares
 * that default); optional fields are declared unless empty. What the model cannot say, or the API
 * cannot read, becomes an annotation for a person.
 */

export type Segment = string | number;

export interface Annotation {
  /** Document path from the instance, e.g. ["privacy", "ipMaskBytes"]. */
  path: Segment[];
  /** `todo`: a person must confirm or fill in; `rule`: breaks the CNIL pack as it is; `note`: for the record. */
  kind: "todo" | "rule" | "note";
  text: string;
}

/** A part of the declaration left out because the model refuses its live value. */
export interface Drop {
  path: Segment[];
  reason: string;
}

export interface ImportTarget {
  instanceId: string;
  kind: InstanceKind;
  url: string;
  auth: Record<string, string>;
}

export interface BuiltDeclaration {
  instance: Record<string, unknown>;
  annotations: Annotation[];
  /** Live product id → site key, for every live site (declared or left out). */
  keys: Map<string, string>;
}

export const NOT_READABLE = "TODO: not readable through the API — confirm";
const ANONYMOUS = "anonymous";
const ROLE_ORDER: Record<InstanceKind, readonly string[]> = { matomo: MatomoRole.options, piwikpro: PiwikProRole.options };

export function buildDeclaration(live: LiveInstance, target: ImportTarget, defaults: ModelDefaults, drops: readonly Drop[] = []): BuiltDeclaration {
  const annotations: Annotation[] = [];
  const keys = siteKeys(live.sites);
  const dropped = (path: Segment[]) => drops.find((d) => d.path.length === path.length && d.path.every((s, i) => s === path[i]));
  const productIdField = defaults.siteFields.has("idSite") ? "idSite" : "appId";

  const declared: Array<{ site: LiveSite; key: string }> = [];
  for (const site of live.sites) {
    const key = keys.get(site.productId)!;
    const drop = dropped(["sites", key]);
    if (drop) annotations.push({ path: ["sites"], kind: "note", text: `left out: "${site.name}" (${productIdField} ${site.productId}${site.urls[0] ? `, ${site.urls[0]}` : ""}): ${drop.reason}. It shows as unmanaged in plans.` });
    else declared.push({ site, key });
  }

  const sites: Record<string, Record<string, unknown>> = {};
  for (const { site, key } of declared) sites[key] = siteDeclaration(site, key, target.kind, productIdField, defaults, annotations);

  const access = accessDeclaration(declared, sites, target.kind, defaults, annotations);
  const superusers = live.principals.filter((p) => p.superuser).map((p) => p.id);
  if (superusers.length) annotations.push({ path: access ? ["access"] : ["sites"], kind: "note", text: `${superusers.length === 1 ? "superuser" : "superusers"} ${superusers.join(", ")}: every access, not managed here` });

  const instance: Record<string, unknown> = { kind: target.kind, url: target.url, auth: { ...target.auth }, privacy: privacyDeclaration(live, target.kind, defaults, annotations) };
  if (access) instance.access = access;
  instance.sites = sites;

  // Later list entries first, so removing one does not shift the next.
  const ordered = [...drops].sort((a, b) => (typeof b.path[b.path.length - 1] === "number" ? (b.path[b.path.length - 1] as number) : -1) - (typeof a.path[a.path.length - 1] === "number" ? (a.path[a.path.length - 1] as number) : -1));
  for (const drop of ordered) {
    if (drop.path[0] === "sites" && drop.path.length === 2) continue;
    const removed = removeAt(instance, drop.path);
    if (removed === undefined) continue;
    const [first, second, third] = drop.path;
    const owner: Segment[] = first === "sites" ? ["sites", second] : first === "access" ? ["access"] : ["privacy"];
    const what = first === "sites" ? drop.path.slice(2).join(".") : drop.path.join(".");
    const label = first === "access" ? `user ${String(third)}` : what;
    annotations.push({ path: owner, kind: "todo", text: `TODO: ${label} left out: its live value ${showValue(removed, 60)} is not valid in exempt.yaml (${drop.reason})` });
  }
  return { instance, annotations, keys };
}

function siteDeclaration(site: LiveSite, key: string, kind: InstanceKind, productIdField: string, defaults: ModelDefaults, annotations: Annotation[]): Record<string, unknown> {
  const decl: Record<string, unknown> = { name: site.name, urls: [...site.urls] };
  // The product id makes identity exact: the main URL may change, the id does not.
  decl[productIdField] = productIdField === "idSite" ? Number(site.productId) : site.productId;
  for (const field of SITE_SETTING_FIELDS[kind]) {
    if (field === "name" || field === "urls" || !defaults.siteFields.has(field)) continue;
    const value = site.settings[field];
    if (value === undefined || value === null) continue;
    const fallback = defaults.site[field];
    if (fallback !== undefined ? sameValue(field, value, fallback) : isEmpty(value)) continue;
    decl[field] = Array.isArray(value) ? [...value] : value;
  }
  if (site.containers && defaults.siteFields.has("tagManager")) {
    const containers = containersDeclaration(site.containers, key, defaults, annotations);
    if (containers) decl.tagManager = { containers };
  }
  if (site.tags && site.tags.length && defaults.siteFields.has("tags")) decl.tags = tagsDeclaration(site.tags, defaults);
  if (site.unpublishedTagChanges && defaults.siteFields.has("publishTags")) {
    // Declared as found: publishing someone's unfinished draft is a decision for a person.
    decl.publishTags = false;
    annotations.push({ path: ["sites", key, "publishTags"], kind: "todo", text: "TODO: the Tag Manager draft holds unpublished changes; set publishTags: true to let Exempt publish them" });
  }
  for (const [field, value] of Object.entries(site.privacyOverrides ?? {}))
    annotations.push({
      path: ["sites", key],
      kind: "todo",
      text: `TODO: this app overrides privacy.${field} with ${showValue(value)}; Exempt keeps privacy settings account-wide, so the plan resets the override (privacyOverride.${field})`,
    });
  return decl;
}

function containersDeclaration(containers: LiveContainer[], siteKey: string, defaults: ModelDefaults, annotations: Annotation[]): Record<string, unknown> | undefined {
  const configured = containers.filter((c) => c.matomoConfiguration);
  for (const c of containers.filter((x) => !x.matomoConfiguration))
    annotations.push({ path: ["sites", siteKey], kind: "note", text: `Tag Manager container "${c.name}" (${c.idContainer}) has no Matomo Configuration variable: not declared (declaring it would create one)` });
  if (!configured.length) return undefined;
  const trackerDefaults = (defaults.container?.matomoConfiguration ?? {}) as Record<string, unknown>;
  const keys = keysByName(configured, (c) => c.name, (c) => `container-${c.idContainer}`);
  const out: Record<string, unknown> = {};
  configured.forEach((c, i) => {
    const decl: Record<string, unknown> = { name: c.name, idContainer: c.idContainer };
    const settings: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(c.matomoConfiguration!.settings)) {
      if (value === undefined || (trackerDefaults[field] !== undefined && sameValue(field, value, trackerDefaults[field]))) continue;
      settings[field] = value;
    }
    if (Object.keys(settings).length) decl.matomoConfiguration = settings;
    // The Matomo tag is the analytics tag itself; the others are declared for the rule pack to judge.
    const others = c.tags.filter((t) => t.type !== "Matomo");
    if (others.length) {
      const tagKeys = keysByName(others, (t) => t.name, (t) => `tag-${t.id}`);
      const tags: Record<string, unknown> = {};
      others.forEach((t, j) => {
        tags[tagKeys[j]] = { name: t.name, type: t.type, firesWithoutConsent: true };
        annotations.push({ path: ["sites", siteKey, "tagManager", "containers", keys[i], "tags", tagKeys[j], "firesWithoutConsent"], kind: "todo", text: `${NOT_READABLE} (whether this tag waits for consent; taken as firing without it until someone says otherwise)` });
      });
      decl.tags = tags;
    }
    out[keys[i]] = decl;
  });
  return out;
}

function tagsDeclaration(tags: LiveTag[], defaults: ModelDefaults): Record<string, unknown> {
  const tagDefaults = defaults.tag ?? {};
  const keys = keysByName(tags, (t) => t.name, (t) => `tag-${t.tagId.slice(0, 8)}`);
  const out: Record<string, unknown> = {};
  tags.forEach((t, i) => {
    const decl: Record<string, unknown> = { name: t.name, template: t.template, consentType: t.consentType, tagId: t.tagId };
    if (tagDefaults.active === undefined || t.active !== tagDefaults.active) decl.active = t.active;
    if (t.templateOptions && Object.keys(t.templateOptions).length) decl.templateOptions = { ...t.templateOptions };
    out[keys[i]] = decl;
  });
  return out;
}

function accessDeclaration(
  declared: Array<{ site: LiveSite; key: string }>,
  sites: Record<string, Record<string, unknown>>,
  kind: InstanceKind,
  defaults: ModelDefaults,
  annotations: Annotation[],
): Record<string, unknown> | undefined {
  const access: Record<string, unknown> = {};
  const publicStatsDeclarable = "publicStats" in ((defaults.instance.access as Record<string, unknown>) ?? {});
  const grants = new Map<string, Map<string, string>>();
  const publicSites: string[] = [];
  for (const { site, key } of declared) {
    for (const [principal, role] of Object.entries(site.access)) {
      if (principal === ANONYMOUS && publicStatsDeclarable && role === "view") publicSites.push(key);
      else {
        const m = grants.get(principal) ?? new Map<string, string>();
        m.set(key, role);
        grants.set(principal, m);
      }
    }
  }
  if (publicSites.length && publicSites.length === declared.length) access.publicStats = true;
  else for (const key of publicSites) sites[key].publicStats = true;

  const order = ROLE_ORDER[kind];
  const allKeys = declared.map((d) => d.key);
  const users: Record<string, unknown> = {};
  for (const principal of [...grants.keys()].sort()) {
    const bySite = grants.get(principal)!;
    const byRole = new Map<string, string[]>();
    for (const key of allKeys) {
      const role = bySite.get(key);
      if (role) byRole.set(role, [...(byRole.get(role) ?? []), key]);
    }
    // One role per user: the one on most sites, the least powerful on a tie.
    const [role, roleSites] = [...byRole].sort((a, b) => b[1].length - a[1].length || rank(order, a[0]) - rank(order, b[0]))[0];
    users[principal] = { role, sites: roleSites.length === allKeys.length ? "all" : roleSites };
    const others = [...byRole].filter(([r]) => r !== role);
    if (others.length)
      annotations.push({
        path: ["access", "users", principal],
        kind: "todo",
        text: `TODO: also ${others.map(([r, s]) => `${r} on ${s.join(", ")}`).join("; ")}: Exempt gives a user one role per instance, so plans show these grants as undeclared access (revoked only with access.revokeUndeclared and --prune)`,
      });
  }
  if (Object.keys(users).length) access.users = users;
  return Object.keys(access).length ? access : undefined;
}

function privacyDeclaration(live: LiveInstance, kind: InstanceKind, defaults: ModelDefaults, annotations: Annotation[]): Record<string, unknown> {
  const privacy: Record<string, unknown> = {};
  const fallback = (defaults.instance.privacy ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...PRIVACY_FIELDS[kind], ...Object.keys(live.privacy)])].filter((f) => defaults.privacyFields.has(f));
  for (const field of fields) {
    const value = live.privacy[field];
    if (value !== undefined && value !== null) {
      if (fallback[field] === undefined && isEmpty(value)) continue;
      privacy[field] = Array.isArray(value) ? [...value] : value;
    } else if (live.privacyUnknown[field] && fallback[field] !== undefined) {
      // The compliant default, written out so the person confirming it sees what apply will write.
      privacy[field] = fallback[field];
      annotations.push({ path: ["privacy", field], kind: "todo", text: NOT_READABLE });
    }
  }
  return privacy;
}

function rank(order: readonly string[], role: string): number {
  const i = order.indexOf(role);
  return i < 0 ? order.length : i;
}

function isEmpty(value: unknown): boolean {
  return value === "" || (Array.isArray(value) && value.length === 0);
}

/** Removes what a document path points at, and says what it was (undefined when absent). */
function removeAt(root: Record<string, unknown>, path: readonly Segment[]): unknown {
  let node: unknown = root;
  for (const seg of path.slice(0, -1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[seg as string];
  }
  const last = path[path.length - 1];
  if (Array.isArray(node) && typeof last === "number") return last < node.length ? node.splice(last, 1)[0] : undefined;
  if (node === null || typeof node !== "object" || !(String(last) in (node as object))) return undefined;
  const value = (node as Record<string, unknown>)[String(last)];
  delete (node as Record<string, unknown>)[String(last)];
  return value;
}
