import { createMatomoBackend, type MatomoBackendOptions } from "../../backends/matomo";
import type { InstancePlan, LiveInstance, ProductBackend, SitePlan } from "../../engine/types";
import { MatomoInstance, type MatomoInstanceInput, MatomoSite, type MatomoSiteInput } from "../../model/matomo";
import { startMatomoEmulator, type MatomoEmulator, type MatomoEmulatorOptions } from "../../emulators/matomo";

/**
 * Shared set-up of the Matomo backend tests: an emulator on loopback, an instance declared the way
 * the YAML loader would (zod defaults applied), and a backend whose logs are captured so that
 * tests can check no secret reaches them.
 */
export const TOKEN_ENV = "EXEMPT_TEST_MATOMO_TOKEN";
export const PASSWORD_ENV = "EXEMPT_TEST_MATOMO_PASSWORD";
/** A canary: if this string shows up in any message or log, a secret leaked. */
export const CANARY_TOKEN = "c4nary0t0ken0f0matomo0000000abcd";
export const CANARY_PASSWORD = "Canary-Passw0rd-xyz";

export async function startEmulator(options: Partial<MatomoEmulatorOptions> = {}): Promise<MatomoEmulator> {
  return startMatomoEmulator({ token: CANARY_TOKEN, password: CANARY_PASSWORD, ...options });
}

export function declareInstance(url: string, input: Partial<MatomoInstanceInput> = {}): MatomoInstance {
  return MatomoInstance.parse({ kind: "matomo", url, auth: { tokenEnv: TOKEN_ENV }, ...input });
}

export function declareSite(input: MatomoSiteInput): MatomoSite {
  return MatomoSite.parse(input);
}

export interface TestBackend {
  backend: ProductBackend;
  logs: string[];
}

export function backendFor(instance: MatomoInstance, options: Partial<MatomoBackendOptions> = {}, env: NodeJS.ProcessEnv = { [TOKEN_ENV]: CANARY_TOKEN }): TestBackend {
  const logs: string[] = [];
  const backend = createMatomoBackend("stats", instance, {
    env,
    allowInsecureHttp: false,
    log: (m) => logs.push(m),
    backoffBaseMs: 5,
    ...options,
  } as MatomoBackendOptions);
  return { backend, logs };
}

/** An InstancePlan written by hand, the way the engine would write it. */
export function planOf(live: LiveInstance, sites: SitePlan[], extra: Partial<InstancePlan> = {}): InstancePlan {
  return {
    instanceId: "stats",
    product: "matomo",
    url: "http://127.0.0.1",
    version: live.version,
    sites,
    instanceChanges: [],
    reassert: [],
    unmanaged: [],
    problems: [],
    ...extra,
  };
}

/** Writes (not reads) the emulator executed, bulk sub-requests flattened. */
export function writeCalls(emulator: MatomoEmulator): string[] {
  return emulator.calls.map((c) => c.method).filter((m) => !/\.(get|export|is)[A-Z]/.test(m) && m !== "API.getBulkRequest");
}

/**
 * Calls the emulator directly, as a person with curl would: for set-up and for checking what the
 * backend left behind. Written with URLSearchParams, independently of the backend's encoder.
 */
export async function rawCall(emulator: MatomoEmulator, method: string, params: Record<string, string | string[]> = {}): Promise<unknown> {
  const body = new URLSearchParams();
  body.append("token_auth", CANARY_TOKEN);
  body.append("filter_limit", "-1");
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const item of v) body.append(`${k}[]`, item);
    else body.append(k, v);
  }
  const res = await fetch(`${emulator.url}/index.php?module=API&method=${method}&format=JSON`, { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  return res.json();
}

/** Creates sites quickly (bulk addSite, 400 per request), for fleet-sized tests. */
export async function seedSites(emulator: MatomoEmulator, count: number, name = (i: number) => `Site ${i}`, url = (i: number) => `https://site${i}.example.org`): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < count; start += 400) {
    const body = new URLSearchParams();
    body.append("token_auth", CANARY_TOKEN);
    body.append("filter_limit", "-1");
    for (let i = start; i < Math.min(count, start + 400); i++) {
      const sub = new URLSearchParams({ method: "SitesManager.addSite", siteName: name(i) });
      sub.append("urls[]", url(i));
      body.append("urls[]", sub.toString());
    }
    const res = await fetch(`${emulator.url}/index.php?module=API&method=API.getBulkRequest&format=JSON`, { method: "POST", body });
    for (const r of (await res.json()) as Array<{ value: number }>) ids.push(r.value);
  }
  return ids;
}
