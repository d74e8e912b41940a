import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { EvidenceFleet, fleetYaml, startEvidenceFleet, TODAY, writesSinceReset } from "./fleet";
import { EvidenceReportSchema, type EvidenceReport, type SiteEvidence } from "../../engine/evidence";
import { buildManifest, hashInstance } from "../../model/manifest";
import { loadConfigFile } from "../../model/loader";
import { runExempt } from "../support/cli";
import { tempDir, writeFile } from "../support/tmp";

/** `exempt evidence` on the example fleet against the emulators: the report's content, status by status. */
describe("exempt evidence on the example fleet", () => {
  let fleet: EvidenceFleet;
  let result: Awaited<ReturnType<EvidenceFleet["evidence"]>>;
  let report: EvidenceReport;
  const read = (rel: string) => fs.readFileSync(path.join(result.out, rel), "utf8");
  const site = (id: string): SiteEvidence => {
    const s = report.sites.find((x) => x.id === id);
    if (!s) throw new Error(`no site ${id} in the report (${report.sites.map((x) => x.id).join(", ")})`);
    return s;
  };
  const rule = (siteId: string, ruleId: string) => {
    const r = site(siteId).rules.find((x) => x.ruleId === ruleId);
    if (!r) throw new Error(`no rule ${ruleId} on ${siteId}`);
    return r;
  };
  /** The table row of a rule on a site page, tags removed, for checking the words a DPO reads. */
  const row = (siteId: string, ruleId: string) => {
    const page = read(site(siteId).page);
    const m = new RegExp(`<tr id="rule-${ruleId}"[^>]*>([\\s\\S]*?)</tr>`).exec(page);
    if (!m) throw new Error(`no row for ${ruleId} on ${site(siteId).page}`);
    return { html: m[0], text: m[1].replace(/<[^>]+>/g, " ").replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, " ") };
  };

  beforeAll(async () => {
    fleet = await startEvidenceFleet();
    result = await fleet.evidence();
    report = EvidenceReportSchema.parse(JSON.parse(read("evidence.json")));
  });
  afterAll(() => fleet?.close());

  it("writes the report, exits 0 although it shows a violation, and never writes to an instance", () => {
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Evidence written to ${path.join(result.out, "index.html")}`);
    expect(writesSinceReset(fleet)).toEqual([]);
    const files = fs.readdirSync(path.join(result.out, "sites")).sort();
    expect(files).toEqual(["pp--app.html", "stats--boutique.html", "stats--demarches.html", "stats--unmanaged-1.html", "stats--www.html"]);
    for (const f of ["index.html", "all-sites.html", "evidence.json", "evidence.schema.json"]) expect(fs.existsSync(path.join(result.out, f))).toBe(true);
  });

  it("evidence.json validates against the zod schema and against the JSON Schema written beside it", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(read("evidence.schema.json")));
    const ok = validate(JSON.parse(read("evidence.json")));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(report).toMatchObject({ schemaVersion: 1, kind: "exempt-evidence", today: TODAY, jurisdiction: "FR", pack: { name: expect.stringContaining("CNIL") } });
  });

  it("each site page names the site, the instance, the reading time, the versions and the declaration's hash", () => {
    const www = site("stats/www");
    const config = loadConfigFile(fleet.config, { env: fleet.env }).config;
    expect(www.declarationHash).toBe(hashInstance(config.instances.stats));
    expect(www).toMatchObject({ name: "Portail", productId: expect.stringMatching(/^\d+$/), productVersion: "5.1.2", product: "matomo", instanceUrl: fleet.matomo.url, read: true });
    expect(Date.parse(www.readAt!)).not.toBeNaN();
    const page = read(www.page);
    expect(page).toContain(`<code data-hash="declaration">${www.declarationHash}</code>`);
    expect(page).toContain("5.1.2");
    expect(page).toContain("API.getMatomoVersion");
    expect(page).toContain(`exempt ${report.exemptVersion}`);
    expect(page).toContain(fleet.matomo.url);
    expect(page).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(page).toContain("https://www.example.gouv.fr");
    expect(read(site("pp/app").page)).toContain(site("pp/app").declarationHash!);
  });

  it("lists every rule of the pack for the product, with its condition and linked source", () => {
    const { CnilPack, entriesFor } = require("../../policies");
    for (const s of report.sites) {
      const expected = entriesFor(CnilPack, s.product).map((e: { rule: { id: string } }) => e.rule.id);
      expect(s.rules.map((r) => r.ruleId)).toEqual(expected);
    }
    const r = row("stats/www", "CNIL-RETENTION-25M");
    expect(r.text).toContain("Raw visit data is deleted after at most 25 months");
    expect(r.html).toMatch(/<a class="ext" href="https:\/\/[^"]+"/);
  });

  it("violated: the value found and the value required (changed behind Exempt's back)", () => {
    expect(rule("stats/www", "CNIL-SINGLE-PUBLISHER")).toMatchObject({ status: "violated", found: false, required: "true", evidence: "api" });
    const r = row("stats/www", "CNIL-SINGLE-PUBLISHER");
    expect(r.html).toContain('data-status="violated"');
    expect(r.text).toMatch(/Violated/);
    expect(r.text).toMatch(/Found: false · Required: true/);
    expect(site("stats/www").verdict).toBe("violated");
    expect(site("stats/www").drift).toEqual(expect.arrayContaining([expect.objectContaining({ field: "excludeUnknownUrls", live: false, desired: true })]));
  });

  it("verified live: with the value read", () => {
    expect(rule("stats/www", "CNIL-ECOMMERCE-OFF")).toMatchObject({ status: "verified-live", found: false, evidence: "api" });
    expect(row("stats/www", "CNIL-ECOMMERCE-OFF").text).toMatch(/Verified live .*read through the Matomo API \(ecommerce\): false/);
    expect(rule("pp/app", "CNIL-GEO-CITY")).toMatchObject({ status: "verified-live", found: "city" });
    expect(row("pp/app", "CNIL-GEO-CITY").text).toContain("Value read: city");
  });

  it("observed through the database observer: evidence `database`, its own words", () => {
    expect(rule("stats/www", "CNIL-IP-MASK-2B")).toMatchObject({ status: "observed-database", found: 2, evidence: "database" });
    const r = row("stats/www", "CNIL-IP-MASK-2B");
    expect(r.text).toContain("Observed in the database");
    expect(r.text).not.toContain("Verified live");
  });

  it("enforced on every apply but not observable: never worded or marked as verified", () => {
    const referrer = rule("stats/www", "CNIL-REFERRER-ANON");
    expect(referrer).toMatchObject({ status: "enforced-not-observable", declared: "exclude_all" });
    const r = row("stats/www", "CNIL-REFERRER-ANON");
    expect(r.text).toContain("Enforced on every apply, not observable");
    expect(r.text).toContain("cannot read privacy.referrer");
    expect(r.text).not.toMatch(/Verified|verified/);
    expect(r.html).not.toContain("st-verified-live");
    expect(rule("stats/demarches", "CNIL-RETENTION-25M").status).toBe("enforced-not-observable");
  });

  it("attested: by whom, when and until when", () => {
    expect(rule("stats/www", "CNIL-INFO-POLICY")).toMatchObject({ status: "attested", attestation: { by: "dpo@example.gouv.fr", at: "2026-01-15", until: "2027-01-15", note: "privacy page, version 3" } });
    const r = row("stats/www", "CNIL-INFO-POLICY");
    expect(r.text).toContain("Attested by a person");
    expect(r.text).toContain("By dpo@example.gouv.fr on 2026-01-15, valid until 2027-01-15");
    expect(r.text).not.toMatch(/Verified/);
    // Elsewhere the same rule still waits for someone.
    expect(rule("stats/demarches", "CNIL-INFO-POLICY").status).toBe("to-confirm");
    expect(rule("pp/app", "CNIL-PROCESSOR-DPA")).toMatchObject({ status: "attested", attestation: { by: "Claire Martin, DPO" } });
  });

  it("suppressed: the reason, the owner and the expiry", () => {
    expect(rule("stats/boutique", "CNIL-ECOMMERCE-OFF")).toMatchObject({ status: "suppressed", found: true, suppression: { owner: "dpo@example.gouv.fr", expires: "2027-06-30", on: "site" } });
    const r = row("stats/boutique", "CNIL-ECOMMERCE-OFF");
    expect(r.text).toContain("Suppressed (accepted deviation)");
    expect(r.text).toContain("Reason: The shop measures orders with order ids anonymised, behind the consent banner");
    expect(r.text).toContain("Owner: dpo@example.gouv.fr");
    expect(r.text).toContain("Expires: 2027-06-30");
    expect(read(site("stats/boutique").page)).toContain("This site relies on a consent banner");
  });

  it("to be confirmed, not checked yet (the live page) and not applicable", () => {
    expect(rule("stats/www", "CNIL-OPT-OUT").status).toBe("to-confirm");
    expect(row("stats/www", "CNIL-OPT-OUT").text).toContain("To be confirmed by a person");
    for (const id of ["CNIL-COOKIE-NO-EXTEND", "CNIL-NO-USERID", "CNIL-NO-CROSS-DOMAIN"]) {
      expect(rule("stats/www", id)).toMatchObject({ status: "not-checked", verification: expect.anything() });
      expect(row("stats/www", id).text).toContain("Not checked yet");
    }
    expect(row("stats/www", "CNIL-COOKIE-NO-EXTEND").text).toContain("only the live web page shows it");
    expect(rule("stats/www", "TRANSPARENCY-PUBLIC-STATS").status).toBe("not-applicable");
  });

  it("the fleet: verdicts per site, the chart, the reading date, the instances and Matomo's compliance mode", () => {
    expect(Object.fromEntries(report.sites.filter((s) => !s.unmanaged).map((s) => [s.id, s.verdict]))).toEqual({
      "stats/www": "violated",
      "stats/demarches": "evidence-missing",
      "stats/boutique": "evidence-missing",
      "pp/app": "rests-on-trust",
    });
    expect(report.summary).toMatchObject({ sites: 4, unmanagedSites: 1, instancesUnread: 0, verdicts: { violated: 1, "evidence-missing": 2, "rests-on-trust": 1, verified: 0, "not-read": 0 } });
    const index = read("index.html");
    expect(index).toContain('<svg id="verdict-chart"');
    expect(index).toContain(report.summary.headline.replace(/'/g, "&#39;"));
    for (const s of report.sites) expect(index).toContain(`href="${s.page}"`);
    const stats = report.instances.find((i) => i.instanceId === "stats")!;
    expect(stats.compliance).toMatchObject({ available: false });
    expect(stats.compliance.note).toContain("Matomo 5.1.2 has no readable CNIL compliance mode: PrivacyManager.getComplianceStatus does not exist");
    expect(index).toContain("Matomo 5.1.2 has no readable CNIL compliance mode");
    expect(report.instances.find((i) => i.instanceId === "pp")!.compliance.note).toContain("Piwik PRO offers no readable CNIL compliance status");
    expect(report.attention.violations).toEqual([expect.objectContaining({ site: "stats/www", ruleId: "CNIL-SINGLE-PUBLISHER" })]);
    expect(report.attention.toConfirm.find((t) => t.ruleId === "CNIL-OPT-OUT")!.sites).toEqual(["stats/www", "stats/demarches", "stats/boutique"]);
  });

  it("an unmanaged site gets its own page, marked as not declared", () => {
    const u = site("stats/#1");
    expect(u).toMatchObject({ unmanaged: true, productId: "1", page: "sites/stats--unmanaged-1.html" });
    expect(read(u.page)).toContain("Not declared:");
  });

  it("no secret reaches any file of the report", () => {
    const secrets = [fleet.matomo.token, fleet.matomo.password, fleet.pp.clientSecret];
    for (const file of ["index.html", "all-sites.html", "evidence.json", ...report.sites.map((s) => s.page)]) {
      const text = read(file);
      for (const s of secrets) expect(text).not.toContain(s);
    }
  });

  it("--only stats/www reports that site alone, and a second run in the same folder removes pages no longer reported", async () => {
    const out = tempDir("exempt-evidence-only-");
    await fleet.evidence([], out);
    expect(fs.readdirSync(path.join(out, "sites"))).toHaveLength(5);
    fs.writeFileSync(path.join(out, "sites", "notes-of-the-dpo.html"), "kept");
    const only = await fleet.evidence(["--only", "stats/www"], out);
    expect(only.code).toBe(0);
    const json = EvidenceReportSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));
    expect(json.sites.filter((s) => !s.unmanaged).map((s) => s.id)).toEqual(["stats/www"]);
    expect(json.scope).toEqual({ instance: "stats", site: "www" });
    // Unmanaged sites are listed only when a whole instance is read; the DPO's own file stays.
    expect(fs.readdirSync(path.join(out, "sites")).sort()).toEqual(["notes-of-the-dpo.html", "stats--www.html"]);
  });
});

describe("exempt evidence when evidence is missing or the report cannot be written", () => {
  let fleet: EvidenceFleet;
  beforeAll(async () => {
    fleet = await startEvidenceFleet();
  });
  afterAll(() => fleet?.close());

  it("a site not yet created is declared only; without the password, retention is neither observable nor enforced", async () => {
    const yaml = fleetYaml()
      .replace("auth: { tokenEnv: MATOMO_TOKEN, passwordEnv: MATOMO_PASSWORD }", "auth: { tokenEnv: MATOMO_TOKEN }")
      .replace("      demarches:\n", "      blog:\n        name: Blog\n        urls: [https://blog.example.gouv.fr]\n      demarches:\n");
    const config = writeFile(fleet.dir, "missing.yaml", yaml);
    const out = tempDir("exempt-evidence-missing-");
    const r = await runExempt(["evidence", "--config", config, "--out", out], { env: fleet.env });
    expect(r.code).toBe(0);
    const json = EvidenceReportSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));
    const blog = json.sites.find((s) => s.id === "stats/blog")!;
    expect(blog).toMatchObject({ read: false, verdict: "not-read", readNote: expect.stringContaining("not found on the instance") });
    expect(blog.rules.find((x) => x.ruleId === "CNIL-IP-MASK-2B")!.status).toBe("declared-only");
    const www = json.sites.find((s) => s.id === "stats/www")!;
    expect(www.rules.find((x) => x.ruleId === "CNIL-RETENTION-25M")!.status).toBe("not-observable");
    expect(json.attention.notObservable.map((n) => n.ruleId)).toContain("CNIL-RETENTION-25M");
    expect(fs.readFileSync(path.join(out, blog.page), "utf8")).toContain("No live evidence:");
    expect(writesSinceReset(fleet)).toEqual([]);
  });

  it("an instance that cannot be read: the report is written (exit 0) and says so; its sites are not read", async () => {
    const out = tempDir("exempt-evidence-down-");
    const r = await runExempt(["evidence", "--config", fleet.config, "--out", out, "--retries", "0", "--timeout-ms", "500"], { env: { ...fleet.env, MATOMO_URL: "http://127.0.0.1:9" } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("stats could not be read");
    const json = EvidenceReportSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));
    expect(json.summary.instancesUnread).toBe(1);
    expect(json.sites.filter((s) => s.instanceId === "stats").every((s) => s.verdict === "not-read")).toBe(true);
    expect(json.sites.find((s) => s.id === "pp/app")!.verdict).toBe("rests-on-trust");
    expect(fs.readFileSync(path.join(out, "index.html"), "utf8")).toContain("could not be read");
  });

  it("--manifest: the report carries the hashes the synthesised manifest (and Terraform's triggers) carry", async () => {
    const config = loadConfigFile(fleet.config, { env: fleet.env }).config;
    const manifest = buildManifest(config, "exempt test", { file: fleet.config });
    const file = writeFile(fleet.dir, "manifest.json", JSON.stringify(manifest));
    const out = tempDir("exempt-evidence-manifest-");
    const r = await runExempt(["evidence", "--manifest", file, "--out", out], { env: fleet.env });
    expect(r.code).toBe(0);
    const json = EvidenceReportSchema.parse(JSON.parse(fs.readFileSync(path.join(out, "evidence.json"), "utf8")));
    expect(Object.fromEntries(json.instances.map((i) => [i.instanceId, i.declarationHash]))).toEqual(manifest.hashes);
  });

  it("exit 1 without --out, and when the folder cannot be written", async () => {
    const none = await runExempt(["evidence", "--config", fleet.config], { env: fleet.env });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("--out DIR is required");
    const file = writeFile(tempDir(), "not-a-folder", "x");
    const r = await runExempt(["evidence", "--config", fleet.config, "--out", file], { env: fleet.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("could not write the evidence report");
  });
});
