/**
 * SitesManager behaviour beyond what the transcript replay pins down (the replay normalises
 * timestamps, and never switches numbers to strings or manages alias URLs).
 */
import { MatomoEmulator, startMatomoEmulator } from "../../emulators/matomo";
import { callApi } from "../support/sandbox-process";

let em: MatomoEmulator;

beforeEach(async () => {
  em = await startMatomoEmulator({ token: "TOKEN" });
});

afterEach(async () => {
  await em.close();
});

const api = (method: string, params: Record<string, string | string[]> = {}) => callApi(em.url, method, { ...params, token_auth: "TOKEN" });

test("startDate becomes ts_created at midnight", async () => {
  await api("SitesManager.addSite", { siteName: "Dated", urls: ["https://d.example.org"], startDate: "2024-01-15" });
  expect((await api("SitesManager.getSiteFromId", { idSite: "2" })).json).toMatchObject({ ts_created: "2024-01-15 00:00:00" });
});

test("timezone and currency names follow Matomo's labels", async () => {
  await api("SitesManager.addSite", { siteName: "Paris", urls: ["https://p.example.org"], timezone: "Europe/Paris", currency: "EUR" });
  await api("SitesManager.addSite", { siteName: "Nouméa", urls: ["https://n.example.org"], timezone: "Pacific/Noumea", currency: "XPF" });
  expect((await api("SitesManager.getSiteFromId", { idSite: "2" })).json).toMatchObject({ timezone_name: "France", currency_name: "Euro" });
  expect((await api("SitesManager.getSiteFromId", { idSite: "3" })).json).toMatchObject({ timezone: "Pacific/Noumea", currency: "XPF" });
  const bad = await api("SitesManager.updateSite", { idSite: "2", timezone: "Europe/Atlantis" });
  expect(bad.body).toBe('{"result":"error","message":"The timezone &quot;Europe\\/Atlantis&quot; is not valid. Please enter a valid timezone."}');
});

test("numbersAsStrings answers SitesManager integers as strings, as Matomo did before PHP 8.1", async () => {
  const old = await startMatomoEmulator({ token: "TOKEN", numbersAsStrings: true });
  try {
    const site = await callApi(old.url, "SitesManager.getSiteFromId", { idSite: "1", token_auth: "TOKEN" });
    expect(site.json).toMatchObject({ idsite: "1", ecommerce: "0", sitesearch: "1", exclude_unknown_urls: "0", keep_url_fragment: "0" });
    expect((await callApi(old.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: "TOKEN" })).body).toBe('["1"]');
  } finally {
    await old.close();
  }
});

test("version sets what API.getMatomoVersion answers", async () => {
  const other = await startMatomoEmulator({ token: "TOKEN", version: "4.16.1" });
  try {
    expect((await callApi(other.url, "API.getMatomoVersion", { token_auth: "TOKEN" })).body).toBe('{"value":"4.16.1"}');
  } finally {
    await other.close();
  }
});

test("alias URLs can be added and replaced; the main URL stays first", async () => {
  await api("SitesManager.addSite", { siteName: "A", urls: ["https://a.example.org"] });
  expect((await api("SitesManager.addSiteAliasUrls", { idSite: "2", urls: ["https://z.example.org", "https://b.example.org/"] })).json).toEqual({ value: 2 });
  expect((await api("SitesManager.getSiteUrlsFromId", { idSite: "2" })).json).toEqual(["https://a.example.org", "https://b.example.org", "https://z.example.org"]);
  await api("SitesManager.setSiteAliasUrls", { idSite: "2", urls: ["https://c.example.org"] });
  expect((await api("SitesManager.getSiteUrlsFromId", { idSite: "2" })).json).toEqual(["https://a.example.org", "https://c.example.org"]);
});

test("getSitesIdFromSiteUrl matches regardless of scheme, www and trailing slash", async () => {
  await api("SitesManager.addSite", { siteName: "A", urls: ["https://www.a.example.org", "https://alias.example.net"] });
  expect((await api("SitesManager.getSitesIdFromSiteUrl", { url: "http://a.example.org/" })).json).toEqual([{ idsite: 2 }]);
  expect((await api("SitesManager.getSitesIdFromSiteUrl", { url: "alias.example.net" })).json).toEqual([{ idsite: 2 }]);
  expect((await api("SitesManager.getSitesIdFromSiteUrl", { url: "https://nowhere.example.org" })).json).toEqual([]);
});

test("deleting a site removes its containers and access; the last site cannot be deleted", async () => {
  await api("SitesManager.addSite", { siteName: "A", urls: ["https://a.example.org"] });
  await api("UsersManager.setUserAccess", { userLogin: "anonymous", access: "view", idSites: "2" });
  expect((await api("SitesManager.deleteSite", { idSite: "2" })).body).toBe('{"result":"success","message":"ok"}');
  expect((await api("UsersManager.getSitesAccessFromUser", { userLogin: "anonymous" })).json).toEqual([]);
  expect((await api("TagManager.getContainers", { idSite: "2" })).json).toEqual([]);
  const last = await api("SitesManager.deleteSite", { idSite: "1" });
  expect(last.json).toMatchObject({ result: "error" });
  expect((await api("SitesManager.getSitesIdWithAdminAccess")).json).toEqual([1]);
});

test("instance-wide exclusions read false until set, then what was set; bad IPs are refused", async () => {
  expect((await api("SitesManager.getExcludedIpsGlobal")).json).toEqual({ value: false });
  expect((await api("SitesManager.setGlobalExcludedIps", { excludedIps: "10.0.0.0/8, 192.168.1.*" })).json).toEqual({ value: true });
  expect((await api("SitesManager.getExcludedIpsGlobal")).json).toEqual({ value: "10.0.0.0/8,192.168.1.*" });
  expect((await api("SitesManager.getExcludedReferrersGlobal")).json).toEqual({ value: "" });
  const bad = await api("SitesManager.setGlobalExcludedIps", { excludedIps: "not-an-ip" });
  expect(bad.json).toEqual({ result: "error", message: 'The IP to exclude &quot;not-an-ip&quot; does not have a valid IP format (eg. 1.2.3.4, 1.2.3.*, or 1.2.3.4/5).' });
});

test("anonymous view makes a site readable without token, and only that site", async () => {
  await api("SitesManager.addSite", { siteName: "Public", urls: ["https://pub.example.org"] });
  await api("UsersManager.setUserAccess", { userLogin: "anonymous", access: "view", idSites: "2" });
  expect((await callApi(em.url, "SitesManager.getSiteFromId", { idSite: "2" })).status).toBe(200);
  expect((await callApi(em.url, "SitesManager.getSiteFromId", { idSite: "1" })).status).toBe(401);
  expect((await callApi(em.url, "SitesManager.getSitesIdWithAtLeastViewAccess")).json).toEqual([2]);
});
