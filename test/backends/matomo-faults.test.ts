import type { Change, LiveInstance, SitePlan } from "../../engine/types";
import type { MatomoEmulator } from "../../emulators/matomo";
import type { MatomoSite } from "../../model/matomo";
import { backendFor, declareInstance, declareSite, planOf, rawCall, seedSites, startEmulator, TOKEN_ENV } from "./matomo-fixtures";

/**
 * Faults injected by the emulator (5xx, dropped connections before and after the work, stalls past
 * the timeout, 429 bursts): reads and idempotent writes are retried and converge; a create is
 * sent again only after checking that it did not happen; a refused token is never retried.
 */
const create = (siteKey: string, desired: MatomoSite, changes: Change[] = []): SitePlan => ({ siteKey, operation: "create", changes, desired });

function updateAll(live: LiveInstance, sites: Record<string, MatomoSite>): SitePlan[] {
  return Object.entries(sites).map(([key, desired]) => {
    const site = live.sites.find((s) => s.urls[0] === desired.urls[0])!;
    return { siteKey: key, productId: site.productId, live: site, operation: "update", desired, changes: [{ area: "site", siteKey: key, field: "name", live: site.name, desired: desired.name }] };
  });
}

function fleet(count: number, name = (i: number) => `Site ${i}`): Record<string, MatomoSite> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`s${i}`, declareSite({ name: name(i), urls: [`https://site${i}.example.org`] })]));
}

async function sitesWithUrl(emulator: MatomoEmulator, url: string): Promise<number> {
  const rows = (await rawCall(emulator, "SitesManager.getSitesWithAdminAccess")) as Array<{ main_url: string }>;
  return rows.filter((r) => r.main_url === url).length;
}

