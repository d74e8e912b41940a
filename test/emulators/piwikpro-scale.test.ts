import { rawClient, startValidatedPiwikPro } from "../support/piwikpro";

/**
 * The benchmark's shape: 300 apps, each with tracker overrides and a Piwik PRO tag, then read back
 * the way a plan reads an account, with a handful of requests in flight. The emulator must not be
 * what makes that slow.
 */
describe("Piwik PRO emulator: an account of 300 apps", () => {
  it("builds and reads back 300 apps with settings and tags, every exchange within the contract", async () => {
    const pp = await startValidatedPiwikPro();
    try {
      const api = rawClient(pp);
      const inParallel = async <T>(items: T[], width: number, work: (item: T) => Promise<void>) => {
        const queue = [...items];
        await Promise.all(Array.from({ length: width }, async () => {
          for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
        }));
      };
      const started = Date.now();
      const ids: string[] = [];
      await inParallel([...Array(300).keys()], 8, async (i) => {
        const app = await api.post("/api/apps/v2", { data: { type: "ppms/app", attributes: { name: `Site ${i}`, urls: [`https://site${i}.example.gouv.fr`] } } });
        const id = app.json.data.id;
        ids.push(id);
        await api.patch(`/api/tracker/v2/settings/app/${id}`, { data: { type: "tracker/settings/app", id, attributes: { exclude_unknown_urls: true } } });
        await api.post(`/api/tag/v1/${id}/tags`, { data: { type: "tag", attributes: { name: "Piwik PRO", template: "piwik", template_options: {}, consent_type: "analytics" } } });
      });
      const built = Date.now();

      const listed = await api.get("/api/apps/v2?limit=1000");
      expect(listed.json.meta.total).toBe(300);
      await inParallel(ids, 8, async (id) => {
        const [app, settings, tags, draft] = await Promise.all([
          api.get(`/api/apps/v2/${id}`),
          api.get(`/api/tracker/v2/settings/app/${id}`),
          api.get(`/api/tag/v1/${id}/tags?filter[template]=piwik`),
          api.get(`/api/tag/v1/${id}/versions/draft`),
        ]);
        expect([app.status, settings.json.data.attributes.exclude_unknown_urls, tags.json.meta.total, draft.json.data.attributes.has_changes]).toEqual([200, true, 1, true]);
      });
      const read = Date.now();
      // Generous bounds: they catch an accidentally quadratic emulator, not a slow machine.
      expect(built - started).toBeLessThan(20000);
      expect(read - built).toBeLessThan(20000);
      expect(pp.exchanges).toBeGreaterThanOrEqual(300 * 3 + 1 + 300 * 4);
    } finally {
      await pp.close();
    }
  });
});
