import type { ApplyOutcome, Change, InstancePlan, LiveInstance, LiveSite, SiteOutcome, SitePlan } from "../../engine/types";
import type { PiwikProApp, PiwikProTag } from "../../model/piwikpro";
import type { PiwikProClient } from "./client";
import { createAppChecked, createTagChecked, type CreateSettings } from "./creates";
import { errorText } from "./errors";
import { mapLimited, settle } from "../common/limit";
import {
  appAttributesFor,
  appAttributesForCreate,
  isAppField,
  isPrivacyField,
  permissionOf,
  tagCreateAttributes,
  tagUpdateAttributes,
  trackerAttributesFor,
  trackerSettingOf,
  type PrivacyField,
} from "./mapping";
import { publishAndWait, type PublishSettings } from "./publish";

/**
 * Executes a plan's writes. The account-wide privacy settings go first (one PATCH); then each
 * app on its own, several at once: a failing app fails only its own outcome. Within an app, the
 * independent writes (attributes, override resets, permissions, tags) run side by side, and the
 * draft is published once its tags are written. Nothing is deleted but apps whose plan says
 * `delete`, and only with prune; tags are never deleted, and their template never changed.
 */
export interface ApplyContext {
  instanceId: string;
  concurrency: number;
  create: CreateSettings;
  publish: PublishSettings;
  log: (message: string) => void;
}

export async function applyPiwikPro(client: PiwikProClient, plan: InstancePlan, live: LiveInstance, options: { prune: boolean }, ctx: ApplyContext): Promise<ApplyOutcome> {
  const instance = await applyInstance(client, plan);
  const knownAppIds = new Set(live.sites.map((s) => s.productId));
  const work = plan.sites.filter((s) => s.operation !== "none");
  const sites = await mapLimited(work, Math.max(1, ctx.concurrency), (site) => applySite(client, site, live, knownAppIds, options, ctx));
  return { sites, instance };
}

async function applyInstance(client: PiwikProClient, plan: InstancePlan): Promise<ApplyOutcome["instance"]> {
  const wanted: Partial<Record<PrivacyField, unknown>> = {};
  const fields: string[] = [];
  const unknown: string[] = [];
  const take = (field: string, desired: unknown) => {
    const name = field.replace(/^privacy\./, "");
    if (field.startsWith("privacy.") && isPrivacyField(name)) {
      wanted[name] = desired;
      fields.push(field);
    } else unknown.push(field);
  };
  for (const change of plan.instanceChanges) if (!change.blockedBy) take(change.field, change.desired);
  // Settings a reading could not observe are written again (none today: Piwik PRO shows all four).
  for (const r of plan.reassert) if (r.enforced) take(r.field, r.desired);
  if (fields.length === 0 && unknown.length === 0) return { ok: true, wrote: [] };
  const errors = unknown.map((f) => `${f} is not an account-wide setting Exempt can write on Piwik PRO`);
  if (fields.length) {
    try {
      await client.updateGlobalSettings(trackerAttributesFor(wanted));
    } catch (err) {
      errors.push(errorText(err));
      return { ok: false, wrote: [], error: errors.join("; ") };
    }
  }
  return errors.length ? { ok: false, wrote: fields, error: errors.join("; ") } : { ok: true, wrote: fields };
}

function tagKeyOf(field: string): { key: string; attribute?: "consentType" | "active" } | undefined {
  const m = /^tags\.([^.]+)(?:\.(consentType|active))?$/.exec(field);
  return m ? { key: m[1], attribute: m[2] as "consentType" | "active" | undefined } : undefined;
}

