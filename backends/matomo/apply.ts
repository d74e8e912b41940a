import type { ApplyOutcome, Change, InstancePlan, LiveInstance } from "../../engine/types";
import type { MatomoPrivacy, MatomoSite } from "../../model/matomo";
import type { MatomoClient } from "./client";
import { containerOps, newContainers, prepareTagManager, versionContainers } from "./containers";
import { csv } from "./encoding";
import { errorText } from "./errors";
import { sleep } from "../common/limit";
import { ANONYMIZE_FIELDS, ANONYMOUS, UNOBSERVABLE_PRIVACY_FIELDS, anonymizeIpParams, deleteLogsParams, doNotTrackMethod, NO_ACCESS, readInt, ROLES, siteWriteParams } from "./mapping";
import type { ContainerWork } from "./containers";
import type { ApiCall } from "./client";
import { fail, label, runOps, siteChanges, type ApplyContext, type InstanceWork, type Op, type SiteWork } from "./work";

export type { ApplyContext } from "./work";
export { versionName, readContainersOf } from "./containers";

/**
 * Executes an engine plan in phases, each phase a few bulk requests:
 *   1. creates (`addSite` with the full desired state), verified before any retry;
 *   2. site updates (full state), access, privacy re-assertions, global lists, Tag Manager
 *      variables and containers;
 *   3. a new version of each container that changed, published to `live` when declared so;
 *   4. deletes, only of sites planned `delete`, with --prune and deletion protection off.
 * A failing sub-request fails its own site's outcome; everything else goes on.
 */

/** Site creates are slow on a real Matomo (each also makes a Tag Manager container): smaller chunks keep each request well inside the timeout. */
export const CREATE_CHUNK = 100;

export async function applyMatomoPlan(client: MatomoClient, plan: InstancePlan, live: LiveInstance, options: { prune: boolean }, ctx: ApplyContext): Promise<ApplyOutcome> {
  const inst: InstanceWork = { wrote: [], errors: [] };
  const liveById = new Map(live.sites.map((s) => [s.productId, s]));
  const works: SiteWork[] = plan.sites.map((p) => {
    const idSite = p.productId ?? p.live?.productId;
    return {
      plan: p,
      desired: p.desired as MatomoSite,
      idSite,
      live: p.live ?? (idSite ? liveById.get(idSite) : undefined),
      outcome: { siteKey: p.siteKey, ok: true, productId: idSite, wrote: [] },
      errors: [],
    };
  });
  const finish = (): ApplyOutcome => {
    for (const w of works) {
      w.outcome.productId = w.idSite;
      if (w.errors.length) w.outcome.error = w.errors.join("; ");
    }
    return {
      sites: works.map((w) => w.outcome),
      instance: { ok: inst.errors.length === 0, wrote: inst.wrote, ...(inst.errors.length ? { error: inst.errors.join("; ") } : {}) },
    };
  };

  if (plan.product !== "matomo") {
    inst.errors.push(`Matomo instance '${ctx.instanceId}': the plan is for ${plan.product}, not matomo; nothing was written`);
    return finish();
  }
  // A problem tied to a site stops that site; one without a site stops the whole instance.
  const instanceProblems = plan.problems.filter((p) => !p.siteKey);
  if (instanceProblems.length > 0) {
    inst.errors.push(`Matomo instance '${ctx.instanceId}': nothing was written because the plan has problems: ${instanceProblems.map((p) => p.message).join("; ")}`);
    for (const w of works) if (w.plan.operation !== "none" || w.plan.changes.length) fail(w, "not applied: the plan has problems");
    return finish();
  }
  for (const p of plan.problems) {
    for (const w of works) if (w.plan.siteKey === p.siteKey && w.outcome.ok) fail(w, `not applied: ${p.message}`);
  }
  const runnable = works.filter((w) => w.outcome.ok);

  try {
    await createSites(client, runnable, live, ctx);
    const tm = await prepareTagManager(client, runnable, live, ctx);
    await phaseTwo(client, runnable, plan, inst, tm, ctx);
    await newContainers(client, tm, ctx);
    await versionContainers(client, tm, ctx);
    await deleteSites(client, runnable, options, ctx);
  } catch (err) {
    // Only a fatal error (refused token, lockout) or a bug gets here: nothing more is sent.
    inst.errors.push(errorText(err));
    for (const w of works) if (w.outcome.ok && (w.plan.operation !== "none" || w.plan.changes.length)) fail(w, `stopped: ${errorText(err)}`);
  }
  return finish();
}

