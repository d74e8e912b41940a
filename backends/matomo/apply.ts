import { createHash } from "node:crypto";
import type { ApplyOutcome, Change, InstancePlan, LiveInstance, LiveSite, SiteOutcome, SitePlan } from "../../engine/types";
import type { MatomoContainer, MatomoInstance, MatomoPrivacy, MatomoSite } from "../../model/matomo";
import type { ApiCall, CallResult, MatomoClient } from "./client";
import { csv } from "./encoding";
import { errorText, MatomoError } from "./errors";
import { sleep } from "./limit";
import {
  ANONYMIZE_FIELDS,
  ANONYMOUS,
  anonymizeIpParams,
  deleteLogsParams,
  doNotTrackMethod,
  MATOMO_CONFIGURATION_NAME,
  MATOMO_CONFIGURATION_TYPE,
  matchContainer,
  NO_ACCESS,
  readContainer,
  readInt,
  ROLES,
  siteWriteParams,
  toParamValue,
  trackerConfigDifferences,
  trackerParameters,
  type ReadContainer,
} from "./mapping";
import type { ReadCache } from "./read";

/**
 * Executes an engine plan in phases, each phase a few bulk requests:
 *   1. creates (`addSite` with the full desired state), verified before any retry;
 *   2. site updates (full state), access, privacy re-assertions, global lists, Tag Manager
 *      variables and containers;
 *   3. a new version of each container that changed, published to `live` when declared so;
 *   4. deletes, only of sites planned `delete`, with --prune and deletion protection off.
 * A failing sub-request fails its own site's outcome; everything else goes on.
 */

export interface ApplyContext {
  instanceId: string;
  instance: MatomoInstance;
  /** The account password, for data retention (auth.passwordEnv); undefined when not available. */
  password?: string;
  /** Raw container data of the last read, when `live` came from it. */
  cache?: ReadCache;
  /** The instance base URL, the default `matomoUrl` of a new MatomoConfiguration variable. */
  baseUrl: string;
  /** How many times a create whose outcome is unknown is checked and sent again. */
  retries: number;
  backoffBaseMs: number;
  /** The request timeout: how long a server may still be working on a request we gave up on. */
  timeoutMs: number;
  log: (message: string) => void;
  /** Fixes the version names of this run (tests); default: the time apply starts. */
  runStamp?: string;
}

/** Site creates are slow on a real Matomo (each also makes a Tag Manager container): smaller chunks keep each request well inside the timeout. */
export const CREATE_CHUNK = 100;

interface SiteWork {
  plan: SitePlan;
  desired: MatomoSite;
  idSite?: string;
  live?: LiveSite;
  outcome: SiteOutcome;
  errors: string[];
}

interface InstanceWork {
  wrote: string[];
  errors: string[];
}

function label(w: SiteWork): string {
  return w.idSite ? `${w.plan.siteKey} (idSite ${w.idSite})` : w.plan.siteKey;
}

function fail(w: SiteWork, err: unknown): void {
  w.outcome.ok = false;
  w.errors.push(errorText(err));
}

function siteChanges(w: SiteWork, area: Change["area"]): Change[] {
  return w.plan.changes.filter((c) => c.area === area && !c.blockedBy);
}

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
// Tag Manager: what exists, what to write

interface ContainerWork {
  work: SiteWork;
  key: string;
  declared: MatomoContainer;
  /** Set once the container exists (found, or created in this run). */
  idContainer?: string;
  draftVersionId?: number;
  /** To be created in this run. */
  create: boolean;
  /** Something was written: a new version is due. */
  changed: boolean;
  failed: boolean;
  /** The live container it matched, when it exists. */
  existing?: ReadContainer;
  /** addContainer got no answer: whether it happened is checked before anything else is done. */
  createUnknown?: boolean;
  /** Ids of the site's containers before this run, to tell a container we made from others. */
  before: Set<string>;
}

