import { runExempt } from "../support/cli";
import { rawClient, startValidatedPiwikPro, ValidatedPiwikPro } from "../support/piwikpro";
import { tempDir, writeFile } from "../support/tmp";
import { RunReportSchema } from "../../engine/report-schema";

/**
 * plan, apply and drift through the CLI against the Piwik PRO emulator, every exchange validated
 * against Piwik PRO's OpenAPI documents (the validated emulator fails the test on a violation).
 */
const FLEET = `instances:
  cloud:
    kind: piwikpro
    url: \${PIWIKPRO_URL}
    auth: { clientIdEnv: PIWIKPRO_CLIENT_ID, clientSecretEnv: PIWIKPRO_CLIENT_SECRET }
    sites:
      mag:
        name: Le magazine
        urls: [https://magazine.example.fr]
        tags:
          analytics: { name: Piwik PRO, template: piwik }
      shop:
        name: La boutique
        urls: [https://shop.example.fr]
        mode: consent
        ecommerce: true
`;

describe("exempt plan/apply/drift on Piwik PRO", () => {
  let pp: ValidatedPiwikPro;
  let dir: string;
  let config: string;
  const env = () => ({ PIWIKPRO_URL: pp.url, PIWIKPRO_CLIENT_ID: pp.clientId, PIWIKPRO_CLIENT_SECRET: pp.clientSecret, EXEMPT_LOCK_DIR: dir });
  const json = async (...args: string[]) => {
    const r = await runExempt([...args, "--config", config, "--format", "json"], { env: env() });
    return { ...r, report: RunReportSchema.parse(JSON.parse(r.stdout)) };
  };
  const writes = () => pp.emulator.calls.filter((c) => c.method !== "GET" && !c.path.startsWith("/auth/"));
  const appId = async (name: string) => {
    const apps = (await rawClient(pp).get("/api/apps/v2?limit=100")).json as { data: Array<{ id: string; attributes: { name: string } }> };
    return apps.data.find((a) => a.attributes.name === name)!.id;
  };

  beforeEach(async () => {
    pp = await startValidatedPiwikPro();
    dir = tempDir();
    config = writeFile(dir, "exempt.yaml", FLEET);
  });
  afterEach(() => pp.close());

  it("plan on a fresh account lists the apps to create, the account privacy to set, and exits 2 without writing", async () => {
    const { code, report } = await json("plan");
    expect(code).toBe(2);
    const cloud = report.instances[0];
    expect(cloud.sites.map((s) => [s.siteKey, s.operation])).toEqual([
      ["mag", "create"],
      ["shop", "create"],
    ]);
    expect(cloud.instanceChanges.map((c) => c.field)).toEqual(expect.arrayContaining(["privacy.ipMaskBytes", "privacy.useMaskedIpForEnrichment", "privacy.geolocation"]));
    expect(cloud.notes.some((n) => n.startsWith("UNCONFIRMED (Piwik PRO)"))).toBe(true);
    expect(writes()).toEqual([]);
  });

  it("apply creates the apps and their tag, publishes it, sets the privacy; a second apply writes nothing", async () => {
    const first = await json("apply");
    expect(first.code).toBe(0);
    const mag = await appId("Le magazine");
    const app = (await rawClient(pp).get(`/api/apps/v2/${mag}`)).json as { data: { attributes: Record<string, unknown> } };
    expect(app.data.attributes).toMatchObject({ excludeUnknownUrls: true, gdpr: true, gdprDataAnonymization: true, gdprDataAnonymizationMode: "no_device_storage", eCommerceTracking: false });
    expect(pp.emulator.state.publishedTags(mag).map((t) => [t.attributes.name, t.attributes.consent_type])).toEqual([["Piwik PRO", "analytics"]]);
    const global = (await rawClient(pp).get("/api/tracker/v2/settings/app/global")).json as { data: { attributes: Record<string, unknown> } };
    expect(global.data.attributes).toMatchObject({ anonymize_visitor_ip_level: 2, fingerprint_based_on_anonymized_ip: true, anonymize_visitor_geolocation_level: "City" });
    pp.emulator.resetCalls();
    const second = await json("apply");
    expect(second.code).toBe(0);
    expect(second.report.summary.changes).toBe(0);
    expect(writes()).toEqual([]);
  });

  it("drift sees a consent type changed behind Exempt's back (exit 2, CNIL-TAG-CONSENT-ANALYTICS), and apply puts it back live", async () => {
    await json("apply");
    const mag = await appId("Le magazine");
    const tag = pp.emulator.state.publishedTags(mag)[0];
    await rawClient(pp).patch(`/api/tag/v1/${mag}/tags/${tag.id}`, { data: { id: tag.id, type: "tag", attributes: { consent_type: "not_require_consent" } } });
    const drift = await json("drift");
    expect(drift.code).toBe(2);
    const site = drift.report.instances[0].sites.find((s) => s.siteKey === "mag")!;
    expect(site.changes).toEqual([expect.objectContaining({ field: "tags.analytics.consentType", live: "not_require_consent", desired: "analytics" })]);
    expect(drift.report.instances[0].findings).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: "CNIL-TAG-CONSENT-ANALYTICS", side: "live", status: "fail", siteKey: "mag" })]));
    expect((await json("apply")).code).toBe(0);
    expect(pp.emulator.state.publishedTags(mag)[0].attributes.consent_type).toBe("analytics");
    expect((await json("drift")).code).toBe(0);
  });

  it("the live Piwik PRO tag's options are judged: a user id set in the UI breaks CNIL-NO-USERID", async () => {
    await json("apply");
    const mag = await appId("Le magazine");
    const tag = pp.emulator.state.publishedTags(mag)[0];
    const { tracker_domains: _d, tracker_php_url: _p, tracker_js_url: _j, tracker_site_id: _s, ...options } = tag.attributes.template_options as Record<string, unknown>;
    const patched = await rawClient(pp).patch(`/api/tag/v1/${mag}/tags/${tag.id}`, { data: { id: tag.id, type: "tag", attributes: { template_options: { ...options, user_id: "{{ user.email }}" } } } });
    expect(patched.status).toBe(204);
    const drift = await json("drift");
    expect(drift.code).toBe(2);
    expect(drift.report.instances[0].findings).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: "CNIL-NO-USERID", side: "live", status: "fail", siteKey: "mag" })]));
  });

  it("an app overriding the account's IP masking is drift, and apply resets the override", async () => {
    await json("apply");
    const shop = await appId("La boutique");
    await rawClient(pp).patch(`/api/tracker/v2/settings/app/${shop}`, { data: { id: shop, type: "tracker/settings/app", attributes: { anonymize_visitor_ip_level: 0 } } });
    const drift = await json("drift");
    expect(drift.code).toBe(2);
    expect(drift.report.instances[0].sites.find((s) => s.siteKey === "shop")!.changes).toEqual([expect.objectContaining({ field: "privacyOverride.ipMaskBytes", live: 0, desired: 2 })]);
    expect((await json("apply")).code).toBe(0);
    expect((await json("drift")).code).toBe(0);
  });

  it("429 bursts and 5xx are absorbed: apply converges and creates each app once", async () => {
    pp.emulator.faults.set({ rateLimitRate: 0.2, retryAfterSeconds: 1, errorRate: 0.1, seed: 4 });
    const r = await json("apply");
    pp.emulator.faults.reset();
    expect(r.code).toBe(0);
    expect(pp.emulator.faults.injected["rate-limit"] + pp.emulator.faults.injected.error).toBeGreaterThan(0);
    expect((await json("plan")).report.summary.changes).toBe(0);
    const apps = (await rawClient(pp).get("/api/apps/v2?limit=100")).json as { data: unknown[] };
    expect(apps.data).toHaveLength(2);
  }, 60_000);

  it("wrong client credentials fail fast, naming the variables, never the secret", async () => {
    const r = await runExempt(["plan", "--config", config], { env: { ...env(), PIWIKPRO_CLIENT_SECRET: "wrong-secret-canary-123" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("PIWIKPRO_CLIENT_SECRET");
    expect(r.stdout + r.stderr).not.toContain("wrong-secret-canary-123");
    expect(pp.emulator.calls.filter((c) => c.path === "/auth/token")).toHaveLength(1);
  });
});
