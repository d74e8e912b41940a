/**
 * The emulator's call log, which tests use to check what a client sent ("updateSite was called
 * once, with these fields"): one entry per API method run, bulk sub-requests flattened.
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

test("each API call is logged with its parsed parameters, without token or passwords", async () => {
  await callApi(em.url, "SitesManager.addSite", { siteName: "A & B", urls: ["https://a.example.org", "https://b.example.org"], token_auth: "TOKEN" });
  await callApi(em.url, "PrivacyManager.setDeleteLogsSettings", { enableDeleteLogs: "1", deleteLogsOlderThan: "90", passwordConfirmation: "PASSWORD", token_auth: "TOKEN" });
  expect(em.calls).toEqual([
    { method: "SitesManager.addSite", params: { siteName: "A & B", urls: ["https://a.example.org", "https://b.example.org"] }, viaBulk: false, httpRequest: 1, login: "admin" },
    { method: "PrivacyManager.setDeleteLogsSettings", params: { enableDeleteLogs: "1", deleteLogsOlderThan: "90" }, viaBulk: false, httpRequest: 2, login: "admin" },
  ]);
  expect(JSON.stringify(em.calls)).not.toContain("TOKEN");
  expect(JSON.stringify(em.calls)).not.toContain("PASSWORD");
});

test("a bulk request is logged as its sub-requests, each with viaBulk and the index of the HTTP request", async () => {
  await callApi(em.url, "API.getMatomoVersion", { token_auth: "TOKEN" });
  const body = bulkBody(
    ["method=SitesManager.updateSite&idSite=1&siteName=Renamed&parameters[a][b]=c", "method=SitesManager.getSiteFromId&idSite=1"],
    { token_auth: "TOKEN", filter_limit: "-1" },
  );
  await matomoRequest(em.url, { query: "module=API&method=API.getBulkRequest&format=JSON", body });
  expect(em.calls.map((c) => [c.method, c.viaBulk, c.httpRequest])).toEqual([
    ["API.getMatomoVersion", false, 1],
    ["SitesManager.updateSite", true, 2],
    ["SitesManager.getSiteFromId", true, 2],
  ]);
  // Sub-requests inherit the outer parameters (here filter_limit), never `urls`.
  expect(em.calls[1].params).toEqual({ idSite: "1", siteName: "Renamed", parameters: { a: { b: "c" } }, filter_limit: "-1" });
  // The row limit Matomo applies by default shapes answers but is not something the client sent.
  await matomoRequest(em.url, { query: "module=API&method=API.getBulkRequest&format=JSON", body: bulkBody(["method=API.getMatomoVersion"], { token_auth: "TOKEN" }) });
  expect(em.calls[3].params).toEqual({});
});

test("failed calls are logged with their error, and resetCalls empties the log", async () => {
  await callApi(em.url, "SitesManager.getSiteFromId", { idSite: "99", token_auth: "TOKEN" });
  expect(em.calls).toHaveLength(1);
  expect(em.calls[0].error).toBe("An unexpected website was found in the request: website id was set to '99' .");
  em.resetCalls();
  expect(em.calls).toHaveLength(0);
  await callApi(em.url, "API.getMatomoVersion", { token_auth: "TOKEN" });
  expect(em.calls).toHaveLength(1);
});

test("the test-only endpoint shows the privacy option rows a setter wrote", async () => {
  await callApi(em.url, "PrivacyManager.setAnonymizeIpSettings", { anonymizeIPEnable: "1", maskLength: "2", useAnonymizedIpForVisitEnrichment: "0", token_auth: "TOKEN" });
  const rows = await matomoRequest(em.url, { method: "GET", path: "/__emulator__/options" });
  expect(rows.json).toEqual([
    { option_name: "PrivacyManager.anonymizeReferrer", option_value: "", autoload: 0 },
    { option_name: "PrivacyManager.ipAddressMaskLength", option_value: "2", autoload: 0 },
    { option_name: "PrivacyManager.ipAnonymizerEnabled", option_value: "1", autoload: 0 },
    { option_name: "PrivacyManager.useAnonymizedIpForVisitEnrichment", option_value: "0", autoload: 0 },
  ]);
  expect(await em.privacyOptions()).toEqual({
    "PrivacyManager.anonymizeReferrer": "",
    "PrivacyManager.ipAddressMaskLength": "2",
    "PrivacyManager.ipAnonymizerEnabled": "1",
    "PrivacyManager.useAnonymizedIpForVisitEnrichment": "0",
  });
});

test("the test-only endpoint can be switched off", async () => {
  const quiet = await startMatomoEmulator({ token: "TOKEN", testEndpoints: false });
  try {
    expect((await matomoRequest(quiet.url, { method: "GET", path: "/__emulator__/options" })).status).toBe(404);
  } finally {
    await quiet.close();
  }
});