/** Sites whose containers are reconciled, and the live containers of each. */
async function prepareTagManager(client: MatomoClient, works: SiteWork[], live: LiveInstance, ctx: ApplyContext): Promise<ContainerWork[]> {
  const tmWorks = works.filter(
    (w) =>
      w.outcome.ok &&
      w.idSite &&
      (w.plan.operation === "create" || w.plan.operation === "update") &&
      Object.keys(w.desired.tagManager?.containers ?? {}).length > 0 &&
      (w.plan.operation === "create" || siteChanges(w, "tagmanager").length > 0),
  );
  if (tmWorks.length === 0) return [];
  const useCache = ctx.cache !== undefined && live.readAt === ctx.cache.readAt;
  const known = new Map<string, ReadContainer[]>();
  const toRead: SiteWork[] = [];
  for (const w of tmWorks) {
    const cached = useCache && w.plan.operation !== "create" ? ctx.cache!.containers.get(w.idSite!) : undefined;
    if (cached && cached.every((c) => c.exported)) known.set(w.idSite!, cached);
    else toRead.push(w);
  }
  const read = await readContainersOf(client, toRead.map((w) => ({ idSite: w.idSite!, site: label(w) })));
  toRead.forEach((w) => {
    const r = read.get(w.idSite!);
    if (r instanceof MatomoError || r === undefined) fail(w, r ?? "containers could not be read");
    else known.set(w.idSite!, r);
  });

  const out: ContainerWork[] = [];
  for (const w of tmWorks) {
    const containers = known.get(w.idSite!);
    if (!containers) continue;
    for (const [key, declared] of Object.entries(w.desired.tagManager?.containers ?? {})) {
      const match = matchContainer(declared, containers);
      if (!match && declared.idContainer) {
        fail(w, `container ${key}: the declared idContainer ${declared.idContainer} does not exist on site ${label(w)}; Exempt cannot create a container with a given id`);
        continue;
      }
      const cw: ContainerWork = { work: w, key, declared, create: !match, changed: false, failed: false, before: new Set(containers.map((c) => c.live.idContainer)) };
      if (match) {
        cw.idContainer = match.live.idContainer;
        cw.draftVersionId = match.live.draftVersionId;
        cw.existing = match;
      }
      out.push(cw);
    }
  }
  return out;
}

/** Reads the containers of some sites, with their drafts: two bulk rounds. */
export async function readContainersOf(client: MatomoClient, sites: { idSite: string; site: string }[]): Promise<Map<string, ReadContainer[] | MatomoError>> {
  const out = new Map<string, ReadContainer[] | MatomoError>();
  if (sites.length === 0) return out;
  const lists = await client.bulk(sites.map((s) => ({ method: "TagManager.getContainers", params: { idSite: Number(s.idSite) }, site: s.site, retrySafe: true })));
  const exports: { idSite: string; site: string; raw: unknown }[] = [];
  sites.forEach((s, i) => {
    const r = lists[i];
    if (!r.ok) return void out.set(s.idSite, r.error);
    if (!Array.isArray(r.value)) return void out.set(s.idSite, new MatomoError(`TagManager.getContainers for site ${s.site} did not answer a list`, { kind: "malformed", call: "TagManager.getContainers", site: s.site }));
    out.set(s.idSite, []);
    for (const raw of r.value) exports.push({ ...s, raw });
  });
  const answers = await client.bulk(
    exports.map((e) => ({ method: "TagManager.exportContainerVersion", params: { idSite: Number(e.idSite), idContainer: String((e.raw as { idcontainer?: unknown })?.idcontainer ?? "") }, site: e.site, retrySafe: true })),
  );
  exports.forEach((e, i) => {
    const list = out.get(e.idSite);
    if (!Array.isArray(list)) return;
    const r = answers[i];
    if (!r.ok) return void out.set(e.idSite, r.error);
    try {
      list.push(readContainer(e.raw, r.value));
    } catch (err) {
      out.set(e.idSite, new MatomoError(`TagManager.getContainers for site ${e.site}: ${(err as Error).message}`, { kind: "malformed", call: "TagManager.getContainers", site: e.site }));
    }
  });
  return out;
}