// ---------------------------------------------------------------------------------------------
// Phase 1: creates

async function createSites(client: MatomoClient, works: SiteWork[], live: LiveInstance, ctx: ApplyContext): Promise<void> {
  let pending = works.filter((w) => w.plan.operation === "create");
  const known = new Set(live.sites.map((s) => s.productId));
  for (let attempt = 0; pending.length > 0; attempt++) {
    const results = await client.bulk(
      pending.map((w) => ({ method: "SitesManager.addSite", params: siteWriteParams(w.desired), site: w.plan.siteKey, retrySafe: false })),
      { chunkSize: CREATE_CHUNK },
    );
    const unknown: SiteWork[] = [];
    pending.forEach((w, i) => {
      const r = results[i];
      if (r.ok) {
        const id = readInt((r.value as { value?: unknown })?.value);
        if (id === undefined) return fail(w, `SitesManager.addSite for site ${w.plan.siteKey} answered no idSite (${JSON.stringify(r.value)})`);
        w.idSite = String(id);
        known.add(w.idSite);
        w.outcome.wrote.push(`SitesManager.addSite (idSite ${id})`);
      } else if (r.error.outcomeUnknown) unknown.push(w);
      else fail(w, r.error);
    });
    if (unknown.length === 0) return;
    // The answer was lost: the site may exist now. Look before sending the create again, so no
    // duplicate is ever made; look twice, the second time after the server had time to finish.
    let missing = await findCreated(client, unknown, known, ctx);
    if (missing.length > 0) {
      // A request that timed out may still be running on the server: give it time to finish
      // before concluding that the missing sites were not made.
      await sleep(Math.max(ctx.backoffBaseMs, Math.min(ctx.timeoutMs, 10_000)));
      missing = await findCreated(client, missing, known, ctx);
    }
    if (attempt >= ctx.retries) {
      for (const w of missing) fail(w, `SitesManager.addSite for site ${w.plan.siteKey}: no answer after ${attempt + 1} attempts, and the site cannot be found by its URL; it was not created`);
      return;
    }
    pending = missing;
    if (pending.length) ctx.log(`Matomo instance '${ctx.instanceId}': sending ${pending.length} site create(s) again after checking they did not happen`);
  }
}

/** Finds sites created by a lost `addSite` by their main URL; returns those still missing. */
async function findCreated(client: MatomoClient, works: SiteWork[], known: Set<string>, ctx: ApplyContext): Promise<SiteWork[]> {
  const results = await client.bulk(works.map((w) => ({ method: "SitesManager.getSitesIdFromSiteUrl", params: { url: w.desired.urls[0] }, site: w.plan.siteKey, retrySafe: true })));
  const missing: SiteWork[] = [];
  works.forEach((w, i) => {
    const r = results[i];
    if (!r.ok) return fail(w, `SitesManager.addSite for site ${w.plan.siteKey} got no answer, and checking whether it happened failed too (${errorText(r.error)}); not sent again, to avoid a duplicate`);
    const ids = (Array.isArray(r.value) ? r.value : [])
      .map((row) => readInt((row as { idsite?: unknown })?.idsite))
      .filter((id): id is number => id !== undefined && !known.has(String(id)))
      .sort((a, b) => a - b);
    if (ids.length === 0) return void missing.push(w);
    w.idSite = String(ids[0]);
    known.add(w.idSite);
    w.outcome.wrote.push(`SitesManager.addSite (idSite ${ids[0]}; the answer was lost, the site was found by its URL)`);
    if (ids.length > 1) ctx.log(`Matomo instance '${ctx.instanceId}': site ${w.plan.siteKey}: several new sites match ${w.desired.urls[0]} (${ids.join(", ")}); using ${ids[0]}`);
  });
  return missing;
}

// ---------------------------------------------------------------------------------------------
// Phase 2: updates, access, privacy, globals, Tag Manager variables and new containers

/** `access.alice`, `access.users.alice`, `users.alice` or `alice` → alice. */
export function principalOfChange(change: Change): string | undefined {
  if (change.field === "publicStats" || change.field === "access.publicStats") return ANONYMOUS;
  const parts = change.field.split(".");
  const rest = parts[0] === "access" ? parts.slice(1) : parts;
  const tail = rest[0] === "users" ? rest.slice(1) : rest;
  return tail.length === 1 && tail[0] ? tail[0] : tail.length > 1 ? tail.join(".") : undefined;
}

