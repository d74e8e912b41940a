import type { Change, LiveInstance, ProductBackend, SitePlan } from "../../engine/types";
import type { MatomoEmulator } from "../../emulators/matomo";
import type { MatomoSite } from "../../model/matomo";
import { backendFor, CANARY_PASSWORD, CANARY_TOKEN, declareInstance, declareSite, PASSWORD_ENV, planOf, rawCall, seedSites, startEmulator, TOKEN_ENV, writeCalls } from "./matomo-fixtures";

const change = (area: Change["area"], field: string, desired: unknown, live?: unknown): Change => ({ area, field, desired, live });

function update(siteKey: string, desired: MatomoSite, live: LiveInstance, changes: Change[]): SitePlan {
  const site = live.sites.find((s) => s.urls[0] === desired.urls[0]);
  if (!site) throw new Error(`no live site for ${siteKey}`);
  return { siteKey, productId: site.productId, operation: "update", changes: changes.map((c) => ({ ...c, siteKey })), desired, live: site };
}

function create(siteKey: string, desired: MatomoSite, changes: Change[] = []): SitePlan {
  return { siteKey, operation: "create", changes: changes.map((c) => ({ ...c, siteKey })), desired };
}

describe("applying a plan to Matomo", () => {
  let emulator: MatomoEmulator;
  beforeEach(async () => {
    emulator = await startEmulator();
    await rawCall(emulator, "UsersManager.addUser", { userLogin: "alice", password: "alice-Passw0rd-1", email: "alice@example.org" });
  });
  afterEach(async () => {
    await emulator.close();
  });

  async function readWith(sites: Record<string, MatomoSite>, extra: Parameters<typeof declareInstance>[1] = {}, env?: NodeJS.ProcessEnv): Promise<{ backend: ProductBackend; live: LiveInstance }> {
    const { backend } = backendFor(declareInstance(emulator.url, { sites, ...extra }), { runStamp: "20260101T000000Z" }, env);
    const live = await backend.read();
    emulator.resetCalls();
    return { backend, live };
  }

  test("a created site reads back with every declared setting, its access and its container configuration", async () => {
    const www = declareSite({
      name: "Ministère & co",
      urls: ["https://www.example.gouv.fr", "https://example.gouv.fr"],
      excludedQueryParameters: ["email", "token"],
      excludedIps: ["10.0.0.0/8"],
      timezone: "Europe/Paris",
      currency: "EUR",
      keepUrlFragments: "remove",
      tagManager: { containers: { main: { matomoConfiguration: { disableCookies: true } } } },
    });
    const { backend, live } = await readWith({ www });
    const outcome = await backend.apply(
      planOf(live, [create("www", www, [change("access", "access.alice", "view"), change("tagmanager", "containers.main.matomoConfiguration.disableCookies", true)])]),
      live,
      { prune: false },
    );
    expect(outcome.sites[0]).toMatchObject({ siteKey: "www", ok: true, productId: "2" });
    expect(outcome.instance.ok).toBe(true);
    const after = await backend.read();
    const site = after.sites.find((s) => s.productId === "2")!;
    expect(site.settings).toMatchObject({
      name: "Ministère & co",
      excludeUnknownUrls: true,
      excludedQueryParameters: ["email", "token"],
      excludedIps: ["10.0.0.0/8"],
      ecommerce: false,
      timezone: "Europe/Paris",
      currency: "EUR",
      keepUrlFragments: "remove",
    });
    expect(site.urls[0]).toBe("https://www.example.gouv.fr");
    expect(new Set(site.urls)).toEqual(new Set(www.urls));
    expect(site.access).toEqual({ alice: "view" });
    const container = site.containers!.find((c) => c.name === "Default Container")!;
    expect(container.matomoConfiguration?.settings).toMatchObject({ disableCookies: true, enableDoNotTrack: true, secureCookie: true });
    // The new configuration is live: a version was made and published.
    expect(container.liveVersionId).not.toBe(live.sites[0].containers?.[0].liveVersionId);
    expect(writeCalls(emulator)).toEqual(
      expect.arrayContaining(["SitesManager.addSite", "TagManager.updateContainerVariable", "UsersManager.setUserAccess", "TagManager.createContainerVersion", "TagManager.publishContainerVersion"]),
    );
  });

  test("updateSite always sends the full state, so fields the declaration leaves alone keep their live values", async () => {
    await rawCall(emulator, "SitesManager.addSite", {
      siteName: "Legacy",
      urls: ["https://legacy.example.org"],
      searchKeywordParameters: "q,query",
      searchCategoryParameters: "cat",
      excludedUserAgents: "badbot",
      timezone: "Europe/Berlin",
      group: "grp1",
    });
    const legacy = declareSite({ name: "Legacy", urls: ["https://legacy.example.org"], excludedQueryParameters: ["email"], excludedUserAgents: ["badbot"] });
    const { backend, live } = await readWith({ legacy });
    const outcome = await backend.apply(planOf(live, [update("legacy", legacy, live, [change("site", "excludedQueryParameters", ["email"], [])])]), live, { prune: false });
    expect(outcome.sites[0].ok).toBe(true);
    expect(outcome.sites[0].wrote).toEqual(["SitesManager.updateSite (excludedQueryParameters)"]);
    const sent = emulator.calls.find((c) => c.method === "SitesManager.updateSite")!;
    for (const p of ["excludedIps", "excludedQueryParameters", "excludedUserAgents", "excludedReferrers", "searchKeywordParameters", "searchCategoryParameters"]) expect(sent.params).toHaveProperty(p);
    const after = (await backend.read()).sites.find((s) => s.name === "Legacy")!;
    expect(after.settings).toMatchObject({
      excludedQueryParameters: ["email"],
      excludedUserAgents: ["badbot"],
      searchKeywordParameters: ["q", "query"],
      searchCategoryParameters: ["cat"],
      timezone: "Europe/Berlin",
      group: "grp1",
    });
  });

  test("an update is not sent when the site's live state is unknown, since a partial one would empty its lists", async () => {
    const www = declareSite({ name: "Renamed", urls: ["https://first.example.org"] });
    const { backend, live } = await readWith({ www });
    const outcome = await backend.apply(
      planOf(live, [{ siteKey: "www", productId: "1", operation: "update", changes: [change("site", "name", "Renamed")], desired: www }]),
      { ...live, sites: [] },
      { prune: false },
    );
    expect(outcome.sites[0]).toMatchObject({ ok: false, error: expect.stringMatching(/live state is not known.*not sent/) });
    expect(emulator.calls).toHaveLength(0);
  });

  test("a change to one site writes only that site", async () => {
    await seedSites(emulator, 3);
    const sites = Object.fromEntries([0, 1, 2].map((i) => [`s${i}`, declareSite({ name: `Site ${i}`, urls: [`https://site${i}.example.org`] })]));
    const { backend, live } = await readWith(sites);
    const renamed = declareSite({ name: "Site 1 renamed", urls: ["https://site1.example.org"] });
    const outcome = await backend.apply(
      planOf(live, [
        { siteKey: "s0", productId: "2", operation: "none", changes: [], desired: sites.s0 },
        update("s1", renamed, live, [change("site", "name", "Site 1 renamed", "Site 1")]),
        { siteKey: "s2", productId: "4", operation: "none", changes: [], desired: sites.s2 },
      ]),
      live,
      { prune: false },
    );
    expect(outcome.sites.map((s) => [s.siteKey, s.ok, s.wrote.length])).toEqual([
      ["s0", true, 0],
      ["s1", true, 1],
      ["s2", true, 0],
    ]);
    const writes = emulator.calls.filter((c) => !/\.get|\.export/.test(c.method));
    expect(writes.map((c) => [c.method, String(c.params.idSite)])).toEqual([["SitesManager.updateSite", "3"]]);
  });

  test("access is written with one call per login and role, whatever the number of sites", async () => {
    await seedSites(emulator, 5);
    const sites = Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`s${i}`, declareSite({ name: `Site ${i}`, urls: [`https://site${i}.example.org`] })]));
    await rawCall(emulator, "UsersManager.setUserAccess", { userLogin: "anonymous", access: "view", idSites: "2" });
    const { backend, live } = await readWith(sites);
    const plans = [0, 1, 2, 3, 4].map((i) => update(`s${i}`, sites[`s${i}`], live, [change("access", "access.alice", "view")]));
    plans[0].changes.push({ ...change("access", "access.anonymous", "noaccess", "view"), siteKey: "s0" });
    const outcome = await backend.apply(planOf(live, plans), live, { prune: false });
    expect(outcome.sites.every((s) => s.ok)).toBe(true);
    const calls = emulator.calls.filter((c) => c.method === "UsersManager.setUserAccess");
    expect(calls.map((c) => [c.params.userLogin, c.params.access, c.params.idSites])).toEqual(
      expect.arrayContaining([
        ["alice", "view", "2,3,4,5,6"],
        ["anonymous", "noaccess", "2"],
      ]),
    );
    expect(calls).toHaveLength(2);
    const after = await backend.read();
    expect(after.sites.filter((s) => s.access.alice === "view")).toHaveLength(5);
    expect(after.sites.some((s) => s.access.anonymous)).toBe(false);
  });

  test("anonymous is never sent a role other than view or noaccess", async () => {
    const www = declareSite({ name: "First Site", urls: ["https://first.example.org"] });
    const { backend, live } = await readWith({ www });
    const outcome = await backend.apply(planOf(live, [update("www", www, live, [change("access", "access.anonymous", "admin")])]), live, { prune: false });
    expect(outcome.sites[0].ok).toBe(false);
    expect(outcome.sites[0].error).toMatch(/anonymous can only be given view or noaccess/);
    expect(emulator.calls.filter((c) => c.method === "UsersManager.setUserAccess")).toHaveLength(0);
  });

  test("privacy settings are re-asserted in full, and Matomo's options show them", async () => {
    const env = { [TOKEN_ENV]: CANARY_TOKEN, [PASSWORD_ENV]: CANARY_PASSWORD };
    const extra = { auth: { tokenEnv: TOKEN_ENV, passwordEnv: PASSWORD_ENV }, privacy: { ipMaskBytes: 3, referrer: "exclude_query" as const, doNotTrack: false, rawDataRetentionMonths: 13 } };
    const { backend, live } = await readWith({}, extra, env);
    const reassert = ["ipMaskBytes", "useMaskedIpForEnrichment", "referrer", "anonymizeUserId", "anonymizeOrderId", "forceCookielessTracking", "doNotTrack", "rawDataRetentionMonths"].map((field) => ({
      field: `privacy.${field}`,
      desired: undefined,
      enforced: true,
    }));
    const outcome = await backend.apply(planOf(live, [], { reassert }), live, { prune: false });
    expect(outcome.instance).toMatchObject({ ok: true });
    expect(outcome.instance.wrote).toEqual([
      "PrivacyManager.setAnonymizeIpSettings (mask 3 bytes, referrer exclude_query)",
      "PrivacyManager.deactivateDoNotTrack",
      "PrivacyManager.setDeleteLogsSettings (13 months)",
    ]);
    const options = await emulator.privacyOptions();
    expect(options).toMatchObject({
      "PrivacyManager.ipAnonymizerEnabled": "1",
      "PrivacyManager.ipAddressMaskLength": "3",
      "PrivacyManager.anonymizeReferrer": "exclude_query",
      "PrivacyManager.useAnonymizedIpForVisitEnrichment": "1",
      "PrivacyManager.doNotTrackEnabled": "0",
      delete_logs_enable: "1",
      delete_logs_older_than: "390",
    });
  });

  test("a mask of 0 bytes switches IP anonymisation off", async () => {
    const { backend, live } = await readWith({}, { privacy: { ipMaskBytes: 0 } });
    await backend.apply(planOf(live, [], { reassert: [{ field: "ipMaskBytes", desired: 0, enforced: true }] }), live, { prune: false });
    expect((await emulator.privacyOptions())["PrivacyManager.ipAnonymizerEnabled"]).toBe("0");
  });

  test("without the account password, retention is not sent at all", async () => {
    const { backend, live } = await readWith({});
    const outcome = await backend.apply(planOf(live, [], { reassert: [{ field: "rawDataRetentionMonths", desired: 25, enforced: false }] }), live, { prune: false });
    expect(outcome.instance.ok).toBe(true);
    expect(emulator.calls.filter((c) => c.method === "PrivacyManager.setDeleteLogsSettings")).toHaveLength(0);
  });

  test("the instance's excluded query parameters are set, and can be emptied", async () => {
    const { backend, live } = await readWith({}, { privacy: { globalExcludedQueryParameters: ["email", "name"] } });
    await backend.apply(planOf(live, [], { instanceChanges: [change("instance", "privacy.globalExcludedQueryParameters", ["email", "name"], [])] }), live, { prune: false });
    expect((await backend.read()).globals.globalExcludedQueryParameters).toEqual(["email", "name"]);
    const outcome = await backend.apply(planOf(live, [], { instanceChanges: [change("instance", "globalExcludedQueryParameters", [], ["email", "name"])] }), live, { prune: false });
    expect(outcome.instance.ok).toBe(true);
    expect((await backend.read()).globals.globalExcludedQueryParameters).toEqual([]);
  });

  test("a container variable update keeps the parameters Exempt does not manage", async () => {
    const www = declareSite({ name: "First Site", urls: ["https://first.example.org"], tagManager: { containers: { main: { matomoConfiguration: { requireCookieConsent: true, visitorCookieDays: 390 } } } } });
    const { backend, live } = await readWith({ www });
    const container = live.sites[0].containers![0];
    const before = (await rawCall(emulator, "TagManager.exportContainerVersion", { idSite: "1", idContainer: container.idContainer })) as { variables: Array<{ parameters: Record<string, unknown> }> };
    const outcome = await backend.apply(planOf(live, [update("www", www, live, [change("tagmanager", "containers.main.matomoConfiguration.requireCookieConsent", true, false)])]), live, { prune: false });
    expect(outcome.sites[0]).toMatchObject({ ok: true });
    const after = (await rawCall(emulator, "TagManager.exportContainerVersion", { idSite: "1", idContainer: container.idContainer })) as { variables: Array<{ parameters: Record<string, unknown> }> };
    const b = before.variables[0].parameters;
    const a = after.variables[0].parameters;
    expect(a).toMatchObject({ requireCookieConsent: true, customCookieTimeOutEnable: true, customCookieTimeOut: "390" });
    for (const k of ["matomoUrl", "idSite", "enableLinkTracking", "jsEndpoint", "trackingEndpoint", "cookieSameSite", "heartBeatTime", "requestContentType"]) expect(String(a[k])).toBe(String(b[k]));
  });

  test("a container with publishLive false gets a version, not a release", async () => {
    const www = declareSite({ name: "First Site", urls: ["https://first.example.org"], tagManager: { containers: { main: { publishLive: false, matomoConfiguration: { disableCookies: true } } } } });
    const { backend, live } = await readWith({ www });
    const outcome = await backend.apply(planOf(live, [update("www", www, live, [change("tagmanager", "containers.main", "x")])]), live, { prune: false });
    expect(outcome.sites[0].ok).toBe(true);
    expect(writeCalls(emulator)).toEqual(["TagManager.updateContainerVariable", "TagManager.createContainerVersion"]);
  });

  test("a container that does not exist yet is created with its configuration and a Matomo tag, then published", async () => {
    const www = declareSite({ name: "First Site", urls: ["https://first.example.org"], tagManager: { containers: { extra: { name: "Exempt container", matomoConfiguration: { disableCookies: true } } } } });
    const { backend, live } = await readWith({ www });
    const outcome = await backend.apply(planOf(live, [update("www", www, live, [change("tagmanager", "containers.extra", "created", undefined)])]), live, { prune: false });
    expect(outcome.sites[0]).toMatchObject({ ok: true });
    expect(writeCalls(emulator)).toEqual([
      "TagManager.addContainer",
      "TagManager.addContainerVariable",
      "TagManager.addContainerTrigger",
      "TagManager.addContainerTag",
      "TagManager.createContainerVersion",
      "TagManager.publishContainerVersion",
    ]);
    const created = (await backend.read()).sites[0].containers!.find((c) => c.name === "Exempt container")!;
    expect(created.matomoConfiguration?.settings.disableCookies).toBe(true);
    expect(created.tags.map((t) => t.type)).toEqual(["Matomo"]);
    expect(created.liveVersionId).toBeDefined();
  });

  test("a failing sub-request fails only its own site; the others are written", async () => {
    await seedSites(emulator, 2);
    const good = declareSite({ name: "Site 0 renamed", urls: ["https://site0.example.org"] });
    const bad = declareSite({ name: "Site 1", urls: ["https://site1.example.org"], timezone: "Mars/Olympus" });
    const { backend, live } = await readWith({ good, bad });
    const outcome = await backend.apply(
      planOf(live, [update("good", good, live, [change("site", "name", "Site 0 renamed")]), update("bad", bad, live, [change("site", "timezone", "Mars/Olympus")])]),
      live,
      { prune: false },
    );
    expect(outcome.sites[0]).toMatchObject({ siteKey: "good", ok: true });
    expect(outcome.sites[1]).toMatchObject({ siteKey: "bad", ok: false });
    expect(outcome.sites[1].error).toMatch(/SitesManager\.updateSite for site bad \(idSite 3\).*The timezone "Mars\/Olympus" is not valid/);
    expect((await backend.read()).sites.find((s) => s.productId === "2")?.name).toBe("Site 0 renamed");
  });

  test("a site is deleted only with --prune, remove: true and deletion protection off", async () => {
    await seedSites(emulator, 1);
    const gone = declareSite({ name: "Site 0", urls: ["https://site0.example.org"], remove: true, deletionProtection: false });
    const protectedSite = declareSite({ name: "Site 0", urls: ["https://site0.example.org"], remove: true });
    const { backend, live } = await readWith({ gone });
    const del = (desired: MatomoSite): SitePlan => ({ siteKey: "gone", productId: "2", operation: "delete", changes: [], desired });

    const noPrune = await backend.apply(planOf(live, [del(gone)]), live, { prune: false });
    expect(noPrune.sites[0]).toMatchObject({ ok: false, error: expect.stringMatching(/not deleted: the run has no --prune/) });
    const protectedOutcome = await backend.apply(planOf(live, [del(protectedSite)]), live, { prune: true });
    expect(protectedOutcome.sites[0].error).toMatch(/deletionProtection is not false/);
    expect(emulator.calls.filter((c) => c.method === "SitesManager.deleteSite")).toHaveLength(0);

    const pruned = await backend.apply(planOf(live, [del(gone)]), live, { prune: true });
    expect(pruned.sites[0]).toMatchObject({ ok: true, wrote: ["SitesManager.deleteSite (idSite 2)"] });
    expect((await backend.read()).sites.map((s) => s.productId)).toEqual(["1"]);
  });

  test("a problem of the instance writes nothing; a problem of one site stops only that site", async () => {
    const www = declareSite({ name: "New", urls: ["https://new.example.org"] });
    const other = declareSite({ name: "Other", urls: ["https://other.example.org"] });
    const { backend, live } = await readWith({ www, other });
    const blocked = await backend.apply(planOf(live, [create("www", www)], { problems: [{ message: "the instance is confused" }] }), live, { prune: false });
    expect(blocked.instance.ok).toBe(false);
    expect(blocked.instance.error).toMatch(/the instance is confused/);
    expect(emulator.calls).toHaveLength(0);

    const partly = await backend.apply(planOf(live, [create("www", www), create("other", other)], { problems: [{ siteKey: "www", message: "two live sites match" }] }), live, { prune: false });
    expect(partly.sites[0]).toMatchObject({ siteKey: "www", ok: false, error: "not applied: two live sites match" });
    expect(partly.sites[1]).toMatchObject({ siteKey: "other", ok: true });
    expect(emulator.calls.filter((c) => c.method === "SitesManager.addSite").map((c) => c.params.siteName)).toEqual(["Other"]);
  });
});
