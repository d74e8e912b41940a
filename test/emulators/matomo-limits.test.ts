/**
 * The sizes a fleet reaches: Matomo's default of 100 rows on list results (bulk results
 * included), `filter_limit=-1`, and PHP's `max_input_vars`, which silently drops form fields.
 */
import { MatomoEmulator, startMatomoEmulator } from "../../emulators/matomo";
import { bulkBody, callApi, matomoRequest } from "../support/sandbox-process";

let em: MatomoEmulator;

beforeEach(async () => {
  em = await startMatomoEmulator({ token: "TOKEN" });
});

afterEach(async () => {
  await em.close();
});

const BULK = "module=API&method=API.getBulkRequest&format=JSON";
const addSites = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `method=SitesManager.addSite&siteName=S${from + i}&urls[]=${encodeURIComponent(`https://s${from + i}.example.org`)}`);

describe("the 100-row default limit", () => {
  test("a bulk request of 120 addSite creates 120 sites but answers only 100 results", async () => {
    const r = await matomoRequest(em.url, { query: BULK, body: bulkBody(addSites(1, 120), { token_auth: "TOKEN" }) });
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(100);
    expect((r.json as unknown[])[99]).toEqual({ value: 101 });
    const ids = await callApi(em.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: "TOKEN", filter_limit: "-1" });
    expect(ids.json).toHaveLength(121);
    expect(em.calls.filter((c) => c.method === "SitesManager.addSite")).toHaveLength(120);
  });

  test("lists of sites are cut at 100 rows unless filter_limit=-1", async () => {
    await matomoRequest(em.url, { query: BULK, body: bulkBody(addSites(1, 120), { token_auth: "TOKEN", filter_limit: "-1" }) });
    expect((await callApi(em.url, "SitesManager.getSitesWithAdminAccess", { token_auth: "TOKEN" })).json).toHaveLength(100);
    expect((await callApi(em.url, "SitesManager.getSitesWithAdminAccess", { token_auth: "TOKEN", filter_limit: "-1" })).json).toHaveLength(121);
    const page = await callApi(em.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: "TOKEN", filter_limit: "5", filter_offset: "10" });
    expect(page.json).toEqual([11, 12, 13, 14, 15]);
  });

  test("sub-requests inherit the outer limit: a list inside a bulk is cut at 100 too", async () => {
    await matomoRequest(em.url, { query: BULK, body: bulkBody(addSites(1, 120), { token_auth: "TOKEN", filter_limit: "-1" }) });
    const cut = await matomoRequest(em.url, { query: BULK, body: bulkBody(["method=SitesManager.getSitesIdWithAdminAccess"], { token_auth: "TOKEN" }) });
    expect((cut.json as unknown[][])[0]).toHaveLength(100);
    const all = await matomoRequest(em.url, { query: BULK, body: bulkBody(["method=SitesManager.getSitesIdWithAdminAccess"], { token_auth: "TOKEN", filter_limit: "-1" }) });
    expect((all.json as unknown[][])[0]).toHaveLength(121);
  });

  test("getAllSites is a list under the limit and an object keyed by idsite with filter_limit=-1", async () => {
    const limited = await callApi(em.url, "SitesManager.getAllSites", { token_auth: "TOKEN" });
    expect(Array.isArray(limited.json)).toBe(true);
    const all = await callApi(em.url, "SitesManager.getAllSites", { token_auth: "TOKEN", filter_limit: "-1" });
    expect(Object.keys(all.json as object)).toEqual(["1"]);
  });
});

describe("PHP max_input_vars (1,000)", () => {
  const versions = (n: number) => Array.from({ length: n }, () => "method=API.getMatomoVersion");
  // The token comes last, as in the recordings: the fields past the limit are the ones lost.
  const body = (n: number) => `${versions(n).map((s) => `urls%5B%5D=${encodeURIComponent(s)}`).join("&")}&filter_limit=-1&token_auth=TOKEN`;

  test("999 sub-requests plus filter_limit and the token all arrive", async () => {
    const r = await matomoRequest(em.url, { query: BULK, body: body(999) });
    expect(r.json).toHaveLength(999);
    expect((r.json as unknown[]).every((x) => JSON.stringify(x) === '{"value":"5.1.2"}')).toBe(true);
  });

  test("with 1,000 sub-requests the token is lost: HTTP 200 and 1,000 access errors, every sub-request run as anonymous", async () => {
    const r = await matomoRequest(em.url, { query: BULK, body: body(1000) });
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(1000);
    expect(new Set((r.json as unknown[]).map((x) => JSON.stringify(x)))).toEqual(
      new Set(['{"result":"error","message":"You can\'t access this resource as it requires view access for at least one website."}']),
    );
    expect(em.calls.filter((c) => c.viaBulk && c.login === "anonymous")).toHaveLength(1000);
  });

  test("with 1,001 sub-requests filter_limit is lost as well: 100 results", async () => {
    const r = await matomoRequest(em.url, { query: BULK, body: body(1001) });
    expect(r.json).toHaveLength(100);
    expect(em.calls).toHaveLength(1001);
  });

  test("the query string keeps 1,000 fields", async () => {
    const fields = Array.from({ length: 999 }, (_, i) => `f${i}=x`).join("&");
    const kept = await matomoRequest(em.url, { query: `${fields}&module=API`, body: "method=API.getMatomoVersion&format=JSON&token_auth=TOKEN" });
    expect(kept.body).toBe('{"value":"5.1.2"}');
    const lost = await matomoRequest(em.url, { query: `${fields}&x=1&module=API`, body: "method=API.getMatomoVersion&format=JSON&token_auth=TOKEN" });
    expect(lost.headers["content-type"]).toBe("text/html; charset=utf-8");
  });
});