describe("faults", () => {
  let emulator: MatomoEmulator;
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await emulator.close();
  });

  test("with a fifth of the requests answered 5xx, a read and an apply of 40 sites still converge", async () => {
    await seedSites(emulator, 40);
    const sites = fleet(40, (i) => `Renamed ${i}`);
    const { backend, logs } = backendFor(declareInstance(emulator.url, { sites }), { retries: 8, concurrency: 2 });
    emulator.faults.set({ errorRate: 0.2, seed: 7 });
    const live = await backend.read();
    const outcome = await backend.apply(planOf(live, updateAll(live, sites)), live, { prune: false });
    expect(outcome.sites.filter((s) => !s.ok)).toEqual([]);
    emulator.faults.reset();
    const after = await backend.read();
    expect(after.sites.filter((s) => s.name.startsWith("Renamed"))).toHaveLength(40);
    expect(emulator.faults.injected.error).toBeGreaterThan(0);
    expect(logs.some((l) => /HTTP 50\d; retrying in \d+ ms/.test(l))).toBe(true);
  });

  test("with dropped connections, before and after the work, reads and updates converge", async () => {
    await seedSites(emulator, 10);
    const sites = fleet(10, (i) => `Dropped ${i}`);
    const { backend } = backendFor(declareInstance(emulator.url, { sites }), { retries: 8 });
    emulator.faults.set({ dropRate: 0.3, seed: 3 });
    const live = await backend.read();
    const outcome = await backend.apply(planOf(live, updateAll(live, sites)), live, { prune: false });
    expect(outcome.sites.every((s) => s.ok)).toBe(true);
    emulator.faults.reset();
    expect((await backend.read()).sites.filter((s) => s.name.startsWith("Dropped"))).toHaveLength(10);
    expect(emulator.faults.injected["drop-before"] + emulator.faults.injected["drop-after"]).toBeGreaterThan(0);
  });

  test("a create whose answer is lost after Matomo made the site creates no duplicate", async () => {
    const www = declareSite({ name: "New", urls: ["https://new.example.gouv.fr"] });
    const { backend, logs } = backendFor(declareInstance(emulator.url, { sites: { www } }));
    const live = await backend.read();
    emulator.resetCalls();
    emulator.faults.script({ kind: "drop-after", match: /getBulkRequest|addSite/ });
    const outcome = await backend.apply(planOf(live, [create("www", www)]), live, { prune: false });
    expect(outcome.sites[0]).toMatchObject({ ok: true, productId: "2" });
    expect(outcome.sites[0].wrote[0]).toMatch(/the answer was lost, the site was found by its URL/);
    expect(await sitesWithUrl(emulator, "https://new.example.gouv.fr")).toBe(1);
    expect(emulator.calls.filter((c) => c.method === "SitesManager.addSite")).toHaveLength(1);
    expect(logs.join("\n")).not.toMatch(/sending .* again/);
  });

  test("a create lost before Matomo saw it is sent again, once, after checking", async () => {
    const www = declareSite({ name: "New", urls: ["https://new.example.gouv.fr"] });
    const { backend } = backendFor(declareInstance(emulator.url, { sites: { www } }), { timeoutMs: 300 });
    const live = await backend.read();
    emulator.resetCalls();
    emulator.faults.script({ kind: "drop-before", match: /getBulkRequest|addSite/ });
    const outcome = await backend.apply(planOf(live, [create("www", www)]), live, { prune: false });
    expect(outcome.sites[0]).toMatchObject({ ok: true, productId: "2", wrote: ["SitesManager.addSite (idSite 2)"] });
    expect(await sitesWithUrl(emulator, "https://new.example.gouv.fr")).toBe(1);
    expect(emulator.calls.map((c) => c.method).filter((m) => m !== "SitesManager.getSitesWithAdminAccess")).toEqual([
      "SitesManager.getSitesIdFromSiteUrl",
      "SitesManager.getSitesIdFromSiteUrl",
      "SitesManager.addSite",
    ]);
  });

  test("a create whose answer stalls past the timeout is found, not made twice", async () => {
    const www = declareSite({ name: "Slow", urls: ["https://slow.example.gouv.fr"] });
    const { backend } = backendFor(declareInstance(emulator.url, { sites: { www } }), { timeoutMs: 300 });
    const live = await backend.read();
    emulator.faults.set({ stallMs: 800 });
    emulator.faults.script({ kind: "stall", match: /getBulkRequest|addSite/ });
    const outcome = await backend.apply(planOf(live, [create("www", www)]), live, { prune: false });
    expect(outcome.sites[0]).toMatchObject({ ok: true, productId: "2" });
    expect(await sitesWithUrl(emulator, "https://slow.example.gouv.fr")).toBe(1);
  });

  test("a read that stalls past the timeout is retried and succeeds", async () => {
    const { backend, logs } = backendFor(declareInstance(emulator.url), { timeoutMs: 300 });
    emulator.faults.set({ stallMs: 800 });
    emulator.faults.script({ kind: "stall" });
    const started = Date.now();
    await expect(backend.read()).resolves.toMatchObject({ version: "5.1.2" });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(logs.join("\n")).toMatch(/no answer within 300 ms \(timeout\)|timeout/);
  });

  test("a 429 is retried after the Retry-After the server asked for", async () => {
    const { backend, logs } = backendFor(declareInstance(emulator.url));
    emulator.faults.set({ retryAfterSeconds: 1 });
    emulator.faults.script({ kind: "rate-limit" }, { kind: "rate-limit" });
    const started = Date.now();
    await backend.read();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(logs.filter((l) => /HTTP 429; retrying in 1000 ms/.test(l))).toHaveLength(2);
  });

  test("a server that keeps failing gives a clear error naming the call, after the configured retries", async () => {
    const { backend } = backendFor(declareInstance(emulator.url), { retries: 2 });
    emulator.faults.set({ errorRate: 1 });
    await expect(backend.read()).rejects.toThrow(/Matomo instance 'stats': API\.getBulkRequest \(API\.getMatomoVersion, .*answered HTTP 50\d.*gave up after 3 attempts/);
    expect(emulator.stats.requests).toBe(3);
  });

  test("an application error is not retried", async () => {
    await seedSites(emulator, 1);
    const bad = declareSite({ name: "Site 0", urls: ["https://site0.example.org"], currency: "XXX" as never });
    const { backend } = backendFor(declareInstance(emulator.url, { sites: { bad } }));
    const live = await backend.read();
    emulator.resetStats();
    const outcome = await backend.apply(planOf(live, updateAll(live, { bad })), live, { prune: false });
    expect(outcome.sites[0].error).toMatch(/SitesManager\.updateSite for site bad \(idSite 2\): Matomo said: The currency "XXX" is not valid/);
    expect(emulator.stats.requests).toBe(1);
  });
});

describe("authentication", () => {
  let emulator: MatomoEmulator;
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await emulator.close();
  });

  test("a refused token fails at once, is never retried, and the message names the variable, not the value", async () => {
    const wrong = "0123456789abcdef0123456789abcdef";
    const { backend } = backendFor(declareInstance(emulator.url), { retries: 5 }, { [TOKEN_ENV]: wrong });
    const err = await backend.read().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/the token in \$EXEMPT_TEST_MATOMO_TOKEN was refused by Matomo \(HTTP 401: Unable to authenticate/);
    expect(err?.message).toMatch(/not retried/);
    expect(err?.message).not.toContain(wrong);
    expect(emulator.stats.requests).toBe(1);
    expect(emulator.failedLoginsFrom("127.0.0.1")).toBe(1);
    // Anything asked afterwards is refused without another failed login.
    await expect(backend.read()).rejects.toThrow(/was refused/);
    expect(emulator.stats.requests).toBe(1);
  });

  test("a missing token variable is reported by name before anything is sent", async () => {
    const { backend } = backendFor(declareInstance(emulator.url), {}, {});
    await expect(backend.read()).rejects.toThrow(/environment variable EXEMPT_TEST_MATOMO_TOKEN is not set/);
    expect(emulator.stats.requests).toBe(0);
  });

  test("a lockout is reported as such and not retried", async () => {
    for (let i = 0; i < 21; i++)
      await fetch(`${emulator.url}/index.php?module=API&method=API.getMatomoVersion&format=JSON`, { method: "POST", body: new URLSearchParams({ token_auth: "0123456789abcdef0123456789abcdef" }) });
    emulator.resetStats();
    const { backend } = backendFor(declareInstance(emulator.url), { retries: 5 });
    await expect(backend.read()).rejects.toThrow(/locked this client out after too many failed logins \(HTTP 500\).*Nothing was retried.*EXEMPT_TEST_MATOMO_TOKEN/);
    expect(emulator.stats.requests).toBe(1);
  });
});

