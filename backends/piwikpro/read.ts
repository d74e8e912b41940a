import type { LiveInstance, LivePrincipal, LiveSite, LiveTag } from "../../engine/types";
import { urlIdentity } from "../../model/config";
import type { PiwikProInstance } from "../../model/piwikpro";
import type { UnknownField } from "../../policies/types";
import type { PiwikProClient, Resource } from "./client";
import type { AppAttributes } from "./responses";
import { mapLimited } from "../common/limit";
import { appSettingsOf, directPermissionOf, isOwnerRole, liveTagOf, privacyOf, privacyOverridesOf, roleOf, tagNeedsFullRead } from "./mapping";
import { unconfirmedNotes } from "./unconfirmed";

/**
 * Reads a whole Piwik PRO account. The API has no bulk reads, so the cost is a few calls per app,
 * kept to what the engine and the rule pack need:
 *   - once: the global tracker settings, the users, the app list (1000 apps a page);
 *   - per app, all at once: the app in full (the list has only names), its tracker settings (for
 *     overrides), its tags, and its permissions when the organization has non-owner users;
 *   - per `piwik` tag: the tag in full, for its template options.
 * Every request goes through one limiter, and apps are started ahead of it, so the configured
 * concurrency stays busy until the last app.
 */
export interface ReadContext {
  instanceId: string;
  instance: PiwikProInstance;
  /** Declared site keys to read in full (`--only instance/site`); the others are only identified. */
  onlySites?: string[];
  concurrency: number;
  /** Check every app's draft, not only those of apps declared with tags to publish (import). */
  allTagDrafts?: boolean;
}

export const VERSION_TEXT = "Piwik PRO (the API reports no version)";

interface AppReading {
  app: Resource<AppAttributes>;
  /** The Tag Manager draft holds changes not yet published (read for apps that declare tags to publish). */
  unpublished?: boolean;
  settings?: Awaited<ReturnType<PiwikProClient["getAppSettings"]>>;
  tags?: LiveTag[];
  permissions?: Awaited<ReturnType<PiwikProClient["listPermissions"]>>;
}

export function appLabel(name: string | undefined, appId: string): string {
  return name ? `"${name}" (${appId})` : appId;
}

export async function readPiwikPro(client: PiwikProClient, ctx: ReadContext): Promise<LiveInstance> {
  const [global, users, apps] = await Promise.all([client.getGlobalSettings(), client.listUsers(), client.listApps()]);
  const notes: string[] = unconfirmedNotes();

  // UNCONFIRMED (owners): owners hold every permission and the permission lists leave them out,
  // so without any other user every list would be empty: not reading them saves a call per app.
  const needPermissions = users.some((u) => !isOwnerRole(u.attributes.role));
  const emailOf = new Map(users.map((u) => [u.id, u.attributes.email]));
  const scope = scopeOf(ctx);

  const readDetails = async (appId: string, label: string): Promise<Omit<AppReading, "app">> => {
    const [settings, tags, permissions] = await Promise.all([
      client.getAppSettings(appId, label),
      readTags(client, appId, label),
      needPermissions ? client.listPermissions(appId, label) : undefined,
    ]);
    return { settings, tags, permissions };
  };

  const width = Math.max(1, ctx.concurrency * 2);
  let readings: AppReading[];
  if (!scope) {
    readings = await mapLimited(apps, width, async (item) => {
      const label = appLabel(item.attributes.name, item.id);
      const [app, details] = await Promise.all([client.getApp(item.id, label), readDetails(item.id, label)]);
      return { app, ...details };
    });
  } else {
    // Identity needs each app's URLs, unless every selected declaration names its app id.
    const wanted = scope.identities.size === 0 ? apps.filter((a) => scope.ids.has(a.id.toLowerCase())) : apps;
    const identified = await mapLimited(wanted, width, async (item) => ({ app: await client.getApp(item.id, appLabel(item.attributes.name, item.id)) }));
    readings = await mapLimited(identified, width, async (r): Promise<AppReading> => {
      const selected = scope.ids.has(r.app.id.toLowerCase()) || (r.app.attributes.urls ?? []).some((u) => scope.identities.has(urlIdentity(u)));
      return selected ? { ...r, ...(await readDetails(r.app.id, appLabel(r.app.attributes.name, r.app.id))) } : r;
    });
  }

  // A publish that failed or timed out leaves the changes in the draft, where the next plan's diff
  // cannot see them: for apps that declare tags to publish, the draft itself is checked.
  const publishing = publishingDeclarations(ctx);
  if (ctx.allTagDrafts || publishing.ids.size || publishing.identities.size) {
    await mapLimited(
      readings.filter((r) => r.tags && (ctx.allTagDrafts ? r.tags.length > 0 : publishing.ids.has(r.app.id.toLowerCase()) || publishing.identities.has(urlIdentity((r.app.attributes.urls ?? [""])[0] ?? "")))),
      width,
      async (r) => {
        r.unpublished = await client.draftHasChanges(r.app.id, appLabel(r.app.attributes.name, r.app.id));
      },
    );
  }

  const { privacy, missing } = privacyOf(global);
  const privacyUnknown: Record<string, UnknownField> = {};
  for (const field of missing) privacyUnknown[field] = { why: "not-observable", enforcedOnApply: true, note: `absent from the answer of GET /api/tracker/v2/settings/app/global` };

  const sites = readings.map((r) => liveSiteOf(r, privacy, emailOf, notes));
  const principals: LivePrincipal[] = users.map((u) => ({ id: u.attributes.email, userId: u.id, superuser: isOwnerRole(u.attributes.role) }));
  return {
    product: "piwikpro",
    version: VERSION_TEXT,
    privacy,
    privacyUnknown,
    privacyEvidence: Object.fromEntries(Object.keys(privacy).map((f) => [f, "api" as const])),
    globals: {},
    sites,
    principals,
    notes,
    readAt: new Date().toISOString(),
  };
}

