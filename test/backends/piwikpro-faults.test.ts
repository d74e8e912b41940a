import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { PiwikProError } from "../../backends/piwikpro";
import { pendingChanges, planInstance } from "../../engine/plan";
import type { PiwikProInstance } from "../../model/piwikpro";
import { startValidatedPiwikPro, type ValidatedPiwikPro } from "../support/piwikpro";
import { backendFor, callShapes, instanceFor, seedApps, seedUser } from "./piwikpro-fixtures";

/** Flaky networks and servers: 429, 5xx, dropped connections, stalls, lost answers to creates, malformed answers. */
describe("Piwik PRO backend: faults", () => {
  let pp: ValidatedPiwikPro;
  beforeEach(async () => {
    pp = await startValidatedPiwikPro();
  });
  afterEach(async () => pp.close());

  const oneApp = (extra: Record<string, unknown> = {}): PiwikProInstance =>
    instanceFor(pp, { sites: { www: { name: "WWW", urls: ["https://www.example.fr"], tags: { main: { name: "Piwik PRO", template: "piwik" } }, ...extra } } });

  async function applyOnce(instance: PiwikProInstance, backend = backendFor(pp, instance).backend) {
    const live = await backend.read();
    const plan = planInstance("pp", instance, live, { prune: false });
    return { plan, outcome: await backend.apply(plan, live, { prune: false }), backend };
  }

  it("waits as long as a 429's Retry-After asks, then carries on, and says so in the notes", async () => {
    pp.emulator.faults.set({ retryAfterSeconds: 1 });
    pp.emulator.faults.script({ kind: "rate-limit", match: /^apps\.list$/ });
    const { backend, logs } = backendFor(pp, instanceFor(pp), { sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
    const started = Date.now();
    const live = await backend.read();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(logs).toContain("Piwik PRO instance 'pp': GET /api/apps/v2: HTTP 429; retrying in 1000 ms");
    expect(live.notes).toContain("Piwik PRO answered HTTP 429 (rate limited) 1 time(s) so far; Exempt waited as asked.");
  });

  it("does not count 429 answers against the retries of a call: nothing ran", async () => {
    pp.emulator.faults.set({ retryAfterSeconds: 0 });
    for (let i = 0; i < 5; i++) pp.emulator.faults.script({ kind: "rate-limit", match: /^tracker\.global\.get$/ });
    const instance = instanceFor(pp, { client: { retries: 1 } });
    await expect(backendFor(pp, instance).backend.read()).resolves.toBeDefined();
  });

  it("gives up with a clear message when Retry-After asks for longer than Exempt waits", async () => {
    pp.emulator.faults.set({ retryAfterSeconds: 3600 });
    pp.emulator.faults.script({ kind: "rate-limit", match: /^apps\.list$/ });
    await expect(backendFor(pp, instanceFor(pp)).backend.read()).rejects.toThrow(
      "Piwik PRO instance 'pp': GET /api/apps/v2: rate limited (HTTP 429: Too Many Requests (error.too-many-requests)); the server asked to wait 3600 s, longer than Exempt waits (60 s). Try again later.",
    );
  });

  it("reads through 5xx answers, dropped connections and stalls past the timeout", async () => {
    await seedApps(pp, Array.from({ length: 6 }, (_, i) => ({ name: `App ${i}`, urls: [`https://app${i}.example.fr`] })));
    const clean = await backendFor(pp, instanceFor(pp)).backend.read();
    pp.emulator.faults.set({ errorRate: 0.25, dropRate: 0.15, stallRate: 0.05, stallMs: 400, seed: 11 });
    const instance = instanceFor(pp, { client: { retries: 8, timeoutMs: 200 } });
    const { backend, logs } = backendFor(pp, instance);
    const live = await backend.read();
    const injected = pp.emulator.faults.injected;
    expect(injected.error + injected["drop-before"] + injected["drop-after"] + injected.stall).toBeGreaterThan(3);
    expect(live.sites).toEqual(clean.sites);
    expect(logs.some((l) => /retrying in \d+ ms/.test(l))).toBe(true);
  });

  it("stops with a clear error naming the call when a read keeps failing", async () => {
    pp.emulator.faults.set({ errorRate: 1, only: /^users\.list$/ });
    const instance = instanceFor(pp, { client: { retries: 2 } });
    const err = await backendFor(pp, instance).backend.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PiwikProError);
    expect((err as Error).message).toMatch(/^Piwik PRO instance 'pp': GET \/api\/users\/v2: HTTP 50[023]: .+ \(gave up after 3 attempts\)$/);
  });

  it("converges an apply under 5xx answers, dropped connections and stalls: a second run finds nothing to change, and nothing is duplicated", async () => {
    await seedUser(pp, "alice@example.fr");
    const sites: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) sites[`s${i}`] = { name: `Site ${i}`, urls: [`https://s${i}.example.fr`], tags: { main: { name: "Piwik PRO", template: "piwik" } } };
    const instance = instanceFor(pp, { sites: sites as never, access: { users: { "alice@example.fr": { role: "view", sites: "all" } } }, client: { retries: 6, timeoutMs: 200 } });
    pp.emulator.faults.set({ errorRate: 0.2, dropRate: 0.1, stallRate: 0.05, stallMs: 400, seed: 5 });
    let runs = 0;
    let pending = Infinity;
    // A publish lost to a fault leaves the draft unpublished: the next run sees that as drift and
    // publishes it, so convergence may take a run more than the writes alone would.
    while (pending > 0 && runs < 6) {
      runs++;
      const { backend } = backendFor(pp, instance);
      try {
        const live = await backend.read();
        const plan = planInstance("pp", instance, live, { prune: false });
        pending = pendingChanges(plan);
        if (pending > 0) await backend.apply(plan, live, { prune: false });
      } catch (err) {
        // A run may stop with a clear error; the next one picks up from what is live.
        expect(err).toBeInstanceOf(PiwikProError);
      }
    }
    expect(pending).toBe(0);
    expect(runs).toBeLessThanOrEqual(5);
    pp.emulator.faults.reset();
    const state = pp.emulator.state;
    expect(state.appIds()).toHaveLength(5);
    for (const id of state.appIds()) {
      expect(state.tags(id).map((t) => t.attributes.name)).toEqual(["Piwik PRO"]);
      expect(state.draftHasChanges(id)).toBe(false);
    }
    expect(pp.emulator.faults.injected.error + pp.emulator.faults.injected["drop-after"]).toBeGreaterThan(0);
  });

  it.each([
    ["the connection drops after the app was created", "drop-after"],
    ["the answer stalls past the timeout", "stall"],
  ] as const)("finds the app instead of creating it twice when %s", async (_what, kind) => {
    pp.emulator.faults.set({ stallMs: 500 });
    pp.emulator.faults.script({ kind, match: /^apps\.create$/ });
    const instance = oneApp();
    const { backend, logs } = backendFor(pp, { ...instance, client: { ...instance.client, timeoutMs: 250 } });
    const { outcome } = await applyOnce(instance, backend);
    expect(outcome.sites[0]).toMatchObject({ ok: true, wrote: expect.arrayContaining([expect.stringMatching(/^created app \S+ \(found after its answer was lost\)$/)]) });
    expect(pp.emulator.state.appIds()).toHaveLength(1);
    expect(callShapes(pp).filter((c) => c === "POST /api/apps/v2")).toHaveLength(1);
    expect(logs.some((l) => /creating app 'www' \(new\): the answer was lost, but it was created; using it/.test(l))).toBe(true);
  });

  it("creates the app again, once, when a 5xx came before it was created", async () => {
    pp.emulator.faults.script({ kind: "error", match: /^apps\.create$/ });
    const { outcome } = await applyOnce(oneApp());
    expect(outcome.sites[0].ok).toBe(true);
    expect(pp.emulator.state.appIds()).toHaveLength(1);
    // The first POST was answered by the fault layer, unprocessed; the emulator saw only the second.
    expect(pp.emulator.faults.injected.error).toBe(1);
    expect(callShapes(pp).filter((c) => c === "POST /api/apps/v2")).toHaveLength(1);
    // Before sending it again, it looked for the app by the id it had chosen, then among the newest apps.
    const shapes = callShapes(pp);
    expect(shapes.indexOf("GET /api/apps/v2/{id}")).toBeLessThan(shapes.indexOf("POST /api/apps/v2"));
  });

  it("finds a tag whose create lost its answer, and publishes once", async () => {
    pp.emulator.faults.script({ kind: "drop-after", match: /^tags\.create$/ });
    const { outcome } = await applyOnce(oneApp());
    expect(outcome.sites[0]).toMatchObject({ ok: true });
    const [appId] = pp.emulator.state.appIds();
    expect(pp.emulator.state.tags(appId)).toHaveLength(1);
    expect(pp.emulator.state.publishedTags(appId)).toHaveLength(1);
  });

  it("asks again to publish when the answer to the first request was lost and the draft still has changes", async () => {
    pp.emulator.faults.script({ kind: "drop-after", match: /^versions\.publish$/ });
    const { outcome } = await applyOnce(oneApp());
    expect(outcome.sites[0]).toMatchObject({ ok: true, wrote: expect.arrayContaining([expect.stringMatching(/^published the Tag Manager draft/)]) });
    expect(callShapes(pp).filter((c) => c.endsWith("/versions/draft/publish"))).toHaveLength(2);
    expect(callShapes(pp)).toContain("GET /api/tag/v1/{id}/versions/draft");
    const [appId] = pp.emulator.state.appIds();
    expect(pp.emulator.state.draftHasChanges(appId)).toBe(false);
  });

  describe("malformed answers", () => {
    /** A proxy in front of the validated emulator that spoils chosen answers (the emulator itself stays within the contract). */
    async function spoiling(spoil: (method: string, path: string) => { status: number; type: string; body: string } | undefined) {
      const target = new URL(pp.url);
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
            const body: Buffer[] = [];
            answer.on("data", (c: Buffer) => body.push(c));
            answer.on("end", () => {
              const bad = spoil(req.method ?? "GET", (req.url ?? "").split("?")[0]);
              if (bad) {
                res.writeHead(bad.status, { "Content-Type": bad.type });
                res.end(bad.body);
              } else {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                res.end(Buffer.concat(body));
              }
            });
          });
          upstream.end(Buffer.concat(chunks));
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
    }

    it.each([
      ["an HTML page instead of JSON", 200, "text/html", "<html><head><title>Maintenance</title></head><body>back soon</body></html>", /GET \/api\/apps\/v2\/\S+ for app "A" \(\S+\): HTTP 200 with an answer that is not JSON \(text\/html, \d+ bytes, an HTML page titled "Maintenance"\); is http:\/\/127\.0\.0\.1:\d+ the Piwik PRO account address\?/],
      ["a truncated body", 200, "application/vnd.api+json", '{"data":{"type":"ppms/app","id":"x","attri', /GET \/api\/apps\/v2\/\S+ for app "A" \(\S+\): HTTP 200 with an answer that is not JSON \(application\/vnd\.api\+json, \d+ bytes, JSON cut short or damaged\)/],
      ["wrong types", 200, "application/vnd.api+json", '{"data":{"type":"ppms/app","id":"x","attributes":{"name":"A","urls":"https://a.example.fr"}}}', /GET \/api\/apps\/v2\/\S+ for app "A" \(\S+\): the answer does not have the documented shape \(data\.attributes: urls: Invalid input: expected array, received string\)/],
      ["an empty success", 200, "application/vnd.api+json", "", /HTTP 200 with an empty body, where a JSON document was expected/],
    ])("reports %s as a clear error naming the call", async (_what, status, type, body, message) => {
      await seedApps(pp, [{ name: "A", urls: ["https://a.example.fr"] }]);
      const proxy = await spoiling((method, path) => (method === "GET" && /^\/api\/apps\/v2\/[0-9a-f-]{36}$/.test(path) ? { status, type, body } : undefined));
      try {
        const err = await backendFor(pp, instanceFor(proxy)).backend.read().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PiwikProError);
        expect((err as PiwikProError).kind).toBe("malformed");
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message).toMatch(/^Piwik PRO instance 'pp': /);
      } finally {
        await proxy.close();
      }
    });

    it("reports an error answer in no known dialect by its type and size", async () => {
      const proxy = await spoiling((method, path) => (path === "/api/users/v2" ? { status: 400, type: "text/plain", body: "nope" } : undefined));
      try {
        await expect(backendFor(pp, instanceFor(proxy)).backend.read()).rejects.toThrow(`Piwik PRO instance 'pp': GET /api/users/v2: HTTP 400: text/plain, 4 bytes, starting "nope"`);
      } finally {
        await proxy.close();
      }
    });
  });
});
