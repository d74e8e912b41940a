import { runExempt } from "../support/cli";
import { EXAMPLE_FLEET, rawMatomo, startTestMatomo, TestMatomo, writeCalls } from "../support/matomo";
import { tempDir, writeFile } from "../support/tmp";
import { RunReportSchema } from "../../engine/report-schema";

/** plan, apply and drift through the CLI against the Matomo emulator over real sockets. */
describe("exempt plan/apply/drift on Matomo", () => {
  let matomo: TestMatomo;
  let dir: string;
  let config: string;
  const exempt = (...args: string[]) => runExempt([...args, "--config", config], { env: { ...matomo.env, EXEMPT_LOCK_DIR: dir } });
  const json = async (...args: string[]) => {
    const r = await exempt(...args, "--format", "json");
    return { ...r, report: RunReportSchema.parse(JSON.parse(r.stdout)) };
  };

  beforeEach(async () => {
    matomo = await startTestMatomo();
    dir = tempDir();
    config = writeFile(dir, "exempt.yaml", EXAMPLE_FLEET());
  });
  afterEach(() => matomo.close());

  it("plan on a fresh instance lists every site to create and exits 2, in a handful of requests, without writing", async () => {
    const { code, report } = await json("plan");
    expect(code).toBe(2);
    const stats = report.instances[0];
    expect(stats.sites.map((s) => [s.siteKey, s.operation])).toEqual([
      ["www", "create"],
      ["demarches", "create"],
      ["boutique", "create"],
    ]);
    expect(stats.unmanaged.map((u) => u.productId)).toEqual(["1"]);
    expect(stats.traffic.requests).toBeLessThanOrEqual(4);
    expect(writeCalls(matomo.emulator)).toEqual([]);
  });

  it("apply creates the sites as declared, sets the privacy options, verifies, and exits 0", async () => {
    const { code, report } = await json("apply");
    expect(code).toBe(0);
    expect(report.instances[0].sites.every((s) => s.outcome?.ok)).toBe(true);
    const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url: "https://www.example.gouv.fr" });
    const site = await rawMatomo(matomo.url, "SitesManager.getSiteFromId", { token_auth: matomo.token, idSite: String(ids[0].idsite) });
    expect(site).toMatchObject({ name: "Portail", exclude_unknown_urls: 1, excluded_parameters: "email,token", ecommerce: 0 });
    const urls = await rawMatomo(matomo.url, "SitesManager.getSiteUrlsFromId", { token_auth: matomo.token, idSite: String(ids[0].idsite) });
    expect(urls).toEqual(["https://www.example.gouv.fr", "https://example.gouv.fr"]);
    const options = await matomo.emulator.privacyOptions();
    expect(options).toMatchObject({
      "PrivacyManager.ipAnonymizerEnabled": "1",
      "PrivacyManager.ipAddressMaskLength": "2",
      "PrivacyManager.useAnonymizedIpForVisitEnrichment": "1",
      "PrivacyManager.anonymizeReferrer": "exclude_all",
      delete_logs_enable: "1",
      delete_logs_older_than: "750",
    });
  });

  it("a second apply changes nothing and writes only the settings Matomo cannot read back", async () => {
    expect((await exempt("apply")).code).toBe(0);
    matomo.emulator.resetCalls();
    const { code, report } = await json("apply");
    expect(code).toBe(0);
    expect(report.summary.changes).toBe(0);
    expect(writeCalls(matomo.emulator).map((c) => c.method).sort()).toEqual(["PrivacyManager.activateDoNotTrack", "PrivacyManager.setAnonymizeIpSettings", "PrivacyManager.setDeleteLogsSettings"]);
  });

  it("drift finds a setting changed behind Exempt's back (exit 2), names instance, site, field, live and desired, and apply repairs it", async () => {
    await exempt("apply");
    const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url: "https://www.example.gouv.fr" });
    await rawMatomo(matomo.url, "SitesManager.updateSite", { token_auth: matomo.token, idSite: String(ids[0].idsite), excludeUnknownUrls: "0" });
    const drift = await json("drift");
    expect(drift.code).toBe(2);
    const www = drift.report.instances[0].sites.find((s) => s.siteKey === "www")!;
    expect(www.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ area: "site", siteKey: "www", field: "excludeUnknownUrls", live: false, desired: true }),
        expect.objectContaining({ field: "excludedQueryParameters", live: [], desired: ["email", "token"] }),
      ]),
    );
    const violation = drift.report.instances[0].findings.find((f) => f.side === "live" && f.status === "fail" && f.siteKey === "www");
    expect(violation).toMatchObject({ ruleId: "CNIL-SINGLE-PUBLISHER", level: "error" });
    expect(violation!.source).toBeTruthy();
    const text = await exempt("drift");
    expect(text.stdout).toMatch(/www \(idSite \d+\): update[\s\S]*excludeUnknownUrls: false -> true/);
    matomo.emulator.resetCalls();
    expect((await exempt("apply")).code).toBe(0);
    // Only the changed site was written.
    const siteWrites = writeCalls(matomo.emulator).filter((c) => c.method.startsWith("SitesManager."));
    expect(siteWrites.map((c) => [c.method, String(c.params.idSite)])).toEqual([["SitesManager.updateSite", String(ids[0].idsite)]]);
    expect((await exempt("drift")).code).toBe(0);
  });

  it("updateSite always sends the full state: a name change keeps the declared lists", async () => {
    await exempt("apply");
    writeFile(dir, "exempt.yaml", EXAMPLE_FLEET().replace("name: Portail", "name: Portail national"));
    expect((await exempt("apply")).code).toBe(0);
    const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url: "https://www.example.gouv.fr" });
    const site = await rawMatomo(matomo.url, "SitesManager.getSiteFromId", { token_auth: matomo.token, idSite: String(ids[0].idsite) });
    expect(site).toMatchObject({ name: "Portail national", excluded_parameters: "email,token", exclude_unknown_urls: 1 });
  });

  it("--only stats/www plans and writes that site alone", async () => {
    const { report } = await json("plan", "--only", "stats/www");
    expect(report.instances[0].sites.map((s) => s.siteKey)).toEqual(["www"]);
    expect((await exempt("apply", "--only", "stats/www")).code).toBe(0);
    const creates = writeCalls(matomo.emulator).filter((c) => c.method === "SitesManager.addSite");
    expect(creates.map((c) => c.params.siteName)).toEqual(["Portail"]);
  });

  it("an unknown --only target is an error, not an empty run", async () => {
    const r = await exempt("plan", "--only", "stats/blog");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("instance 'stats' has no site 'blog'");
  });

  it("a site no declaration matches is reported as unmanaged and never deleted, even by apply --prune", async () => {
    await exempt("apply", "--prune");
    const sites = await rawMatomo(matomo.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: matomo.token });
    expect(sites).toContain(1);
    expect(writeCalls(matomo.emulator).filter((c) => c.method === "SitesManager.deleteSite")).toEqual([]);
  });

  it("a declared site is deleted only with remove: true, deletionProtection: false and --prune", async () => {
    await exempt("apply");
    writeFile(dir, "exempt.yaml", EXAMPLE_FLEET().replace("        ecommerce: true\n", "        ecommerce: true\n        remove: true\n"));
    const protectedPlan = await json("plan");
    expect(protectedPlan.report.instances[0].sites.find((s) => s.siteKey === "boutique")!.blockedBy).toContain("deletionProtection");
    await exempt("apply", "--prune");
    expect(writeCalls(matomo.emulator).filter((c) => c.method === "SitesManager.deleteSite")).toEqual([]);

    writeFile(dir, "exempt.yaml", EXAMPLE_FLEET().replace("        ecommerce: true\n", "        ecommerce: true\n        remove: true\n        deletionProtection: false\n"));
    const noPrune = await json("apply");
    expect(noPrune.code).toBe(0);
    expect(noPrune.report.instances[0].sites.find((s) => s.siteKey === "boutique")!.blockedBy).toContain("--prune");
    expect(writeCalls(matomo.emulator).filter((c) => c.method === "SitesManager.deleteSite")).toEqual([]);

    expect((await exempt("apply", "--prune")).code).toBe(0);
    expect(writeCalls(matomo.emulator).filter((c) => c.method === "SitesManager.deleteSite")).toHaveLength(1);
  });

  it("access: declared roles are applied, public statistics follow the declaration, undeclared users are drift but never revoked by default", async () => {
    await rawMatomo(matomo.url, "UsersManager.addUser", { token_auth: matomo.token, userLogin: "alice", password: "a-long-password-1", email: "alice@example.gouv.fr" });
    await rawMatomo(matomo.url, "UsersManager.addUser", { token_auth: matomo.token, userLogin: "mallory", password: "a-long-password-2", email: "m@example.org" });
    writeFile(dir, "exempt.yaml", EXAMPLE_FLEET("").replace("    sites:\n", "    access:\n      users:\n        alice: { role: view, sites: [www] }\n    sites:\n"));
    expect((await exempt("apply")).code).toBe(0);
    const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url: "https://www.example.gouv.fr" });
    const idSite = String(ids[0].idsite);
    expect(await rawMatomo(matomo.url, "UsersManager.getUsersAccessFromSite", { token_auth: matomo.token, idSite })).toEqual({ alice: "view" });
    // Behind Exempt's back: someone gives mallory admin and makes the statistics public.
    await rawMatomo(matomo.url, "UsersManager.setUserAccess", { token_auth: matomo.token, userLogin: "mallory", access: "admin", idSites: idSite });
    await rawMatomo(matomo.url, "UsersManager.setUserAccess", { token_auth: matomo.token, userLogin: "anonymous", access: "view", idSites: idSite });
    const drift = await json("drift");
    expect(drift.code).toBe(2);
    const changes = drift.report.instances[0].sites.find((s) => s.siteKey === "www")!.changes;
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: "access.mallory", live: "admin", desired: "noaccess", blockedBy: expect.stringContaining("revokeUndeclared") }),
        expect.objectContaining({ field: "access.anonymous", live: "view", desired: "noaccess" }),
      ]),
    );
    expect((await exempt("apply", "--prune")).code).toBe(0);
    expect(await rawMatomo(matomo.url, "UsersManager.getUsersAccessFromSite", { token_auth: matomo.token, idSite })).toEqual({ alice: "view", mallory: "admin" });
  });

  it("Tag Manager: the declared container's Matomo Configuration is reconciled and a version is published only when something changed", async () => {
    await exempt("apply");
    const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url: "https://demarches.example.gouv.fr" });
    const idSite = String(ids[0].idsite);
    const [container] = await rawMatomo(matomo.url, "TagManager.getContainers", { token_auth: matomo.token, idSite });
    const vars = await rawMatomo(matomo.url, "TagManager.getContainerVariables", { token_auth: matomo.token, idSite, idContainer: container.idcontainer, idContainerVersion: String(container.draft.idcontainerversion) });
    const config = vars.find((v: any) => v.type === "MatomoConfiguration");
    expect(config.parameters).toMatchObject({ enableCrossDomainLinking: false, enableDoNotTrack: true, setSecureCookie: true, userId: "" });
    expect(container.releases.length).toBeGreaterThanOrEqual(1);
    matomo.emulator.resetCalls();
    await exempt("apply");
    expect(writeCalls(matomo.emulator).filter((c) => c.method.startsWith("TagManager."))).toEqual([]);
  });

  it("refuses a Matomo 4 with a clear message and writes nothing", async () => {
    await matomo.close();
    matomo = await startTestMatomo({ version: "4.16.1" });
    const r = await exempt("apply");
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/4\.16\.1/);
    expect(writeCalls(matomo.emulator)).toEqual([]);
  });

  it("a wrong token fails fast, names the variable, is tried once and never leaks", async () => {
    const r = await runExempt(["plan", "--config", config], { env: { ...matomo.env, MATOMO_TOKEN: "0123456789abcdef0123456789abcdef" } });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("MATOMO_TOKEN");
    expect(r.stdout + r.stderr).not.toContain("0123456789abcdef0123456789abcdef");
    expect(matomo.emulator.failedLoginsFrom("127.0.0.1")).toBe(1);
  });

  it("a missing environment variable stops plan (which calls the instance) but not check", async () => {
    const { MATOMO_TOKEN: _t, ...env } = matomo.env;
    const plan = await runExempt(["plan", "--config", config], { env });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain("environment variable MATOMO_TOKEN is not set");
    const check = await runExempt(["check", "--config", config], { env });
    expect(check.code).toBe(0);
  });
});