function variableCall(cw: ContainerWork, existing: ReadContainer | undefined, ctx: ApplyContext): ApiCall | undefined {
  const w = cw.work;
  const desired = cw.declared.matomoConfiguration;
  const defaults = { matomoUrl: ctx.baseUrl, idSite: w.idSite! };
  const variable = existing?.variable;
  const common = { idSite: Number(w.idSite), idContainer: cw.idContainer!, idContainerVersion: cw.draftVersionId! };
  if (variable) {
    if (trackerConfigDifferences(desired, existing!.live.matomoConfiguration?.settings).length === 0) return undefined;
    return {
      method: "TagManager.updateContainerVariable",
      params: {
        ...common,
        idVariable: variable.idVariable,
        name: variable.name,
        // Every parameter, the unmanaged ones as they are live: an omitted one is reset.
        parameters: trackerParameters(desired, variable.parameters, defaults),
        defaultValue: typeof variable.defaultValue === "string" ? variable.defaultValue : undefined,
        lookupTable: toParamValue(variable.lookupTable),
        description: variable.description,
      },
      site: label(w),
      retrySafe: true,
    };
  }
  return {
    method: "TagManager.addContainerVariable",
    params: { ...common, type: MATOMO_CONFIGURATION_TYPE, name: MATOMO_CONFIGURATION_NAME, parameters: trackerParameters(desired, undefined, defaults) },
    site: label(w),
    // A name is unique per container: sent twice it fails, it never duplicates; but a lost answer
    // is not retried blindly either: the next apply reads what happened.
    retrySafe: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Phase 2: updates, access, privacy, globals, Tag Manager variables and new containers

interface Op {
  call: ApiCall;
  /** Whose outcome the result goes to; none = the instance. */
  work?: SiteWork | SiteWork[];
  container?: ContainerWork;
  what: string;
  onOk?: (value: unknown) => void;
  /** Replaces the default handling of an error (failing the site, or the instance). */
  onError?: (err: MatomoError) => void;
  /** Turns an error into success (e.g. "already deleted"). */
  tolerate?: (err: MatomoError) => string | undefined;
}

async function runOps(client: MatomoClient, ops: Op[], inst: InstanceWork | undefined, options: { chunkSize?: number } = {}): Promise<CallResult[]> {
  const results = await client.bulk(
    ops.map((o) => o.call),
    options,
  );
  ops.forEach((op, i) => {
    const r = results[i];
    const tolerated = !r.ok ? op.tolerate?.(r.error) : undefined;
    if (r.ok || tolerated !== undefined) {
      const what = tolerated !== undefined ? `${op.what} (${tolerated})` : op.what;
      const owners = op.work === undefined ? [] : Array.isArray(op.work) ? op.work : [op.work];
      for (const w of owners) w.outcome.wrote.push(what);
      if (owners.length === 0) inst?.wrote.push(what);
      if (r.ok) op.onOk?.(r.value);
      return;
    }
    if (op.container) op.container.failed = true;
    if (op.onError) return op.onError(r.error);
    const owners = op.work === undefined ? [] : Array.isArray(op.work) ? op.work : [op.work];
    for (const w of owners) fail(w, r.error);
    if (owners.length === 0) inst?.errors.push(errorText(r.error));
  });
  return results;
}

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

  // Privacy: re-asserted on every apply, since Matomo cannot read it back.
  const reassert = new Map(plan.reassert.filter((r) => r.enforced).map((r) => [field(r.field), r.desired]));
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
    if (c.blockedBy) continue;
    if (field(c.field) === "globalExcludedQueryParameters") {
      const list = Array.isArray(c.desired) ? (c.desired as string[]) : (ctx.instance.privacy.globalExcludedQueryParameters ?? []);
      // Matomo reads "" as "not sent" (an error for this setter); "," stores the empty list.
      ops.push({ call: { method: "SitesManager.setGlobalExcludedQueryParameters", params: { excludedQueryParameters: list.length ? csv(list) : "," }, retrySafe: true }, what: "SitesManager.setGlobalExcludedQueryParameters" });
    } else inst.errors.push(`Matomo instance '${ctx.instanceId}': the instance change ${c.field} has no Matomo setter; not applied`);
  }

  // Tag Manager: variables of existing containers, and the containers to create.
  for (const cw of tm) {
    if (cw.create) {
      ops.push({
        call: { method: "TagManager.addContainer", params: { idSite: Number(cw.work.idSite), context: "web", name: cw.declared.name, description: "Managed by Exempt" }, site: label(cw.work), retrySafe: false },
        work: cw.work,
        container: cw,
        what: `TagManager.addContainer ${cw.declared.name}`,
        onOk: (value) => {
          cw.idContainer = String((value as { value?: unknown })?.value ?? "");
          cw.changed = true;
        },
        onError: (err) => {
          if (!err.outcomeUnknown) return fail(cw.work, err);
          cw.failed = false;
          cw.createUnknown = true;
        },
      });
      continue;
    }
    const call = variableCall(cw, cw.existing, ctx);
    if (call)
      ops.push({ call, work: cw.work, container: cw, what: `${call.method} (container ${cw.declared.name})`, onOk: () => void (cw.changed = true) });
  }

  await runOps(client, [...ops, ...accessOps], inst);
  // A grouped access write that failed is sent again per site, so that one bad site fails alone.
  if (splitAgain.length) await runOps(client, splitAgain, inst);
}

