import type { Change, SiteOutcome, SitePlan, LiveSite } from "../../engine/types";
import type { MatomoInstance, MatomoSite } from "../../model/matomo";
import type { ApiCall, CallResult, MatomoClient } from "./client";
import { errorText, type MatomoError } from "./errors";
import type { ReadCache } from "./read";
import type { ContainerWork } from "./containers";

/**
 * What the phases of an apply share: the context, each site's work and outcome, and `runOps`,
 * which sends a batch of writes and files each result under the site (or instance) it belongs to.
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

export interface SiteWork {
  plan: SitePlan;
  desired: MatomoSite;
  idSite?: string;
  live?: LiveSite;
  outcome: SiteOutcome;
  errors: string[];
}

export interface InstanceWork {
  wrote: string[];
  errors: string[];
}

export function label(w: SiteWork): string {
  return w.idSite ? `${w.plan.siteKey} (idSite ${w.idSite})` : w.plan.siteKey;
}

export function fail(w: SiteWork, err: unknown): void {
  w.outcome.ok = false;
  w.errors.push(errorText(err));
}

export function siteChanges(w: SiteWork, area: Change["area"]): Change[] {
  return w.plan.changes.filter((c) => c.area === area && !c.blockedBy);
}

export interface Op {
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

export async function runOps(client: MatomoClient, ops: Op[], inst: InstanceWork | undefined, options: { chunkSize?: number } = {}): Promise<CallResult[]> {
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
