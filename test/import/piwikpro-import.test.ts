import * as fs from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { configJsonSchema } from "../../model/json-schema";
import { RunReportSchema, type RunReport } from "../../engine/report-schema";
import { loadConfigFile } from "../../model/loader";
import type { PiwikProInstance } from "../../model/piwikpro";
import { runExempt } from "../support/cli";
import { startValidatedPiwikPro, type ValidatedPiwikPro } from "../support/piwikpro";
import { tempDir } from "../support/tmp";
import { seedPiwikProFleet, type PiwikProFleet } from "./piwikpro-fleet";

const env = (pp: ValidatedPiwikPro) => ({ PP_CLIENT_ID: pp.clientId, PP_CLIENT_SECRET: pp.clientSecret });
const importArgs = (pp: ValidatedPiwikPro) => ["import", "--kind", "piwikpro", "--url", pp.url, "--client-id-env", "PP_CLIENT_ID", "--client-secret-env", "PP_CLIENT_SECRET"];

/** `exempt import` on a Piwik PRO account configured by hand: 50 varied apps, then `exempt plan` on what it wrote. */
describe("exempt import --kind piwikpro, on an account of 50 apps configured by hand", () => {
  let pp: ValidatedPiwikPro;
  let fleet: PiwikProFleet;
  let dir: string;
  let file: string;
  let imported: { code: number; stdout: string; stderr: string };
  let text: string;
  let plan: RunReport;
  let planCode: number;

  beforeAll(async () => {
    pp = await startValidatedPiwikPro();
    fleet = await seedPiwikProFleet(pp, 50);
    dir = tempDir();
    file = `${dir}/exempt.yaml`;
    pp.emulator.resetCalls();
    imported = await runExempt([...importArgs(pp), "--out", file, "--instance-id", "pp"], { env: env(pp) });
    text = fs.readFileSync(file, "utf8");
    const r = await runExempt(["plan", "--config", file, "--format", "json"], { env: { ...env(pp), EXEMPT_LOCK_DIR: dir } });
    planCode = r.code;
    plan = RunReportSchema.parse(JSON.parse(r.stdout)) as RunReport;
  });
  afterAll(() => pp.close());

  it("writes a file the JSON Schema of exempt.yaml accepts, so editors validate it too", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(configJsonSchema());
    validate(parse(text));
    expect(validate.errors ?? []).toEqual([]);
  });

  it("writes the file and exits 0, reading only (every exchange within Piwik PRO's published API)", () => {
    expect(imported.code).toBe(0);
    expect(imported.stderr).toMatch(/imported 50 site\(s\) into .*exempt\.yaml/);
    expect(pp.emulator.calls.filter((c) => c.method !== "GET" && !c.path.startsWith("/auth/"))).toEqual([]);
    pp.assertNoContractViolations();
  });

  it("round trip: right after the import, plan shows no change to any observable field", () => {
    expect(plan.summary).toMatchObject({ changes: 0, blocked: 0, failed: 0 });
    const account = plan.instances[0];
    expect(account.error).toBeUndefined();
    expect(account.instanceChanges).toEqual([]);
    expect(account.sites).toHaveLength(50);
    expect(account.sites.filter((s) => s.operation !== "none" || s.changes.length)).toEqual([]);
    expect(account.unmanaged).toEqual([]);
    expect(account.problems).toEqual([]);
  });

  it("exits 2 only because of the CNIL breaches the apps carry", () => {
    expect(planCode).toBe(2);
    const failing = new Set(plan.instances[0].findings.filter((f) => f.status === "fail" && f.level === "error").map((f) => f.ruleId));
    expect([...failing].sort()).toEqual(["CNIL-HYBRID-SEPARATION", "CNIL-NO-CROSS-DOMAIN", "CNIL-NO-UNCONSENTED-TAGS", "CNIL-SINGLE-PUBLISHER", "CNIL-TAG-CONSENT-ANALYTICS"]);
  });

  it("declares each app with its id and consent settings, and the account's privacy as read (no TODO: Piwik PRO reads them)", () => {
    const account = loadConfigFile(file, { env: {} }).config.instances.pp as PiwikProInstance;
    const apps = Object.values(account.sites);
    expect(apps.map((a) => a.appId).sort()).toEqual([...fleet.ids].sort());
    const byId = new Map(apps.map((a) => [a.appId, a]));
    expect(byId.get(fleet.ids[0])).toMatchObject({ name: "App 0", urls: ["https://a0.example.fr", "https://www.a0.example.fr"], ecommerce: true, askConsent: true, withoutConsent: "cookieless", excludedQueryParameters: ["email", "token", "gclid"], timezone: "Europe/Paris", currency: "EUR" });
    expect(byId.get(fleet.ids[1])).toMatchObject({ excludeUnknownUrls: false, withoutConsent: "session-cookie", timezone: "UTC", currency: "USD" });
    expect(byId.get(fleet.ids[2])).toMatchObject({ askConsent: false, withoutConsent: "nothing" });
    expect(byId.get(fleet.ids[8])!.name).toBe("Budget ${HOME} 2026");
    expect(account.privacy).toEqual({ ipMaskBytes: 2, useMaskedIpForEnrichment: true, geolocation: "city", dropIp: false });
    expect(text).not.toMatch(/privacy:[\s\S]*TODO[\s\S]*access:/);
  });

  it("declares tags with their consent types, ids, state and template options", () => {
    const account = loadConfigFile(file, { env: {} }).config.instances.pp as PiwikProInstance;
    const byId = new Map(Object.values(account.sites).map((a) => [a.appId, a]));
    const tags0 = Object.values(byId.get(fleet.ids[0])!.tags);
    expect(tags0).toEqual([expect.objectContaining({ name: "Piwik PRO", template: "piwik", consentType: "analytics", active: true, tagId: expect.stringMatching(/^[0-9a-f-]{36}$/), templateOptions: expect.objectContaining({ link_tracking: true }) })]);
    const tags3 = Object.values(byId.get(fleet.ids[3])!.tags);
    expect(tags3).toEqual([expect.objectContaining({ name: "Hotjar", template: "hot_jar", consentType: "user_feedback", active: false })]);
    expect(text).toMatch(/consentType: not_require_consent # CNIL-TAG-CONSENT-ANALYTICS \(error\)/);
  });

  it("declares users by e-mail with their permission, `all` for a user on every app", () => {
    const account = loadConfigFile(file, { env: {} }).config.instances.pp as PiwikProInstance;
    expect(account.access.users["dave@example.fr"]).toEqual({ role: "view", sites: "all" });
    expect(account.access.users["bob@example.fr"].role).toBe("edit-publish");
    expect(account.access.users["carol@example.fr"]).toMatchObject({ role: "manage" });
    expect(account.access.users["alice@example.fr"].sites).toHaveLength(25);
    expect(Object.keys(account.access.users)).not.toContain("eve@example.fr");
  });

  it("flags every app that breaks a rule next to the offending field, and exempt check agrees (exit 2)", async () => {
    const flagged = (re: RegExp) => text.split("\n").filter((l) => re.test(l)).length;
    expect(flagged(/^\s+excludeUnknownUrls: false # CNIL-SINGLE-PUBLISHER \(error\)/)).toBe(fleet.breaking["CNIL-SINGLE-PUBLISHER"].length);
    expect(flagged(/^\s+ecommerce: true # CNIL-ECOMMERCE-OFF \(warning\)/)).toBe(fleet.breaking["CNIL-ECOMMERCE-OFF"].length);
    const check = await runExempt(["check", "--config", file], { env: {} });
    expect(check.code).toBe(2);
  });
});

describe("exempt import --kind piwikpro, on what the model cannot say", () => {
  it("an app overriding the account's privacy is flagged, and plan resets the override", async () => {
    const pp = await startValidatedPiwikPro();
    try {
      await seedPiwikProFleet(pp, 3, { override: true });
      const r = await runExempt(importArgs(pp), { env: env(pp) });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/# TODO: this app overrides privacy\.ipMaskBytes with 1; Exempt keeps privacy settings account-wide, so the plan resets the override \(privacyOverride\.ipMaskBytes\)\n\s+a0:/);
      const dir = tempDir();
      fs.writeFileSync(`${dir}/exempt.yaml`, r.stdout);
      const plan = RunReportSchema.parse(JSON.parse((await runExempt(["plan", "--config", `${dir}/exempt.yaml`, "--format", "json"], { env: { ...env(pp), EXEMPT_LOCK_DIR: dir } })).stdout));
      expect(plan.instances[0].sites.flatMap((s) => s.changes)).toEqual([expect.objectContaining({ field: "privacyOverride.ipMaskBytes", live: 1, desired: 2 })]);
    } finally {
      await pp.close();
    }
  });
});
