import { Instance } from "../../model/config";
import { backendFactoryFor } from "../backends";
import type { BackendFactory, BackendOptions, LiveInstance, TrafficCounters } from "../types";
import type { ImportTarget } from "./declaration";
import { ImportError } from "./settle";

export interface ReadOptions {
  env: NodeJS.ProcessEnv;
  allowInsecureHttp: boolean;
  client?: { timeoutMs?: number; retries?: number; concurrency?: number };
  log: (message: string) => void;
  /** Tests may give their own backend factories. */
  backendFactory?: (kind: ImportTarget["kind"]) => BackendFactory;
}

/**
 * Reads a live instance through its product backend, as plan does: the import stays on the
 * engine's side of the backend contract and never learns a product's API.
 */
export async function readForImport(target: ImportTarget, options: ReadOptions): Promise<{ live: LiveInstance; traffic: TrafficCounters }> {
  const instance = declarationFor(target, {});
  const factory = (options.backendFactory ?? backendFactoryFor)(target.kind);
  const backendOptions: BackendOptions = { env: options.env, allowInsecureHttp: options.allowInsecureHttp, ...options.client, log: options.log, readAllTagDrafts: true };
  const backend = factory(target.instanceId, instance, backendOptions);
  options.log(`reading ${target.url}`);
  const live = await backend.read();
  const traffic = { ...backend.traffic };

  // A backend may read Tag Manager containers only for the sites a declaration names (Matomo
  // does above a few dozen sites): name every site whose containers were not read, and read again.
  const unread = live.sites.filter((s) => s.containers === undefined);
  if (unread.length && target.kind === "matomo") {
    options.log(`reading the Tag Manager containers of ${unread.length} site(s)`);
    const probe = declarationFor(target, Object.fromEntries(unread.map((s, i) => [`s${i}`, { name: "s", urls: [`https://s${i}.import.invalid`], idSite: Number(s.productId), tagManager: { containers: { c: {} } } }])));
    const second = factory(target.instanceId, probe, backendOptions);
    const again = await second.read();
    const byId = new Map(again.sites.map((s) => [s.productId, s]));
    for (const s of unread) s.containers = byId.get(s.productId)?.containers;
    for (const k of Object.keys(traffic) as Array<keyof TrafficCounters>) traffic[k] += second.traffic[k];
  }
  return { live, traffic };
}

function declarationFor(target: ImportTarget, sites: Record<string, unknown>): Instance {
  const parsed = Instance.safeParse({ kind: target.kind, url: target.url, auth: target.auth, sites });
  if (!parsed.success) throw new ImportError(parsed.error.issues.map((i) => `${i.path.join(".") || "instance"}: ${i.message}`).join("; "));
  return parsed.data;
}