/** The role a change asks for: a role, or `noaccess` for a revocation. */
export function roleOfChange(change: Change): string | undefined {
  const d = change.desired;
  if (change.field === "publicStats" || change.field === "access.publicStats") return d === true ? "view" : NO_ACCESS;
  const value = d !== null && typeof d === "object" && "role" in d ? (d as { role?: unknown }).role : d;
  if (value === undefined || value === null || value === false || value === NO_ACCESS || value === "none") return NO_ACCESS;
  return typeof value === "string" && (ROLES as readonly string[]).includes(value) ? value : undefined;
}

function field(name: string): string {
  return name.replace(/^privacy\./, "");
}

async function phaseTwo(client: MatomoClient, works: SiteWork[], plan: InstancePlan, inst: InstanceWork, tm: ContainerWork[], ctx: ApplyContext): Promise<void> {
  const ops: Op[] = [];

  // Site updates: the full state, because updateSite empties every list field it is not sent.
  for (const w of works) {
    if (w.plan.operation !== "update" || !w.outcome.ok || !w.idSite) continue;
    const changed = siteChanges(w, "site").filter((c) => c.field !== "publicStats");
    if (changed.length === 0) continue;
    if (!w.live) {
      fail(w, `SitesManager.updateSite for site ${label(w)}: its live state is not known, and an update without it would empty the list fields Exempt does not manage; not sent`);
      continue;
    }
    ops.push({
      call: { method: "SitesManager.updateSite", params: { idSite: Number(w.idSite), ...siteWriteParams(w.desired, w.live) }, site: label(w), retrySafe: true },
      work: w,
      what: `SitesManager.updateSite (${[...new Set(changed.map((c) => c.field))].join(", ")})`,
    });
  }

  // Access: one setUserAccess per login and role, listing every site it applies to.
  const groups = new Map<string, { login: string; role: string; works: SiteWork[] }>();
  for (const w of works) {
    if ((w.plan.operation !== "update" && w.plan.operation !== "create") || !w.outcome.ok || !w.idSite) continue;
    const changes = [...siteChanges(w, "access"), ...siteChanges(w, "site").filter((c) => c.field === "publicStats")];
    for (const c of changes) {
      const login = principalOfChange(c);
      const role = roleOfChange(c);
      if (!login || !role) {
        fail(w, `access change ${c.field} → ${JSON.stringify(c.desired)}: not a Matomo login and role Exempt can write`);
        continue;
      }
      if (login === ANONYMOUS && role !== "view" && role !== NO_ACCESS) {
        fail(w, `anonymous can only be given view or noaccess, not ${role}`);
        continue;
      }
      const k = `${login}\u0000${role}`;
      const g = groups.get(k) ?? { login, role, works: [] };
      if (!g.works.includes(w)) g.works.push(w);
      groups.set(k, g);
    }
  }
  const accessOps: Op[] = [];
  const splitAgain: Op[] = [];
  const accessCall = (login: string, role: string, sites: SiteWork[]): ApiCall => ({
    method: "UsersManager.setUserAccess",
    // idSites as one comma-separated value: an array would spend one PHP input variable per site.
    params: { userLogin: login, access: role, idSites: sites.map((w) => w.idSite).join(",") },
    site: sites.length === 1 ? label(sites[0]) : undefined,
    retrySafe: true,
  });
  for (const g of groups.values()) {
    const what = `UsersManager.setUserAccess ${g.login} ${g.role}`;
    accessOps.push({
      call: accessCall(g.login, g.role, g.works),
      work: g.works,
      what,
      onError: (err) => {
        if (g.works.length === 1 || err.kind !== "api") return g.works.forEach((w) => fail(w, err));
        for (const w of g.works) splitAgain.push({ call: accessCall(g.login, g.role, [w]), work: w, what });
      },
    });
  }

  // Privacy: re-asserted on every apply, since Matomo cannot read it back; with a database observer
  // the same settings arrive as observed differences instead, and take the same setters.
  const reassert = new Map(plan.reassert.filter((r) => r.enforced).map((r) => [field(r.field), r.desired]));
  const observedPrivacy = new Set(plan.instanceChanges.filter((c) => !c.blockedBy && (UNOBSERVABLE_PRIVACY_FIELDS as readonly string[]).includes(field(c.field))));
  for (const c of observedPrivacy) reassert.set(field(c.field), c.desired);
  const privacy: MatomoPrivacy = { ...ctx.instance.privacy };
  for (const [k, v] of reassert) if (k in privacy && v !== undefined) (privacy as Record<string, unknown>)[k] = v;
  if (ANONYMIZE_FIELDS.some((f) => reassert.has(f)))
    ops.push({ call: { method: "PrivacyManager.setAnonymizeIpSettings", params: anonymizeIpParams(privacy), retrySafe: true }, what: `PrivacyManager.setAnonymizeIpSettings (mask ${privacy.ipMaskBytes} bytes, referrer ${privacy.referrer})` });
  if (reassert.has("doNotTrack")) ops.push({ call: { method: doNotTrackMethod(privacy.doNotTrack), retrySafe: true }, what: doNotTrackMethod(privacy.doNotTrack) });
  if (reassert.has("rawDataRetentionMonths")) {
    if (ctx.password)
      ops.push({
        call: { method: "PrivacyManager.setDeleteLogsSettings", params: deleteLogsParams(privacy.rawDataRetentionMonths, ctx.password), retrySafe: true },
        what: `PrivacyManager.setDeleteLogsSettings (${privacy.rawDataRetentionMonths === "unlimited" ? "off" : `${privacy.rawDataRetentionMonths} months`})`,
      });
    else ctx.log(`Matomo instance '${ctx.instanceId}': retention is not enforced: no account password (auth.passwordEnv)`);
  }

  // Instance-wide lists.
  for (const c of plan.instanceChanges) {
    if (c.blockedBy || observedPrivacy.has(c)) continue;
    if (field(c.field) === "globalExcludedQueryParameters") {
      const list = Array.isArray(c.desired) ? (c.desired as string[]) : (ctx.instance.privacy.globalExcludedQueryParameters ?? []);
      // Matomo reads "" as "not sent" (an error for this setter); "," stores the empty list.
      ops.push({ call: { method: "SitesManager.setGlobalExcludedQueryParameters", params: { excludedQueryParameters: list.length ? csv(list) : "," }, retrySafe: true }, what: "SitesManager.setGlobalExcludedQueryParameters" });
    } else inst.errors.push(`Matomo instance '${ctx.instanceId}': the instance change ${c.field} has no Matomo setter; not applied`);
  }

  // Tag Manager: variables of existing containers, and the containers to create.
  ops.push(...containerOps(tm, ctx));

  await runOps(client, [...ops, ...accessOps], inst);
  // A grouped access write that failed is sent again per site, so that one bad site fails alone.
  if (splitAgain.length) await runOps(client, splitAgain, inst);
}