async function applySite(client: PiwikProClient, site: SitePlan, live: LiveInstance, knownAppIds: ReadonlySet<string>, options: { prune: boolean }, ctx: ApplyContext): Promise<SiteOutcome> {
  const desired = site.desired as PiwikProApp;
  const wrote: string[] = [];
  const errors: string[] = [];
  let appId = site.productId ?? site.live?.productId;
  const label = () => `'${site.siteKey}' (${appId ?? "new"})`;

  if (site.operation === "delete") {
    if (!options.prune || !appId) return { siteKey: site.siteKey, ok: false, productId: appId, wrote, error: "not deleted: deleting an app needs --prune" };
    try {
      const deleted = await client.deleteApp(appId, label());
      wrote.push(deleted ? `deleted app ${appId}` : `app ${appId} was already gone`);
      return { siteKey: site.siteKey, ok: true, productId: appId, wrote };
    } catch (err) {
      return { siteKey: site.siteKey, ok: false, productId: appId, wrote, error: errorText(err) };
    }
  }

  const changes = site.changes.filter((c) => !c.blockedBy);
  if (site.operation === "create") {
    try {
      const created = await createAppChecked(client, desired, appAttributesForCreate(desired), knownAppIds, label(), ctx.create);
      appId = created.resource.id;
      wrote.push(`created app ${appId}${created.found ? " (found after its answer was lost)" : ""}`);
    } catch (err) {
      return { siteKey: site.siteKey, ok: false, wrote, error: errorText(err) };
    }
  }
  const id = appId as string;

  const appFields = site.operation === "update" ? changes.filter((c) => c.area === "site" && isAppField(c.field)).map((c) => c.field) : [];
  const overrides = changes.filter((c) => c.area === "site" && c.field.startsWith("privacyOverride."));
  const access = changes.filter((c) => c.area === "access");
  const tagChanges = changes.filter((c) => c.area === "tagmanager");
  const handled = new Set([...appFields, ...overrides.map((c) => c.field), ...access.map((c) => c.field), ...tagChanges.map((c) => c.field), "(site)"]);
  for (const c of changes) if (!handled.has(c.field)) errors.push(`${c.field}: not a change Exempt can write on Piwik PRO`);

  const groups = await settle([
    (async () => {
      if (!appFields.length) return;
      await client.updateApp(id, appAttributesFor(desired, appFields), label());
      wrote.push(...appFields);
    })(),
    ...overrides.map(async (c) => {
      const field = c.field.slice("privacyOverride.".length);
      if (!isPrivacyField(field)) throw new Error(`${c.field}: not a tracker setting Exempt knows`);
      await client.resetAppSetting(id, trackerSettingOf(field), label());
      wrote.push(`${c.field} reset to the account-wide value`);
    }),
    ...access.map(async (c) => {
      await setAccess(client, id, label(), c, live);
      wrote.push(`${c.field} → ${String(c.desired)}`);
    }),
    applyTags(client, id, label(), desired, site.live, tagChanges, wrote, ctx),
  ]);
  for (const g of groups) if (!g.ok) errors.push(errorText(g.error));
  return errors.length ? { siteKey: site.siteKey, ok: false, productId: id, wrote, error: errors.join("; ") } : { siteKey: site.siteKey, ok: true, productId: id, wrote };
}

async function setAccess(client: PiwikProClient, appId: string, label: string, change: Change, live: LiveInstance): Promise<void> {
  const email = change.field.slice("access.".length);
  const principal = live.principals.find((p) => p.id.toLowerCase() === email.toLowerCase());
  if (!principal?.userId)
    throw new Error(`access.${email}: no user ${email} in the Piwik PRO organization. Exempt does not invite users: invite them in Piwik PRO (Administration > Users), then run apply again`);
  if (principal.superuser) throw new Error(`access.${email}: ${email} is an owner of the organization, who holds every permission; Piwik PRO cannot restrict an owner per app`);
  await client.setPermission(appId, principal.userId, permissionOf(String(change.desired)), label);
}

/** Creates and edits the declared tags, then publishes the draft once if anything was written. */
async function applyTags(client: PiwikProClient, appId: string, label: string, app: PiwikProApp, live: LiveSite | undefined, changes: Change[], wrote: string[], ctx: ApplyContext): Promise<void> {
  if (!changes.length) return;
  const byKey = new Map<string, { create: boolean; edit: { consentType?: string; active?: boolean } }>();
  // The draft already holds changes (a publish that failed earlier): publishing is the whole fix.
  const republish = changes.some((c) => c.field === "tags.(draft)");
  for (const c of changes) {
    if (c.field === "tags.(draft)") continue;
    const parsed = tagKeyOf(c.field);
    if (!parsed) continue;
    const entry = byKey.get(parsed.key) ?? { create: false, edit: {} };
    if (!parsed.attribute) entry.create = true;
    else if (parsed.attribute === "consentType") entry.edit.consentType = String(c.desired);
    else entry.edit.active = Boolean(c.desired);
    byKey.set(parsed.key, entry);
  }
  const knownTagIds = new Set((live?.tags ?? []).map((t) => t.tagId));
  let written = 0;
  const results = await settle(
    [...byKey].map(async ([key, entry]) => {
      const declared: PiwikProTag | undefined = app.tags[key];
      if (!declared) throw new Error(`tags.${key}: not declared`);
      if (entry.create) {
        const created = await createTagChecked(client, appId, declared, tagCreateAttributes(declared), knownTagIds, label, ctx.create);
        wrote.push(`tags.${key} created (${created.resource.id})${created.found ? " (found after its answer was lost)" : ""}`);
      } else {
        // The same match as the engine's diff: the declared tag id, else the name.
        const liveTag = (live?.tags ?? []).find((t) => (declared.tagId ? t.tagId === declared.tagId : t.name === declared.name));
        if (!liveTag) throw new Error(`tags.${key}: the tag "${declared.name}" is no longer in app ${label}`);
        await client.updateTag(appId, liveTag.tagId, tagUpdateAttributes(entry.edit), label);
        wrote.push(...Object.keys(entry.edit).map((a) => `tags.${key}.${a}`));
      }
      written++;
    }),
  );
  const failures = results.filter((r) => !r.ok).map((r) => errorText((r as { error: unknown }).error));
  if (written > 0 || republish) {
    if (app.publishTags) {
      try {
        const published = await publishAndWait(client, appId, label, ctx.publish);
        wrote.push(published.outcome === "completed" ? `published the Tag Manager draft (operation ${published.operationId})` : "the Tag Manager draft was already published");
      } catch (err) {
        failures.push(errorText(err));
      }
    } else wrote.push("tag changes left in the Tag Manager draft (publishTags: false)");
  }
  if (failures.length) throw new Error(failures.join("; "));
}
