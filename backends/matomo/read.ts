import type { LiveInstance, LivePrincipal, LiveSite } from "../../engine/types";
import { urlIdentity } from "../../model/config";
import type { MatomoInstance } from "../../model/matomo";
import type { UnknownField } from "../../policies/types";
import type { ApiCall, CallResult, MatomoClient } from "./client";
import { MatomoError } from "./errors";
import {
  ANONYMOUS,
  readContainer,
  readList,
  readSitesAccess,
  readUsers,
  matomoSiteToLive,
  ShapeError,
  UNOBSERVABLE_PRIVACY_FIELDS,
  type ReadContainer,
} from "./mapping";
import { checkMatomoVersion } from "./version";

/**
 * Reads a whole instance in a few bulk requests, whatever its size:
 *   1. version, every site with its aliases, users, global lists, compliance status, and the
 *      access of `anonymous` and of every declared user;
 *   2. the access of the other (undeclared) users, and the Tag Manager containers of the sites
 *      that need them;
 *   3. the draft of each of those containers (`exportContainerVersion`: variables, tags and
 *      triggers in one call).
 * Rounds 2 and 3 are skipped when empty. Access is read per user, not per site, so a fleet of
 * thousands of sites costs a handful of sub-requests for it.
 */

/** Below this many sites every site's containers are read for the rule pack; above, only declared ones. */
export const CHEAP_CONTAINER_SCAN_SITES = 50;

export interface ReadContext {
  instanceId: string;
  instance: MatomoInstance;
  /** Whether the account password (auth.passwordEnv) is available, for retention. */
  hasPassword: boolean;
  onlySites?: string[];
}

/** What apply needs beyond the LiveInstance: raw container variables, keyed by idSite. */
export interface ReadCache {
  /** The `readAt` of the LiveInstance it belongs to: apply uses it only for that reading. */
  readAt: string;
  containers: Map<string, ReadContainer[]>;
}

export interface ReadOutcome {
  live: LiveInstance;
  cache: ReadCache;
}

/** A read's value, or its error: the whole request's own when the bulk failed as a whole. */
function expect(result: CallResult): unknown {
  if (!result.ok) throw result.error.requestError ?? result.error;
  return result.value;
}

function siteLabel(key: string | undefined, id: string): string {
  return key ? `${key} (idSite ${id})` : `idSite ${id}`;
}

