/**
 * The emulator must stay fast at fleet size: the benchmark seeds thousands of sites through bulk
 * addSite and reads them all back in a few requests. 3,000 sites here keep the suite quick while
 * catching anything quadratic.
 */
import { MatomoEmulator, startMatomoEmulator } from "../../emulators/matomo";
import { bulkBody, callApi, matomoRequest } from "../support/sandbox-process";

const SITES = 3000;
const BATCH = 500;
const BULK = "module=API&method=API.getBulkRequest&format=JSON";

let em: MatomoEmulator;

beforeAll(async () => {
  em = await startMatomoEmulator({ token: "TOKEN" });
});

afterAll(async () => {
  await em.close();
});

test(`seeding ${SITES} sites in bulk requests of ${BATCH} and reading them all back takes seconds, not minutes`, async () => {
  const started = Date.now();
  for (let from = 0; from < SITES; from += BATCH) {
    const subs = Array.from({ length: BATCH }, (_, i) => {
      const n = from + i;
      return `method=SitesManager.addSite&siteName=Site ${n}&urls[]=${encodeURIComponent(`https://s${n}.example.org`)}&urls[]=${encodeURIComponent(`https://www.s${n}.example.org`)}`;
    });
    const r = await matomoRequest(em.url, { query: BULK, body: bulkBody(subs, { token_auth: "TOKEN", filter_limit: "-1" }) });
    expect((r.json as unknown[]).every((x) => typeof (x as { value?: unknown }).value === "number")).toBe(true);
  }
  const seeded = Date.now();

  const sites = await callApi(em.url, "SitesManager.getSitesWithAdminAccess", { token_auth: "TOKEN", filter_limit: "-1", fetchAliasUrls: "1" });
  const rows = sites.json as { idsite: number; alias_urls: string[] }[];
  expect(rows).toHaveLength(SITES + 1);
  expect(rows[SITES]).toMatchObject({ idsite: SITES + 1, alias_urls: [`https://s${SITES - 1}.example.org`, `https://www.s${SITES - 1}.example.org`] });

  let containers = 0;
  for (let from = 1; from <= SITES + 1; from += BATCH) {
    const subs = Array.from({ length: Math.min(BATCH, SITES + 2 - from) }, (_, i) => `method=TagManager.getContainers&idSite=${from + i}`);
    const r = await matomoRequest(em.url, { query: BULK, body: bulkBody(subs, { token_auth: "TOKEN", filter_limit: "-1" }) });
    containers += (r.json as unknown[][]).reduce((n, list) => n + list.length, 0);
  }
  expect(containers).toBe(SITES + 1);
  const read = Date.now();

  // Generous bounds for a loaded 2-core CI machine; locally this is well under a second each.
  expect(seeded - started).toBeLessThan(10_000);
  expect(read - seeded).toBeLessThan(5_000);
}, 60_000);

test("100 single-site reads among thousands stay fast", async () => {
  const started = Date.now();
  for (let i = 0; i < 100; i++) {
    const r = await callApi(em.url, "SitesManager.getSiteFromId", { idSite: String(1 + ((i * 37) % SITES)), token_auth: "TOKEN" });
    expect(r.status).toBe(200);
  }
  expect(Date.now() - started).toBeLessThan(3_000);
});