async function readTags(client: PiwikProClient, appId: string, label: string): Promise<LiveTag[]> {
  const listed = await client.listTags(appId, label);
  return Promise.all(
    listed.map(async (t) => {
      if (!tagNeedsFullRead(t.attributes)) return liveTagOf(t.id, t.attributes);
      const full = await client.getTag(appId, t.id, label);
      return liveTagOf(full.id, full.attributes);
    }),
  );
}

function publishingDeclarations(ctx: ReadContext): { ids: Set<string>; identities: Set<string> } {
  const ids = new Set<string>();
  const identities = new Set<string>();
  for (const [key, site] of Object.entries(ctx.instance.sites)) {
    if (ctx.onlySites?.length && !ctx.onlySites.includes(key)) continue;
    if (!site.publishTags || Object.keys(site.tags).length === 0 || site.remove) continue;
    if (site.appId) ids.add(site.appId.toLowerCase());
    else identities.add(urlIdentity(site.urls[0]));
  }
  return { ids, identities };
}

function scopeOf(ctx: ReadContext): { ids: Set<string>; identities: Set<string> } | undefined {
  if (!ctx.onlySites?.length) return undefined;
  const ids = new Set<string>();
  const identities = new Set<string>();
  for (const key of ctx.onlySites) {
    const site = ctx.instance.sites[key];
    if (!site) continue;
    if (site.appId) ids.add(site.appId.toLowerCase());
    else identities.add(urlIdentity(site.urls[0]));
  }
  return { ids, identities };
}

function liveSiteOf(r: AppReading, globalPrivacy: Record<string, unknown>, emailOf: Map<string, string>, notes: string[]): LiveSite {
  const attributes = r.app.attributes;
  const site: LiveSite = {
    productId: r.app.id,
    name: attributes.name,
    urls: [...(attributes.urls ?? [])],
    settings: appSettingsOf(attributes),
    access: {},
  };
  if (attributes.appType !== undefined) site.productType = attributes.appType;
  if (r.tags) site.tags = r.tags;
  if (r.unpublished !== undefined) site.unpublishedTagChanges = r.unpublished;
  if (r.settings) site.privacyOverrides = privacyOverridesOf(r.settings, globalPrivacy);
  for (const p of r.permissions ?? []) {
    const email = p.email ?? emailOf.get(p.userId);
    if (!email) continue;
    const permission = directPermissionOf(p.attributes);
    if (permission !== "no-access") site.access[email] = roleOf(permission);
    const group = p.attributes.group_permissions;
    if (group?.permission && group.permission !== "no-access")
      notes.push(
        `app ${appLabel(attributes.name, r.app.id)}: ${email} also has '${group.permission}' through user group(s) ${(group.group_names ?? []).join(", ") || "(unnamed)"}; Exempt manages direct user permissions only`,
      );
  }
  return site;
}
