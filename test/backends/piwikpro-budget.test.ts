import { rawClient, startValidatedPiwikPro, type ValidatedPiwikPro } from "../support/piwikpro";
import { backendFor, instanceFor } from "./piwikpro-fixtures";

/**
 * The performance budget of issue 7: reading 300 apps with their tracker settings and tags costs
 * a fixed number of requests per app, and with latency on every request takes at most 1.5 times
 * (requests × latency ÷ concurrency): the pipeline stays full at the configured concurrency.
 */
describe("Piwik PRO backend: request budget", () => {
  const APPS = 300;
  let pp: ValidatedPiwikPro;

  beforeAll(async () => {
    pp = await startValidatedPiwikPro();
    // A fresh account: the owner only, 300 apps, each with its Piwik PRO tag.
    const api = rawClient(pp);
    for (let i = 0; i < APPS; i++) {
      const app = await api.post("/api/apps/v2", { data: { type: "ppms/app", attributes: { name: `App ${i}`, urls: [`https://app${i}.example.fr`] } } });
      await api.post(`/api/tag/v1/${app.json.data.id}/tags`, { data: { type: "tag", attributes: { name: "Piwik PRO", template: "piwik", template_options: {} }, relationships: { triggers: { data: [] } } } });
    }
  }, 60_000);
  afterAll(async () => pp.close());

  it("reads 300 apps in 4 requests per app plus 4, and within 1.5 × requests × latency ÷ concurrency", async () => {
    const latencyMs = 20;
    const concurrency = 4;
    // Once without latency first, so that the measure is of the pipeline, not of the JIT warming up.
    await backendFor(pp, instanceFor(pp, { client: { concurrency } })).backend.read();
    pp.emulator.faults.set({ latencyMs });
    let best = Infinity;
    let ideal = 0;
    // The emulator shares this process (and the machine shares other test workers): as benchmarks
    // do, a second run is allowed to keep that noise out; both must cost exactly the same requests.
    for (let run = 0; run < 2 && best > 1.5 * ideal; run++) {
      pp.emulator.resetStats();
      const { backend } = backendFor(pp, instanceFor(pp, { client: { concurrency } }));
      const started = Date.now();
      const live = await backend.read();
      const elapsed = Date.now() - started;
      expect(live.sites).toHaveLength(APPS);
      // token, global settings, users, app list; then per app: the app, its tracker settings, its tag list, its Piwik PRO tag.
      expect(backend.traffic.requests).toBe(4 + 4 * APPS);
      expect(pp.emulator.stats.requests).toBe(backend.traffic.requests);
      ideal = (backend.traffic.requests * latencyMs) / concurrency;
      best = Math.min(best, elapsed);
      process.stdout.write(`piwikpro budget: ${APPS} apps, ${backend.traffic.requests} requests, ${elapsed} ms at ${latencyMs} ms latency and concurrency ${concurrency} (ideal ${ideal} ms, ratio ${(elapsed / ideal).toFixed(2)})\n`);
    }
    pp.emulator.faults.set({ latencyMs: 0 });
    expect(best).toBeLessThanOrEqual(1.5 * ideal);
  }, 60_000);
});