export async function readMatomo(client: MatomoClient, ctx: ReadContext): Promise<ReadOutcome> {
  const { instanceId, instance } = ctx;
  const prefix = `Matomo instance '${instanceId}'`;
  const declaredUsers = Object.keys(instance.access.users).filter((u) => u !== ANONYMOUS);
  const firstUsers = [ANONYMOUS, ...declaredUsers];

  const round1: ApiCall[] = [
    { method: "API.getMatomoVersion", retrySafe: true },
    { method: "SitesManager.getSitesWithAdminAccess", params: { fetchAliasUrls: true }, retrySafe: true },
    { method: "UsersManager.getUsers", retrySafe: true },
    { method: "SitesManager.getExcludedQueryParametersGlobal", retrySafe: true },
    // Matomo's CNIL policy status (releases after 5.2). The installer's site 1 is asked, as the
    // recording did; Matomo ignores parameters a method does not take, so the policy type is safe
    // to send where it is not needed.
    { method: "PrivacyManager.getComplianceStatus", params: { idSite: 1, complianceType: "cnil" }, retrySafe: true },
    ...firstUsers.map((login) => ({ method: "UsersManager.getSitesAccessFromUser", params: { userLogin: login }, site: undefined, retrySafe: true })),
  ];
  let r1: CallResult[] | undefined = await client.bulk(round1);

  // The version decides how everything else may be read: check it before looking at the rest.
  const versionResult = r1[0];
  if (!versionResult.ok) {
    const e = versionResult.error;
    if (e.requestError) throw e.requestError;
    throw new MatomoError(
      `${prefix}: API.getMatomoVersion failed (${e.matomoMessage ?? e.message}). The token may lack access, or the server may be a Matomo older than 5, which runs a refused token as the anonymous user.`,
      { kind: e.kind === "api" ? "forbidden" : e.kind, call: "API.getMatomoVersion" },
    );
  }
  const version = checkMatomoVersion(instanceId, versionResult.value);

  let liveSites: LiveSite[];
  let sitesAnswer: unknown = expect(r1[1]);
  try {
    if (!Array.isArray(sitesAnswer)) throw new ShapeError(`expected a list of sites, got ${sitesAnswer === null ? "null" : typeof sitesAnswer}`);
    liveSites = (sitesAnswer as unknown[]).map((row) => matomoSiteToLive(row));
  } catch (err) {
    if (err instanceof ShapeError) throw new MatomoError(`${prefix}: SitesManager.getSitesWithAdminAccess answered something unexpected: ${err.message}`, { kind: "malformed", call: "SitesManager.getSitesWithAdminAccess" });
    throw err;
  }
  const byId = new Map(liveSites.map((s) => [s.productId, s]));

  let users;
  try {
    users = readUsers(expect(r1[2]));
  } catch (err) {
    if (err instanceof ShapeError) throw new MatomoError(`${prefix}: ${err.message}`, { kind: "malformed", call: "UsersManager.getUsers" });
    throw err;
  }
  const known = new Set(users.map((u) => u.login));
  const principals: LivePrincipal[] = users.filter((u) => u.login !== ANONYMOUS).map((u) => ({ id: u.login, superuser: u.superuser }));

  // `{"value":"a,b"}`, or `{"value":false}` when the option was never set.
  const globalExcluded = readList(scalarValue(expect(r1[3])));
  const compliance = readCompliance(r1[4]);

  const accessOf = (login: string, result: CallResult) => {
    if (!result.ok) {
      // A declared user who does not exist has no access to read; the engine reports the user.
      if (!known.has(login)) return;
      throw result.error.requestError ?? result.error;
    }
    for (const [idSite, role] of readSitesAccess(result.value)) {
      const site = byId.get(idSite);
      if (site) site.access[login] = role;
    }
  };
  firstUsers.forEach((login, i) => accessOf(login, r1![5 + i]));
  // The raw answers of a large fleet are megabytes: let them go as soon as they are mapped.
  r1 = undefined;
  sitesAnswer = undefined;

  // Round 2: the other users' access, and the containers of the sites that need them.
  const superusers = new Set(users.filter((u) => u.superuser).map((u) => u.login));
  const otherUsers = users.map((u) => u.login).filter((l) => !superusers.has(l) && !firstUsers.includes(l));
  const containerSites = sitesNeedingContainers(ctx, liveSites);
  const round2: ApiCall[] = [
    ...otherUsers.map((login) => ({ method: "UsersManager.getSitesAccessFromUser", params: { userLogin: login }, retrySafe: true })),
    ...[...containerSites.keys()].map((id) => ({ method: "TagManager.getContainers", params: { idSite: Number(id) }, site: siteLabel(containerSites.get(id)?.key, id), retrySafe: true })),
  ];
  let r2: CallResult[] | undefined = await client.bulk(round2);
  otherUsers.forEach((login, i) => accessOf(login, r2![i]));
  // Superusers are left out of site access: they have all of it, and are listed as principals.
  for (const site of liveSites) for (const su of superusers) delete site.access[su];

  const containerLists = new Map<string, unknown[]>();
  [...containerSites.keys()].forEach((id, i) => {
    const result = r2![otherUsers.length + i];
    const need = containerSites.get(id)!;
    if (!result.ok) {
      if (need.declared) throw result.error.requestError ?? result.error;
      return; // read for the rule pack only: not knowing is acceptable, the site stays "not read"
    }
    if (!Array.isArray(result.value)) {
      if (need.declared) throw new MatomoError(`${prefix}: TagManager.getContainers for site ${siteLabel(need.key, id)} did not answer a list`, { kind: "malformed", call: "TagManager.getContainers" });
      return;
    }
    // Only what the mapping reads is kept (a container's versions list is most of its answer).
    containerLists.set(id, result.value.map(trimContainer));
  });
  r2 = undefined;

  // Round 3: each container's draft, in one export.
  const exports: { id: string; raw: unknown }[] = [];
  for (const [id, list] of containerLists) for (const raw of list) exports.push({ id, raw });
  const readAt = new Date().toISOString();
  const cache: ReadCache = { readAt, containers: new Map() };
  // Each chunk of exports is mapped to containers as it arrives, and its raw answers dropped; the
  // containers are then listed in export order, whatever order the chunks answered in.
  let failure: unknown;
  const containers = new Array<ReadContainer | undefined>(exports.length);
  await client.bulkEach(
    exports.map(({ id, raw }) => ({
      method: "TagManager.exportContainerVersion",
      params: { idSite: Number(id), idContainer: String((raw as { idcontainer?: unknown })?.idcontainer ?? "") },
      site: siteLabel(containerSites.get(id)?.key, id),
      retrySafe: true,
    })),
    (results, offset) => {
      results.forEach((result, j) => {
        if (failure !== undefined) return;
        const { id, raw } = exports[offset + j];
        const need = containerSites.get(id)!;
        if (!result.ok && need.declared) return void (failure = result.error.requestError ?? result.error);
        let container: ReadContainer;
        try {
          container = readContainer(raw, result.ok ? result.value : undefined);
        } catch (err) {
          if (err instanceof ShapeError && !need.declared) return;
          failure = new MatomoError(`${prefix}: TagManager.getContainers for site ${siteLabel(need.key, id)}: ${(err as Error).message}`, { kind: "malformed", call: "TagManager.getContainers" });
          return;
        }
        containers[offset + j] = container;
      });
    },
  );
  if (failure !== undefined) throw failure;
  exports.forEach(({ id }, i) => {
    const container = containers[i];
    if (!container) return;
    const list = cache.containers.get(id) ?? [];
    list.push(container);
    cache.containers.set(id, list);
  });
  for (const id of containerLists.keys()) {
    const site = byId.get(id);
    if (site) site.containers = (cache.containers.get(id) ?? []).map((c) => c.live);
  }

  const { privacyUnknown, notes } = unobservablePrivacy(instance, ctx.hasPassword);
  return {
    live: {
      product: "matomo",
      version: version.text,
      privacy: { globalExcludedQueryParameters: globalExcluded },
      privacyUnknown,
      privacyEvidence: { globalExcludedQueryParameters: "api" },
      globals: { globalExcludedQueryParameters: globalExcluded },
      sites: liveSites,
      principals,
      compliance,
      notes,
      readAt,
    },
    cache,
  };
}

