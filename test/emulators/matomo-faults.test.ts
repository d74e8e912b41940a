/**
 * Fault injection on the Matomo emulator, per kind: what the client sees, and whether the
 * request took effect (which is what retry logic must get right).
 */
import { MatomoEmulator, startMatomoEmulator } from "../../emulators/matomo";
import { callApi, matomoRequest } from "../support/sandbox-process";

let em: MatomoEmulator;

beforeEach(async () => {
  em = await startMatomoEmulator({ token: "TOKEN" });
});

afterEach(async () => {
  await em.close();
});

const siteCount = async () => ((await callApi(em.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: "TOKEN", filter_limit: "-1" })).json as number[]).length;
const addSite = () => callApi(em.url, "SitesManager.addSite", { siteName: "x", urls: ["https://x.example.org"], token_auth: "TOKEN" });

test("an injected 5xx is answered before the request runs", async () => {
  em.faults.script({ kind: "error" });
  const r = await addSite();
  expect([500, 502, 503]).toContain(r.status);
  expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
  expect(await siteCount()).toBe(1);
  expect(em.calls.filter((c) => c.method === "SitesManager.addSite")).toHaveLength(0);
});

test("a connection dropped before processing loses the request", async () => {
  em.faults.script({ kind: "drop-before" });
  await expect(addSite()).rejects.toThrow();
  expect(await siteCount()).toBe(1);
});

test("a connection dropped after processing loses only the answer: the site exists", async () => {
  em.faults.script({ kind: "drop-after" });
  await expect(addSite()).rejects.toThrow();
  expect(await siteCount()).toBe(2);
});

test("a rate-limit fault answers 429 with Retry-After", async () => {
  em.faults.set({ rateLimitRate: 1, retryAfterSeconds: 7 });
  const r = await callApi(em.url, "API.getMatomoVersion", { token_auth: "TOKEN" });
  expect(r.status).toBe(429);
  expect(r.headers["retry-after"]).toBe("7");
});

test("a stalled answer arrives only after the stall, with the effect already done", async () => {
  em.faults.set({ stallRate: 1, stallMs: 300 });
  const r = await addSite();
  expect(r.ms).toBeGreaterThanOrEqual(280);
  expect(r.json).toEqual({ value: 2 });
});

test("latency is added to every answer", async () => {
  em.faults.set({ latencyMs: 150 });
  const r = await callApi(em.url, "API.getMatomoVersion", { token_auth: "TOKEN" });
  expect(r.ms).toBeGreaterThanOrEqual(140);
});

test("scripted faults can target one API method by name, even when it is sent in the body", async () => {
  em.faults.script({ kind: "error", match: /^SitesManager\.addSite$/ });
  expect((await callApi(em.url, "API.getMatomoVersion", { token_auth: "TOKEN" })).status).toBe(200);
  const inBody = await matomoRequest(em.url, { body: "module=API&method=SitesManager.addSite&format=JSON&siteName=x&token_auth=TOKEN" });
  expect(inBody.status).toBeGreaterThanOrEqual(500);
  expect((await addSite()).status).toBe(200);
});

test("random faults are reproducible from their seed", async () => {
  const statuses = async (): Promise<number[]> => {
    const e = await startMatomoEmulator({ token: "TOKEN", faults: { errorRate: 0.5, seed: 42 } });
    try {
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await callApi(e.url, "API.getMatomoVersion", { token_auth: "TOKEN" })).status);
      return out;
    } finally {
      await e.close();
    }
  };
  const first = await statuses();
  expect(first.some((s) => s >= 500) && first.some((s) => s === 200)).toBe(true);
  expect(await statuses()).toEqual(first);
});
