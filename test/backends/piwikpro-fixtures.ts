import { createPiwikProBackendWith, type PiwikProBackend, type PiwikProTuning } from "../../backends/piwikpro";
import type { BackendOptions } from "../../engine/types";
import { PiwikProInstance, type PiwikProInstanceInput } from "../../model/piwikpro";
import { rawClient, type ValidatedPiwikPro } from "../support/piwikpro";

/** Shared set-up of the Piwik PRO backend tests: an instance pointed at a validated emulator, a backend, seeding. */
export const ID_ENV = "PP_TEST_CLIENT_ID";
export const SECRET_ENV = "PP_TEST_CLIENT_SECRET";

/** Quick retries and polls: the tests exercise the paths, not the waiting. */
export const FAST: Partial<PiwikProTuning> = { backoffBaseMs: 2, publishPollIntervalMs: 1, publishMaxPollIntervalMs: 5 };

export function instanceFor(pp: Pick<ValidatedPiwikPro, "url">, input: Partial<PiwikProInstanceInput> = {}): PiwikProInstance {
  return PiwikProInstance.parse({
    kind: "piwikpro",
    url: pp.url,
    auth: { clientIdEnv: ID_ENV, clientSecretEnv: SECRET_ENV },
    ...input,
    client: { timeoutMs: 2000, retries: 3, concurrency: 4, ...(input.client ?? {}) },
  });
}

export interface Harness {
  backend: PiwikProBackend;
  logs: string[];
}

export function backendFor(
  pp: Pick<ValidatedPiwikPro, "url" | "clientId" | "clientSecret">,
  instance: PiwikProInstance,
  tuning: Partial<PiwikProTuning> = {},
  options: Partial<BackendOptions> = {},
): Harness {
  const logs: string[] = [];
  const backend = createPiwikProBackendWith({ ...FAST, ...tuning })("pp", instance, {
    env: { [ID_ENV]: pp.clientId, [SECRET_ENV]: pp.clientSecret },
    allowInsecureHttp: false,
    log: (m) => logs.push(m),
    ...options,
  });
  return { backend, logs };
}

export interface SeedApp {
  name: string;
  urls: string[];
  attributes?: Record<string, unknown>;
}

/** Creates apps straight through the API (validated too), returning their ids in order. */
export async function seedApps(pp: ValidatedPiwikPro, apps: SeedApp[]): Promise<string[]> {
  const api = rawClient(pp);
  const ids: string[] = [];
  for (const app of apps) {
    const res = await api.post("/api/apps/v2", { data: { type: "ppms/app", attributes: { name: app.name, urls: app.urls, ...(app.attributes ?? {}) } } });
    if (res.status !== 201) throw new Error(`seeding app ${app.name}: ${res.status} ${res.text}`);
    ids.push(res.json.data.id);
  }
  return ids;
}

export async function seedTag(pp: ValidatedPiwikPro, appId: string, attributes: Record<string, unknown>): Promise<string> {
  const res = await rawClient(pp).post(`/api/tag/v1/${appId}/tags`, { data: { type: "tag", attributes, relationships: { triggers: { data: [] } } } });
  if (res.status !== 201) throw new Error(`seeding tag: ${res.status} ${res.text}`);
  return res.json.data.id;
}

export async function seedUser(pp: ValidatedPiwikPro, email: string): Promise<string> {
  const res = await rawClient(pp).post("/api/users/v2", { data: { type: "ppms/user", attributes: { email, password: "Passw0rdPassw0rd", role: "USER" } } });
  if (res.status !== 201) throw new Error(`seeding user: ${res.status} ${res.text}`);
  return res.json.data.id;
}

export async function grant(pp: ValidatedPiwikPro, appId: string, userId: string, permission: string): Promise<void> {
  const res = await rawClient(pp).post(`/api/access-control/v2/app/${appId}/permission/user/${userId}`, { data: { type: "app/permission/user", attributes: { permission } } });
  if (res.status !== 204) throw new Error(`granting: ${res.status} ${res.text}`);
}

/** `METHOD /path/{…}` of each call, ids replaced, for assertions on what the backend sent. */
export function callShapes(pp: ValidatedPiwikPro): string[] {
  return pp.emulator.calls.map((c) => `${c.method} ${c.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "{id}")}`);
}