/**
 * Sites whose containers are read: those declaring containers (matched by idSite, else main URL),
 * within `onlySites`; and every site when the instance is small enough for that to be cheap.
 */
export function sitesNeedingContainers(ctx: ReadContext, liveSites: readonly LiveSite[]): Map<string, { key?: string; declared: boolean }> {
  const out = new Map<string, { key?: string; declared: boolean }>();
  const byUrl = new Map<string, LiveSite[]>();
  for (const s of liveSites) {
    if (s.urls.length === 0) continue;
    const k = urlIdentity(s.urls[0]);
    byUrl.set(k, [...(byUrl.get(k) ?? []), s]);
  }
  for (const [key, site] of Object.entries(ctx.instance.sites)) {
    if (ctx.onlySites && !ctx.onlySites.includes(key)) continue;
    if (site.remove || Object.keys(site.tagManager?.containers ?? {}).length === 0) continue;
    const matches = site.idSite !== undefined ? liveSites.filter((s) => s.productId === String(site.idSite)) : (byUrl.get(urlIdentity(site.urls[0])) ?? []);
    for (const m of matches) out.set(m.productId, { key, declared: true });
  }
  if (liveSites.length <= CHEAP_CONTAINER_SCAN_SITES) for (const s of liveSites) if (!out.has(s.productId)) out.set(s.productId, { declared: false });
  return out;
}

function scalarValue(answer: unknown): unknown {
  return answer !== null && typeof answer === "object" && !Array.isArray(answer) ? (answer as { value?: unknown }).value : answer;
}

function readCompliance(result: CallResult): LiveInstance["compliance"] {
  if (result.ok) return { supported: true, status: result.value, note: "read with PrivacyManager.getComplianceStatus" };
  const text = result.error.matomoMessage ?? result.error.message;
  return { supported: false, note: `PrivacyManager.getComplianceStatus is not available on this Matomo: ${text}` };
}

/** Matomo's HTTP API has no getter for these: they are written on every apply, never "in sync". */
export function unobservablePrivacy(instance: MatomoInstance, hasPassword: boolean): { privacyUnknown: Record<string, UnknownField>; notes: string[] } {
  const privacyUnknown: Record<string, UnknownField> = {};
  const notes: string[] = [];
  for (const field of UNOBSERVABLE_PRIVACY_FIELDS) {
    privacyUnknown[field] = { why: "not-observable", enforcedOnApply: true, note: "Matomo's HTTP API has no getter for this setting: it is written on every apply" };
  }
  if (!hasPassword) {
    const why = instance.auth.passwordEnv
      ? `the environment variable ${instance.auth.passwordEnv} (auth.passwordEnv) is not set`
      : "auth.passwordEnv is not declared";
    const note = `retention is not enforced: Matomo asks for the account password to change data retention, and ${why}`;
    privacyUnknown.rawDataRetentionMonths = { why: "not-observable", enforcedOnApply: false, note };
    notes.push(note);
  }
  return { privacyUnknown, notes };
}

/** The parts of a `TagManager.getContainers` row that `readContainer` reads. */
function trimContainer(raw: unknown): unknown {
  if (!raw || typeof raw !== "object") return raw;
  const r = raw as Record<string, unknown>;
  return { idcontainer: r.idcontainer, name: r.name, draft: r.draft, releases: r.releases };
}