/** Makes the emulator drop the connection after running the n-th bulk request of what follows. */
function dropAfterBulk(emulator: MatomoEmulator, n: number): void {
  const pick = emulator.faults.pick.bind(emulator.faults);
  let seen = 0;
  emulator.faults.pick = (operation: string) => (operation.startsWith("API.getBulkRequest") && ++seen === n ? "drop-after" : pick(operation));
}

describe("Tag Manager creates under faults", () => {
  test("a container version whose answer is lost is recognised by its name, and published once", async () => {
    const emulator = await startEmulator();
    try {
      const www = declareSite({ name: "First Site", urls: ["https://first.example.org"], tagManager: { containers: { main: { matomoConfiguration: { disableCookies: true } } } } });
      const { backend } = backendFor(declareInstance(emulator.url, { sites: { www } }));
      const live = await backend.read();
      emulator.resetCalls();
      dropAfterBulk(emulator, 2); // 1: the variable update, 2: createContainerVersion
      const plan = planOf(live, [{ siteKey: "www", productId: "1", live: live.sites[0], operation: "update", desired: www, changes: [{ area: "tagmanager", field: "tagManager.containers.main.matomoConfiguration.disableCookies", live: false, desired: true }] }]);
      const outcome = await backend.apply(plan, live, { prune: false });
      expect(outcome.sites[0]).toMatchObject({ ok: true });
      expect(outcome.sites[0].wrote.join("\n")).toMatch(/createContainerVersion exempt-.* \(already created\)/);
      const methods = emulator.calls.map((c) => c.method);
      expect(methods.filter((m) => m === "TagManager.createContainerVersion")).toHaveLength(2);
      expect(emulator.calls.filter((c) => c.method === "TagManager.createContainerVersion" && !c.error)).toHaveLength(1);
      expect(methods.filter((m) => m === "TagManager.publishContainerVersion")).toHaveLength(1);
      const container = (await backend.read()).sites[0].containers![0];
      expect(container.liveVersionId).not.toBe(live.sites[0].containers![0].liveVersionId);
    } finally {
      await emulator.close();
    }
  });

  test("a delete whose answer is lost is sent again and finds the site gone", async () => {
    const emulator = await startEmulator();
    try {
      await seedSites(emulator, 1);
      const gone = declareSite({ name: "Site 0", urls: ["https://site0.example.org"], remove: true, deletionProtection: false });
      const { backend } = backendFor(declareInstance(emulator.url, { sites: { gone } }));
      const live = await backend.read();
      dropAfterBulk(emulator, 1);
      const outcome = await backend.apply(planOf(live, [{ siteKey: "gone", productId: "2", operation: "delete", changes: [], desired: gone }]), live, { prune: true });
      expect(outcome.sites[0]).toMatchObject({ ok: true, wrote: ["SitesManager.deleteSite (idSite 2) (it was already gone)"] });
      expect((await backend.read()).sites.map((s) => s.productId)).toEqual(["1"]);
    } finally {
      await emulator.close();
    }
  });

  test("a container whose create answer is lost is found by name and completed, not made twice", async () => {
    const emulator = await startEmulator();
    try {
      const www = declareSite({ name: "First Site", urls: ["https://first.example.org"], tagManager: { containers: { extra: { name: "Exempt container", matomoConfiguration: { disableCookies: true } } } } });
      const { backend } = backendFor(declareInstance(emulator.url, { sites: { www } }));
      const live = await backend.read();
      emulator.faults.script({ kind: "drop-after", match: /getBulkRequest|addContainer/ });
      const plan = planOf(live, [{ siteKey: "www", productId: "1", live: live.sites[0], operation: "update", desired: www, changes: [{ area: "tagmanager", field: "containers.extra", live: undefined, desired: "x" }] }]);
      const outcome = await backend.apply(plan, live, { prune: false });
      expect(outcome.sites[0]).toMatchObject({ ok: true });
      expect(outcome.sites[0].wrote.join("\n")).toMatch(/the answer was lost, the container was found by its name/);
      const containers = (await backend.read()).sites[0].containers!;
      expect(containers.filter((c) => c.name === "Exempt container")).toHaveLength(1);
      expect(containers.find((c) => c.name === "Exempt container")?.matomoConfiguration?.settings.disableCookies).toBe(true);
    } finally {
      await emulator.close();
    }
  });
});