// ---------------------------------------------------------------------------------------------
// New containers: draft id, then variable and trigger, then the Matomo tag.

async function newContainers(client: MatomoClient, tm: ContainerWork[], ctx: ApplyContext): Promise<void> {
  const created = tm.filter((cw) => cw.create && !cw.failed && (cw.idContainer || cw.createUnknown) && cw.work.outcome.ok);
  if (created.length === 0) return;
  const sites = [...new Map(created.map((cw) => [cw.work.idSite!, { idSite: cw.work.idSite!, site: label(cw.work) }])).values()];
  const lists = await client.bulk(sites.map((s) => ({ method: "TagManager.getContainers", params: { idSite: Number(s.idSite) }, site: s.site, retrySafe: true })));
  const byId = new Map<string, ReadContainer>();
  const bySite = new Map<string, ReadContainer[]>();
  sites.forEach((s, i) => {
    const r = lists[i];
    if (!r.ok || !Array.isArray(r.value)) return;
    for (const raw of r.value) {
      try {
        const c = readContainer(raw);
        byId.set(`${s.idSite}/${c.live.idContainer}`, c);
        bySite.set(s.idSite, [...(bySite.get(s.idSite) ?? []), c]);
      } catch {
        /* a container without an id cannot be one of ours */
      }
    }
  });
  const ready: ContainerWork[] = [];
  for (const cw of created) {
    if (cw.createUnknown) {
      // The create's answer was lost: a container of that name that was not there before is ours.
      const made = (bySite.get(cw.work.idSite!) ?? []).find((c) => !cw.before.has(c.live.idContainer) && c.live.name.trim() === cw.declared.name.trim());
      if (!made) {
        cw.failed = true;
        fail(cw.work, `TagManager.addContainer ${cw.declared.name} got no answer and the container is not there: it was not created (the next apply creates it)`);
        continue;
      }
      cw.idContainer = made.live.idContainer;
      cw.changed = true;
      cw.work.outcome.wrote.push(`TagManager.addContainer ${cw.declared.name} (the answer was lost, the container was found by its name)`);
    }
    const c = byId.get(`${cw.work.idSite}/${cw.idContainer}`);
    if (!c || !c.live.draftVersionId) {
      cw.failed = true;
      fail(cw.work, `container ${cw.declared.name} was created (${cw.idContainer}) but its draft could not be read; the next apply completes it`);
      continue;
    }
    cw.draftVersionId = c.live.draftVersionId;
    ready.push(cw);
  }
  const triggers = new Map<ContainerWork, number>();
  const ops: Op[] = [];
  for (const cw of ready) {
    const common = { idSite: Number(cw.work.idSite), idContainer: cw.idContainer!, idContainerVersion: cw.draftVersionId! };
    ops.push({ call: variableCall(cw, undefined, ctx)!, work: cw.work, container: cw, what: `TagManager.addContainerVariable (container ${cw.declared.name})` });
    ops.push({
      call: { method: "TagManager.addContainerTrigger", params: { ...common, type: "PageView", name: "Pageview" }, site: label(cw.work), retrySafe: false },
      work: cw.work,
      container: cw,
      what: `TagManager.addContainerTrigger Pageview (container ${cw.declared.name})`,
      onOk: (value) => {
        const id = readInt((value as { value?: unknown })?.value);
        if (id !== undefined) triggers.set(cw, id);
      },
    });
  }
  await runOps(client, ops, undefined);
  // A container without a tag tracks nothing: the Matomo tag that uses the configuration.
  const tagOps: Op[] = [];
  for (const cw of ready) {
    const trigger = triggers.get(cw);
    if (cw.failed || trigger === undefined) continue;
    tagOps.push({
      call: {
        method: "TagManager.addContainerTag",
        params: {
          idSite: Number(cw.work.idSite),
          idContainer: cw.idContainer!,
          idContainerVersion: cw.draftVersionId!,
          type: "Matomo",
          name: "Matomo Tracking",
          parameters: { matomoConfig: `{{${MATOMO_CONFIGURATION_NAME}}}`, trackingType: "pageview" },
          fireTriggerIds: [trigger],
        },
        site: label(cw.work),
        retrySafe: false,
      },
      work: cw.work,
      container: cw,
      what: `TagManager.addContainerTag Matomo Tracking (container ${cw.declared.name})`,
    });
  }
  await runOps(client, tagOps, undefined);
}

