import * as fs from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { configJsonSchema } from "../../model/json-schema";
import { parseDocument } from "yaml";
import { RunReportSchema, type RunReport } from "../../engine/report-schema";
import { loadConfigFile } from "../../model/loader";
import type { MatomoInstance } from "../../model/matomo";
import { runExempt } from "../support/cli";
import { startTestMatomo, writeCalls, type TestMatomo } from "../support/matomo";
import { tempDir } from "../support/tmp";
import { seedMatomoFleet, type MatomoFleet } from "./matomo-fleet";

/** `exempt import` on a Matomo configured by hand: 50 varied sites, then `exempt plan` on what it wrote. */
describe("exempt import --kind matomo, on a fleet of 50 sites configured by hand", () => {
  let matomo: TestMatomo;
  let fleet: MatomoFleet;
  let dir: string;
  let file: string;
  let imported: { code: number; stdout: string; stderr: string };
  let text: string;
  let plan: RunReport;
  let planCode: number;

  beforeAll(async () => {
    matomo = await startTestMatomo();
    fleet = await seedMatomoFleet(matomo, 50);
    dir = tempDir();
    file = `${dir}/exempt.yaml`;
    matomo.emulator.resetCalls();
    imported = await runExempt(["import", "--kind", "matomo", "--url", matomo.url, "--token-env", "MATOMO_TOKEN", "--out", file, "--instance-id", "stats"], { env: matomo.env });
    text = fs.readFileSync(file, "utf8");
    const r = await runExempt(["plan", "--config", file, "--format", "json"], { env: { ...matomo.env, EXEMPT_LOCK_DIR: dir } });
    planCode = r.code;
    plan = RunReportSchema.parse(JSON.parse(r.stdout)) as RunReport;
  });
  afterAll(() => matomo.close());

  it("writes a file the JSON Schema of exempt.yaml accepts, so editors validate it too", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(configJsonSchema());
    validate(parse(text));
    expect(validate.errors ?? []).toEqual([]);
  });

  it("writes the file, says what it found on stderr, and exits 0 without writing anything to Matomo", () => {
    expect(imported.code).toBe(0);
    expect(imported.stdout).toBe("");
    expect(imported.stderr).toMatch(/imported 51 site\(s\) into .*exempt\.yaml: \d+ TODO\(s\) to confirm, \d+ breach\(es\) of the CNIL pack flagged \(run `exempt check`\)/);
    expect(writeCalls(matomo.emulator)).toEqual([]);
  });

  it("round trip: right after the import, plan shows no change to any observable field", () => {
    expect(plan.summary.changes).toBe(0);
    expect(plan.summary.blocked).toBe(0);
    expect(plan.summary.failed).toBe(0);
    const stats = plan.instances[0];
    expect(stats.error).toBeUndefined();
    expect(stats.instanceChanges).toEqual([]);
    expect(stats.sites).toHaveLength(51);
    expect(stats.sites.filter((s) => s.operation !== "none" || s.changes.length)).toEqual([]);
    expect(stats.unmanaged).toEqual([]);
    expect(stats.problems).toEqual([]);
  });

  it("exits 2 only because the imported sites break CNIL rules, never because of a change", () => {
    expect(planCode).toBe(2);
    expect(plan.summary.violations).toBeGreaterThan(0);
    const failing = new Set(plan.instances[0].findings.filter((f) => f.status === "fail" && f.level === "error").map((f) => f.ruleId));
    expect([...failing].sort()).toEqual(["CNIL-NO-CROSS-DOMAIN", "CNIL-NO-UNCONSENTED-TAGS", "CNIL-SINGLE-PUBLISHER"]);
  });

  it("starts with the schema comment and loads as a configuration", () => {
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./exempt.schema.json");
    const loaded = loadConfigFile(file, { env: {} });
    expect(Object.keys(loaded.config.instances.stats.sites)).toHaveLength(51);
  });

  it("declares each site's product id, name, URLs and every readable setting that departs from the default", () => {
    const stats = loadConfigFile(file, { env: {} }).config.instances.stats as MatomoInstance;
    const bySite = new Map(Object.values(stats.sites).map((s) => [s.idSite, s]));
    expect([...bySite.keys()].sort((a, b) => a! - b!)).toEqual([1, ...fleet.ids]);
    const s0 = bySite.get(fleet.ids[0])!;
    expect(s0).toMatchObject({
      name: "Site 0",
      urls: ["https://s0.example.gouv.fr", "http://s0.example.gouv.fr/legacy", "https://www.s0.example.gouv.fr"],
      ecommerce: true,
      siteSearch: true,
      searchKeywordParameters: ["q", "query"],
      searchCategoryParameters: ["cat"],
      excludedIps: ["10.0.0.1", "192.168.1.*"],
      excludedQueryParameters: ["email", "token", "sessionid"],
      excludedUserAgents: ["bot", "crawler"],
      excludedReferrers: ["spam.example.com"],
      timezone: "Europe/Paris",
      currency: "EUR",
      group: "Ministère",
      keepUrlFragments: "global",
    });
    expect(bySite.get(fleet.ids[5])).toMatchObject({ timezone: "UTC+2", currency: "EUR", keepUrlFragments: "remove", excludeUnknownUrls: false });
    expect(bySite.get(fleet.ids[8])!.name).toBe("Budget ${HOME} 2026");
    expect(bySite.get(fleet.ids[7])!.name).toBe("Démarches & co: «en ligne» #1");
    expect(bySite.get(fleet.ids[9])!.name).toBe("Portail | 'officiel' \"v2\"");
  });

  it("declares access: one role per user, `all` when it covers every site, public statistics per site", () => {
    const stats = loadConfigFile(file, { env: {} }).config.instances.stats as MatomoInstance;
    expect(Object.keys(stats.access.users).sort()).toEqual(["alice", "bob", "carol", "dave"]);
    expect(stats.access.users.dave).toEqual({ role: "view", sites: "all" });
    expect(stats.access.users.carol.role).toBe("admin");
    expect(stats.access.users.carol.sites).toHaveLength(3);
    expect(stats.access.users.bob.role).toBe("write");
    expect(stats.access.publicStats).toBe(false);
    const pub = Object.values(stats.sites).filter((s) => s.publicStats);
    expect(pub.map((s) => s.idSite).sort((a, b) => a! - b!)).toEqual(fleet.breaking.publicStats);
    expect(text).toContain("# superuser admin: every access, not managed here");
  });

  it("declares Tag Manager containers with their custom tracker settings, and extra tags with a TODO", () => {
    const stats = loadConfigFile(file, { env: {} }).config.instances.stats as MatomoInstance;
    const s1 = Object.values(stats.sites).find((s) => s.idSite === fleet.ids[1])!;
    const c = s1.tagManager!.containers["default-container"];
    expect(c.idContainer).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(c.matomoConfiguration).toMatchObject({ enableDoNotTrack: true, secureCookie: true, visitorCookieDays: 181 });
    const s7 = Object.values(stats.sites).find((s) => s.idSite === fleet.ids[7])!;
    expect(s7.tagManager!.containers["default-container"].matomoConfiguration).toMatchObject({ enableCrossDomainLinking: true, requireCookieConsent: true });
    const s2 = Object.values(stats.sites).find((s) => s.idSite === fleet.ids[2])!;
    expect(s2.tagManager!.containers["default-container"].tags).toEqual({ "chat-widget": { name: "Chat widget", type: "CustomHtml", firesWithoutConsent: true } });
    expect(text).toMatch(/firesWithoutConsent: true # TODO: not readable through the API — confirm \(whether this tag waits for consent/);
    expect(text).toMatch(/# Tag Manager container "Campagnes 2026" \([A-Za-z0-9]{8}\) has no Matomo Configuration variable: not declared/);
  });

  it("writes the instance's unreadable privacy settings with their compliant default and a TODO next to each", () => {
    for (const line of ["ipMaskBytes: 2", "useMaskedIpForEnrichment: true", "referrer: exclude_all", "rawDataRetentionMonths: 25", "anonymizeUserId: true", "anonymizeOrderId: true", "forceCookielessTracking: false", "doNotTrack: true"])
      expect(text).toContain(`      ${line} # TODO: not readable through the API — confirm`);
    // Readable, so written as read, without a TODO.
    expect(text).toMatch(/ {6}globalExcludedQueryParameters: \[utm_id, fbclid\]\n/);
  });

  it("flags the sites that break CNIL rules with the rule id next to the offending field", () => {
    const lines = text.split("\n");
    const flagged = lines.filter((l) => /^\s+excludeUnknownUrls: false # CNIL-SINGLE-PUBLISHER \(error\)/.test(l));
    expect(flagged).toHaveLength(fleet.breaking["CNIL-SINGLE-PUBLISHER"].length + 1);
    expect(lines.filter((l) => /^\s+ecommerce: true # CNIL-ECOMMERCE-OFF \(warning\)/.test(l))).toHaveLength(fleet.breaking["CNIL-ECOMMERCE-OFF"].length);
    expect(lines.filter((l) => /^\s+firesWithoutConsent: true # TODO: .* · CNIL-NO-UNCONSENTED-TAGS \(error\): the tag 'Chat widget' \(CustomHtml\) fires without consent$/.test(l))).toHaveLength(5);
    expect(lines.filter((l) => /^\s+enableCrossDomainLinking: true # CNIL-NO-CROSS-DOMAIN \(error\)/.test(l))).toHaveLength(fleet.breaking["CNIL-NO-CROSS-DOMAIN"].length);
  });

  it("keeps comments where YAML keeps them: parsing the file back gives the same declaration", () => {
    const doc = parseDocument(text);
    expect(doc.errors).toEqual([]);
    expect(doc.commentBefore?.split("\n")[0]).toBe(" yaml-language-server: $schema=./exempt.schema.json");
  });

  it("exempt check on the imported file reports the violations and exits 2", async () => {
    const r = await runExempt(["check", "--config", file], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("CNIL-SINGLE-PUBLISHER error [desired]");
  });
});

describe("exempt import --kind matomo, on what the model cannot say", () => {
  let matomo: TestMatomo;
  beforeEach(async () => {
    matomo = await startTestMatomo();
  });
  afterEach(() => matomo.close());

  it("a user with two roles is declared with the role of most sites, and the others are a TODO that plan shows as undeclared access, never revoked", async () => {
    const fleet = await seedMatomoFleet(matomo, 16, { mixedRoles: true });
    const dir = tempDir();
    const file = `${dir}/exempt.yaml`;
    expect((await runExempt(["import", "--kind", "matomo", "--url", matomo.url, "--token-env", "MATOMO_TOKEN", "--out", file], { env: matomo.env })).code).toBe(0);
    const text = fs.readFileSync(file, "utf8");
    expect(text).toMatch(/carol: \{role: view, sites: \[[^\]]+\]\} # TODO: also admin on [^:]+: Exempt gives a user one role per instance/);
    const r = await runExempt(["plan", "--config", file, "--format", "json"], { env: { ...matomo.env, EXEMPT_LOCK_DIR: dir } });
    const report = RunReportSchema.parse(JSON.parse(r.stdout));
    const changes = report.instances[0].sites.flatMap((s) => s.changes);
    expect(changes.every((c) => c.field === "access.carol" && c.desired === "noaccess" && c.blockedBy)).toBe(true);
    expect(changes).toHaveLength(3);
    expect(report.summary.changes).toBe(0);
    expect(fleet.ids).toHaveLength(16);
  });

  it("a site the model refuses is left out with a comment, and the file still loads", async () => {
    // Matomo accepts a site without URL; the model needs one.
    await fetch(`${matomo.url}/index.php?module=API&method=SitesManager.addSite&format=JSON`, { method: "POST", body: new URLSearchParams({ token_auth: matomo.token, siteName: "No URL" }) });
    const r = await runExempt(["import", "--kind", "matomo", "--url", matomo.url, "--token-env", "MATOMO_TOKEN"], { env: matomo.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/# left out: "No URL" \(idSite 2\): a site needs at least one URL\. It shows as unmanaged in plans\./);
    expect(r.stderr).toContain("imported 1 site(s), 1 left out");
    const dir = tempDir();
    fs.writeFileSync(`${dir}/exempt.yaml`, r.stdout);
    expect(() => loadConfigFile(`${dir}/exempt.yaml`, { env: {} })).not.toThrow();
  });

  it("refuses to overwrite an existing file without --force, and names a missing token variable", async () => {
    const dir = tempDir();
    fs.writeFileSync(`${dir}/exempt.yaml`, "keep me");
    const r = await runExempt(["import", "--kind", "matomo", "--url", matomo.url, "--token-env", "MATOMO_TOKEN", "--out", `${dir}/exempt.yaml`], { env: matomo.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("exists; pass --force to overwrite it");
    expect(fs.readFileSync(`${dir}/exempt.yaml`, "utf8")).toBe("keep me");
    const missing = await runExempt(["import", "--kind", "matomo", "--url", matomo.url, "--token-env", "NOT_SET_TOKEN"], { env: {} });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("NOT_SET_TOKEN");
    expect(missing.stderr).not.toContain(matomo.token);
  });

  it("--quiet logs nothing on success; a bad --kind or a missing --token-env is a usage error", async () => {
    const q = await runExempt(["import", "--kind", "matomo", "--url", matomo.url, "--token-env", "MATOMO_TOKEN", "--quiet"], { env: matomo.env });
    expect(q.code).toBe(0);
    expect(q.stderr).toBe("");
    expect((await runExempt(["import", "--kind", "ga4", "--url", matomo.url])).stderr).toContain("--kind must be one of matomo, piwikpro, got 'ga4'");
    expect((await runExempt(["import", "--kind", "matomo", "--url", matomo.url])).stderr).toContain("--token-env NAME is required for Matomo");
  });
});
