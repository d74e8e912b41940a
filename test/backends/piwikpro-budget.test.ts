import { rawClient, startValidatedPiwikPro, type ValidatedPiwikPro } from "../support/piwikpro";
import { backendFor, instanceFor } from "./piwikpro-fixtures";

/**
 * The request budget of issue 7: reading 300 apps with their tracker settings and tags costs a
 * fixed number of requests per app, and no more requests are ever in flight than the configured
 * concurrency. Wall time against (requests × latency ÷ concurrency) is measured by the benchmark
 * (`npm run bench`), in a quiet process, not here: a timed test under parallel jest workers
 * measures the machine's load, not the pipeline.
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

  it("reads 300 apps in 4 requests per app plus 4, never more than `concurrency` requests at once", async () => {
    const concurrency = 4;
    pp.emulator.resetStats();
    // A little latency so that requests overlap, and a counter of requests in flight on the server.
    pp.emulator.faults.set({ latencyMs: 5 });
    let inFlight = 0;
    let peak = 0;
    const pick = pp.emulator.faults.pick.bind(pp.emulator.faults);
    pp.emulator.faults.pick = (operation: string) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => inFlight--, 5);
      return pick(operation);
    };
    const { backend } = backendFor(pp, instanceFor(pp, { client: { concurrency } }));
    const live = await backend.read();
    pp.emulator.faults.pick = pick;
    pp.emulator.faults.set({ latencyMs: 0 });
    expect(live.sites).toHaveLength(APPS);
    // token, global settings, users, app list; then per app: the app, its tracker settings, its tag list, its Piwik PRO tag.
    expect(backend.traffic.requests).toBe(4 + 4 * APPS);
    expect(pp.emulator.stats.requests).toBe(backend.traffic.requests);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(concurrency);
  }, 60_000);
});