// ---------------------------------------------------------------------------------------------
// Phase 3: a version of each changed container, published to live.

/** The same within a run (a retried create that happened is recognised by its name), new across runs. */
export function versionName(runStamp: string, cw: { idContainer?: string; declared: MatomoContainer }): string {
  const hash = createHash("sha256").update(JSON.stringify([cw.idContainer, cw.declared.matomoConfiguration])).digest("hex").slice(0, 8);
  return `exempt-${runStamp}-${hash}`;
}

async function versionContainers(client: MatomoClient, tm: ContainerWork[], ctx: ApplyContext): Promise<void> {
  const changed = tm.filter((cw) => cw.changed && !cw.failed && cw.idContainer);
  if (changed.length === 0) return;
  const stamp = ctx.runStamp ?? new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const names = new Map(changed.map((cw) => [cw, versionName(stamp, cw)]));
  const versions = new Map<ContainerWork, number>();
  const lookup: ContainerWork[] = [];
  await runOps(
    client,
    changed.map((cw) => ({
      call: {
        method: "TagManager.createContainerVersion",
        params: { idSite: Number(cw.work.idSite), idContainer: cw.idContainer!, name: names.get(cw)!, description: "Created by Exempt apply" },
        site: label(cw.work),
        retrySafe: true,
      },
      work: cw.work,
      container: cw,
      what: `TagManager.createContainerVersion ${names.get(cw)} (container ${cw.declared.name})`,
      onOk: (value) => {
        const id = readInt((value as { value?: unknown })?.value);
        if (id !== undefined) versions.set(cw, id);
        else lookup.push(cw);
      },
      // Sent again after a lost answer, the create meets its own name: it happened.
      tolerate: (err) => (/already in use/i.test(err.matomoMessage ?? "") ? (lookup.push(cw), "already created") : undefined),
    })),
    undefined,
  );
  if (lookup.length) {
    const lists = await client.bulk(lookup.map((cw) => ({ method: "TagManager.getContainerVersions", params: { idSite: Number(cw.work.idSite), idContainer: cw.idContainer! }, site: label(cw.work), retrySafe: true })));
    lookup.forEach((cw, i) => {
      const r = lists[i];
      const found = r.ok && Array.isArray(r.value) ? (r.value as Array<Record<string, unknown>>).find((v) => v?.name === names.get(cw)) : undefined;
      const id = found ? readInt(found.idcontainerversion) : undefined;
      if (id !== undefined) versions.set(cw, id);
      else {
        cw.failed = true;
        fail(cw.work, `container ${cw.declared.name}: the version ${names.get(cw)} cannot be found after creating it${r.ok ? "" : ` (${errorText(r.error)})`}`);
      }
    });
  }
  const publish = changed.filter((cw) => !cw.failed && cw.declared.publishLive && versions.has(cw));
  await runOps(
    client,
    publish.map((cw) => ({
      call: {
        method: "TagManager.publishContainerVersion",
        params: { idSite: Number(cw.work.idSite), idContainer: cw.idContainer!, idContainerVersion: versions.get(cw)!, environment: "live" },
        site: label(cw.work),
        retrySafe: true,
      },
      work: cw.work,
      container: cw,
      what: `TagManager.publishContainerVersion ${names.get(cw)} to live (container ${cw.declared.name})`,
    })),
    undefined,
  );
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