// ---------------------------------------------------------------------------------------------
// Phase 4: deletes

async function deleteSites(client: MatomoClient, works: SiteWork[], options: { prune: boolean }, ctx: ApplyContext): Promise<void> {
  const ops: Op[] = [];
  for (const w of works) {
    if (w.plan.operation !== "delete") continue;
    // The engine decides; a deletion is irreversible, so the conditions are checked here again.
    if (w.plan.blockedBy) continue;
    const refusal = !options.prune
      ? "the run has no --prune"
      : w.desired.remove !== true
        ? "the site is not declared with remove: true"
        : w.desired.deletionProtection !== false
          ? "deletionProtection is not false"
          : !w.idSite
            ? "its idSite is unknown"
            : undefined;
    if (refusal) {
      fail(w, `not deleted: ${refusal}`);
      continue;
    }
    ops.push({
      call: { method: "SitesManager.deleteSite", params: { idSite: Number(w.idSite) }, site: label(w), retrySafe: true },
      work: w,
      what: `SitesManager.deleteSite (idSite ${w.idSite})`,
      // A delete sent again after a lost answer finds the site gone: that is the goal.
      tolerate: (err) => (/not found/i.test(err.matomoMessage ?? "") ? "it was already gone" : undefined),
    });
  }
  if (ops.length) ctx.log(`Matomo instance '${ctx.instanceId}': deleting ${ops.length} site(s) (--prune)`);
  await runOps(client, ops, undefined);
}
