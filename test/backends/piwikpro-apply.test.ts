import { planInstance } from "../../engine/plan";
import type { InstancePlan, LiveInstance } from "../../engine/types";
import type { PiwikProInstance, PiwikProInstanceInput } from "../../model/piwikpro";
import { rawClient, startValidatedPiwikPro, type ValidatedPiwikPro } from "../support/piwikpro";
import { backendFor, callShapes, grant, instanceFor, seedApps, seedTag, seedUser } from "./piwikpro-fixtures";

/** `apply()`: what each planned change sends, and what a failure does to the rest. */
describe("Piwik PRO backend: applying a plan", () => {
  let pp: ValidatedPiwikPro;
  beforeEach(async () => {
    pp = await startValidatedPiwikPro();
  });
  afterEach(async () => pp.close());

  /** The account-wide settings already as the model's defaults want them, so tests see only their own changes. */
  async function compliantGlobals(): Promise<void> {
    await rawClient(pp).patch("/api/tracker/v2/settings/app/global", {
      data: { type: "tracker/settings/app/global", id: "global", attributes: { anonymize_visitor_ip_level: 2, fingerprint_based_on_anonymized_ip: true, anonymize_visitor_geolocation_level: "City" } },
    });
  }

  /** App attributes that match a declaration left at the model's defaults. */
  const COMPLIANT_APP = { excludeUnknownUrls: true, gdpr: true, gdprDataAnonymization: true, gdprDataAnonymizationMode: "no_device_storage", eCommerceTracking: false };

  async function run(input: Partial<PiwikProInstanceInput>, options: { prune?: boolean; tuning?: Parameters<typeof backendFor>[2] } = {}) {
    const instance = instanceFor(pp, input);
    const { backend, logs } = backendFor(pp, instance, options.tuning);
    const live = await backend.read();
    const plan = planInstance("pp", instance, live, { prune: options.prune ?? false });
    pp.emulator.resetCalls();
    const outcome = await backend.apply(plan, live, { prune: options.prune ?? false });
    // What the apply sent, before the reading that checks it.
    const sent = callShapes(pp);
    const after = planInstance("pp", instance, await backend.read(), { prune: options.prune ?? false });
    return { instance, live, plan, outcome, after, logs, backend, sent };
  }

  const bodyOf = (method: string, pathPart: string) => pp.emulator.calls.find((c) => c.method === method && c.path.includes(pathPart))?.body as { data: Record<string, unknown> } | undefined;

  it("creates an app with every declared attribute in one POST, with an id it chose", async () => {
    await compliantGlobals();
    const { outcome, after } = await run({
      sites: { www: { name: "Example", urls: ["https://www.example.fr", "https://example.fr"], excludedQueryParameters: ["email"], timezone: "Europe/Paris", currency: "EUR" } },
    });
    expect(outcome.sites).toEqual([{ siteKey: "www", ok: true, productId: expect.any(String), wrote: [`created app ${outcome.sites[0].productId}`] }]);
    const body = bodyOf("POST", "/api/apps/v2");
    expect(body?.data).toEqual({
      type: "ppms/app",
      attributes: {
        id: outcome.sites[0].productId,
        name: "Example",
        urls: ["https://www.example.fr", "https://example.fr"],
        excludeUnknownUrls: true,
        gdpr: true,
        gdprDataAnonymization: true,
        gdprDataAnonymizationMode: "no_device_storage",
        excludedUrlParams: ["email"],
        eCommerceTracking: false,
        timezone: "Europe/Paris",
        currency: "EUR",
      },
    });
    expect(after.sites[0].operation).toBe("none");
  });

  it("updates an app with a PATCH of only the attributes that changed", async () => {
    await compliantGlobals();
    const [id] = await seedApps(pp, [{ name: "Example", urls: ["https://www.example.fr"], attributes: { ...COMPLIANT_APP, eCommerceTracking: true, gdprDataAnonymizationMode: "session_cookie_id" } }]);
    const { outcome, after, sent } = await run({ sites: { www: { name: "Example", urls: ["https://www.example.fr"] } } });
    expect(outcome.sites[0]).toEqual({ siteKey: "www", ok: true, productId: id, wrote: ["withoutConsent", "ecommerce"] });
    expect(sent).toEqual(["PATCH /api/apps/v2/{id}"]);
    expect(bodyOf("PATCH", `/api/apps/v2/${id}`)).toEqual({ data: { type: "ppms/app", id, attributes: { gdprDataAnonymization: true, gdprDataAnonymizationMode: "no_device_storage", eCommerceTracking: false } } });
    expect(after.sites[0].changes).toEqual([]);
  });

  it("writes 'nothing without consent' as gdprDataAnonymization off, leaving the mode alone", async () => {
    await compliantGlobals();
    const [id] = await seedApps(pp, [{ name: "Example", urls: ["https://www.example.fr"], attributes: COMPLIANT_APP }]);
    await run({ sites: { www: { name: "Example", urls: ["https://www.example.fr"], withoutConsent: "nothing", mode: "consent" } } });
    expect(bodyOf("PATCH", `/api/apps/v2/${id}`)?.data.attributes).toEqual({ gdprDataAnonymization: false });
  });

  it("writes the account-wide privacy settings in one PATCH of the global tracker settings", async () => {
    const { outcome, after } = await run({ privacy: { ipMaskBytes: 3, dropIp: true } });
    expect(outcome.instance).toEqual({ ok: true, wrote: ["privacy.ipMaskBytes", "privacy.useMaskedIpForEnrichment", "privacy.geolocation", "privacy.dropIp"] });
    expect(bodyOf("PATCH", "/api/tracker/v2/settings/app/global")).toEqual({
      data: {
        type: "tracker/settings/app/global",
        id: "global",
        attributes: { anonymize_visitor_ip_level: 3, fingerprint_based_on_anonymized_ip: true, anonymize_visitor_geolocation_level: "City", set_ip_tracking: false },
      },
    });
    expect(after.instanceChanges).toEqual([]);
  });

  it("resets an app's override of an account-wide privacy setting with a DELETE of that setting", async () => {
    await compliantGlobals();
    const [id] = await seedApps(pp, [{ name: "Example", urls: ["https://www.example.fr"], attributes: COMPLIANT_APP }]);
    await rawClient(pp).patch(`/api/tracker/v2/settings/app/${id}`, { data: { type: "tracker/settings/app", id, attributes: { anonymize_visitor_ip_level: 0, fingerprint_based_on_anonymized_ip: false } } });
    const { plan, outcome, after, sent } = await run({ sites: { www: { name: "Example", urls: ["https://www.example.fr"] } } });
    expect(plan.sites[0].changes.map((c) => c.field)).toEqual(["privacyOverride.ipMaskBytes", "privacyOverride.useMaskedIpForEnrichment"]);
    expect(outcome.sites[0].ok).toBe(true);
    expect(sent.sort()).toEqual(["DELETE /api/tracker/v2/settings/app/{id}/anonymize_visitor_ip_level", "DELETE /api/tracker/v2/settings/app/{id}/fingerprint_based_on_anonymized_ip"]);
    expect(pp.emulator.state.trackerOverrides(id)).toEqual({});
    expect(after.sites[0].changes).toEqual([]);
  });

  it("sets declared permissions by user id, and fails only the app whose declared user does not exist", async () => {
    await compliantGlobals();
    const [a, b] = await seedApps(pp, [
      { name: "A", urls: ["https://a.example.fr"], attributes: COMPLIANT_APP },
      { name: "B", urls: ["https://b.example.fr"], attributes: COMPLIANT_APP },
    ]);
    const alice = await seedUser(pp, "alice@example.fr");
    const { outcome } = await run({
      sites: { a: { name: "A", urls: ["https://a.example.fr"] }, b: { name: "B", urls: ["https://b.example.fr"] } },
      access: { users: { "alice@example.fr": { role: "edit-publish", sites: ["a"] }, "nobody@example.fr": { role: "view", sites: ["b"] } } },
    });
    expect(outcome.sites.find((s) => s.siteKey === "a")).toEqual({ siteKey: "a", ok: true, productId: a, wrote: ["access.alice@example.fr → edit-publish"] });
    const failed = outcome.sites.find((s) => s.siteKey === "b");
    expect(failed).toMatchObject({ ok: false, productId: b });
    expect(failed?.error).toMatch(/^access\.nobody@example\.fr: no user nobody@example\.fr in the Piwik PRO organization\. Exempt does not invite users/);
    expect(bodyOf("POST", "/permission/user/")).toEqual({ data: { type: "app/permission/user", attributes: { permission: "edit-publish" } } });
    expect(pp.emulator.state.permissions(a)).toEqual({ [alice]: "edit-publish" });
  });

  it("revokes an undeclared permission with no-access only when revoking is declared and pruning asked for", async () => {
    await compliantGlobals();
    const [a] = await seedApps(pp, [{ name: "A", urls: ["https://a.example.fr"], attributes: COMPLIANT_APP }]);
    const mallory = await seedUser(pp, "mallory@example.fr");
    await grant(pp, a, mallory, "manage");
    const sites = { a: { name: "A", urls: ["https://a.example.fr"] } };
    const kept = await run({ sites, access: { revokeUndeclared: true } });
    expect(kept.plan.sites[0].changes[0]).toMatchObject({ field: "access.mallory@example.fr", blockedBy: "revoking access needs --prune" });
    expect(pp.emulator.state.permissions(a)).toEqual({ [mallory]: "manage" });
    const revoked = await run({ sites, access: { revokeUndeclared: true } }, { prune: true });
    expect(revoked.outcome.sites[0]).toMatchObject({ ok: true, wrote: ["access.mallory@example.fr → noaccess"] });
    expect(bodyOf("POST", "/permission/user/")?.data.attributes).toEqual({ permission: "no-access" });
    expect(pp.emulator.state.permissions(a)).toEqual({});
  });

  it("creates declared tags with empty triggers, edits consent type and state in one PATCH without the template, deletes nothing, then publishes once", async () => {
    await compliantGlobals();
    const [id] = await seedApps(pp, [{ name: "A", urls: ["https://a.example.fr"], attributes: COMPLIANT_APP }]);
    const piwik = await seedTag(pp, id, { name: "Piwik PRO", template: "piwik", consent_type: "not_require_consent", is_active: false, template_options: {} });
    await seedTag(pp, id, { name: "Undeclared", template: "custom_tag", code: "<script></script>", consent_type: "not_require_consent" });
    const { outcome, after, sent } = await run({
      sites: {
        a: {
          name: "A",
          urls: ["https://a.example.fr"],
          tags: { main: { name: "Piwik PRO", template: "piwik" }, heat: { name: "Heatmaps", template: "heatmaps", consentType: "user_feedback" } },
        },
      },
    });
    expect(outcome.sites[0]).toMatchObject({ ok: true });
    expect(outcome.sites[0].wrote).toEqual(
      expect.arrayContaining(["tags.main.consentType", "tags.main.active", expect.stringMatching(/^tags\.heat created \(\S+\)$/), expect.stringMatching(/^published the Tag Manager draft \(operation \S+\)$/)]),
    );
    expect(bodyOf("PATCH", `/tags/${piwik}`)).toEqual({ data: { type: "tag", id: piwik, attributes: { consent_type: "analytics", is_active: true } } });
    const created = bodyOf("POST", `/api/tag/v1/${id}/tags`);
    expect(created?.data).toEqual({
      type: "tag",
      id: expect.any(String),
      attributes: { name: "Heatmaps", template: "heatmaps", consent_type: "user_feedback", is_active: true },
      relationships: { triggers: { data: [] } },
    });
    expect(sent.filter((c) => c.startsWith("DELETE"))).toEqual([]);
    expect(sent.filter((c) => c.endsWith("/publish"))).toHaveLength(1);
    // The emulator's operation takes three polls: created, started, completed.
    expect(sent.filter((c) => c.includes("/operations/"))).toHaveLength(3);
    expect(pp.emulator.state.publishedTags(id).map((t) => t.attributes.name).sort()).toEqual(["Heatmaps", "Piwik PRO", "Undeclared"]);
    expect(after.sites[0].changes).toEqual([]);
  });

  it("reports a failed publish for that app only, saying the changes wait in the draft", async () => {
    await compliantGlobals();
    const [a, b] = await seedApps(pp, [
      { name: "A", urls: ["https://a.example.fr"], attributes: COMPLIANT_APP },
      { name: "B", urls: ["https://b.example.fr"], attributes: COMPLIANT_APP },
    ]);
    await seedTag(pp, a, { name: "Piwik PRO", template: "piwik", consent_type: "not_require_consent", template_options: {} });
    pp.emulator.failOperations(1);
    const { outcome } = await run({
      sites: { a: { name: "A", urls: ["https://a.example.fr"], tags: { main: { name: "Piwik PRO", template: "piwik" } } }, b: { name: "B", urls: ["https://b.example.fr"], ecommerce: true, mode: "consent" } },
    });
    const failed = outcome.sites.find((s) => s.siteKey === "a");
    expect(failed?.ok).toBe(false);
    expect(failed?.wrote).toContain("tags.main.consentType");
    expect(failed?.error).toMatch(
      new RegExp(`^Piwik PRO instance 'pp': publishing the Tag Manager draft of app 'a' \\(${a}\\): operation \\S+ failed: Version could not be published\\. The tag changes are saved in the draft but not live`),
    );
    expect(outcome.sites.find((s) => s.siteKey === "b")).toEqual({ siteKey: "b", ok: true, productId: b, wrote: ["ecommerce"] });
    expect(pp.emulator.state.draftHasChanges(a)).toBe(true);
  });

  it("after a failed publish, the next plan sees the unpublished draft and the next apply publishes it", async () => {
    await compliantGlobals();
    const [a] = await seedApps(pp, [{ name: "A", urls: ["https://a.example.fr"], attributes: COMPLIANT_APP }]);
    await seedTag(pp, a, { name: "Piwik PRO", template: "piwik", consent_type: "not_require_consent", template_options: {} });
    pp.emulator.failOperations(1);
    const sites = { a: { name: "A", urls: ["https://a.example.fr"], tags: { main: { name: "Piwik PRO", template: "piwik" } } } };
    const first = await run({ sites });
    expect(first.outcome.sites[0].ok).toBe(false);
    // The draft now holds the right consent type, so only the draft's state tells what is not live.
    expect(first.after.sites[0].changes).toEqual([expect.objectContaining({ field: "tags.(draft)", live: "unpublished changes in the Tag Manager draft", desired: "published" })]);
    const second = await run({ sites });
    expect(second.outcome.sites[0]).toMatchObject({ ok: true, wrote: [expect.stringMatching(/^published the Tag Manager draft/)] });
    expect(pp.emulator.state.draftHasChanges(a)).toBe(false);
    expect(second.after.sites[0].changes).toEqual([]);
  });

  it("reports a publish that does not complete in time", async () => {
    await pp.close();
    pp = await startValidatedPiwikPro({ operationSteps: 1_000_000 });
    await compliantGlobals();
    const { outcome } = await run({ sites: { a: { name: "A", urls: ["https://a.example.fr"], tags: { main: { name: "Piwik PRO", template: "piwik" } } } } }, { tuning: { publishTimeoutMs: 300, publishPollIntervalMs: 5, publishMaxPollIntervalMs: 20 } });
    expect(outcome.sites[0].ok).toBe(false);
    expect(outcome.sites[0].error).toMatch(/publishing the Tag Manager draft of app 'a' \(\S+\): operation \S+ did not complete within 300 ms \(last state: started\)\. The tag changes are saved in the draft/);
  });

  it("leaves tag changes in the draft when the app says not to publish", async () => {
    await compliantGlobals();
    const { outcome, sent } = await run({ sites: { a: { name: "A", urls: ["https://a.example.fr"], publishTags: false, tags: { main: { name: "Piwik PRO", template: "piwik" } } } } });
    expect(outcome.sites[0].wrote).toContain("tag changes left in the Tag Manager draft (publishTags: false)");
    expect(sent.some((c) => c.endsWith("/publish"))).toBe(false);
  });

  it("deletes an app only when its plan says delete and pruning was asked for", async () => {
    await compliantGlobals();
    const [id] = await seedApps(pp, [{ name: "Old", urls: ["https://old.example.fr"], attributes: COMPLIANT_APP }]);
    const sites = { old: { name: "Old", urls: ["https://old.example.fr"], remove: true, deletionProtection: false } };
    const unpruned = await run({ sites });
    expect(unpruned.plan.sites[0]).toMatchObject({ operation: "none", blockedBy: expect.stringMatching(/--prune/) });
    expect(unpruned.sent).toEqual([]);
    const pruned = await run({ sites }, { prune: true });
    expect(pruned.outcome.sites[0]).toEqual({ siteKey: "old", ok: true, productId: id, wrote: [`deleted app ${id}`] });
    expect(pruned.sent).toEqual(["DELETE /api/apps/v2/{id}"]);
    expect(pp.emulator.state.appIds()).toEqual([]);
  });

  it("refuses a delete handed to it without prune, whatever the plan says", async () => {
    const [id] = await seedApps(pp, [{ name: "Old", urls: ["https://old.example.fr"] }]);
    const instance: PiwikProInstance = instanceFor(pp, { sites: { old: { name: "Old", urls: ["https://old.example.fr"], remove: true, deletionProtection: false } } });
    const { backend } = backendFor(pp, instance);
    const live: LiveInstance = await backend.read();
    const plan: InstancePlan = planInstance("pp", instance, live, { prune: true });
    expect(plan.sites[0].operation).toBe("delete");
    const outcome = await backend.apply(plan, live, { prune: false });
    expect(outcome.sites[0]).toMatchObject({ ok: false, error: "not deleted: deleting an app needs --prune" });
    expect(pp.emulator.state.appIds()).toEqual([id]);
  });

  it("quotes Tag Manager's own error dialect, naming the call and the app", async () => {
    await compliantGlobals();
    const [a] = await seedApps(pp, [{ name: "A", urls: ["https://a.example.fr"], attributes: COMPLIANT_APP }]);
    const { outcome } = await run({ sites: { a: { name: "A", urls: ["https://a.example.fr"], tags: { main: { name: "Piwik PRO", template: "piwik", templateOptions: { no_such_option: true } } } } } });
    // The request broke the contract on purpose: the documents refuse unknown template options too.
    expect(pp.takeViolations().map((v) => `${v.side} ${v.operation}`)).toEqual(["request POST /api/tag/v1/{app_id}/tags"]);
    expect(outcome.sites[0].ok).toBe(false);
    expect(outcome.sites[0].error).toMatch(new RegExp(`^Piwik PRO instance 'pp': POST /api/tag/v1/${a}/tags for app 'a' \\(${a}\\): HTTP 400: .+ \\(INVALID_JSON_ERROR, at /data/attributes/template_options\\S*\\)`));
    expect(pp.emulator.state.tags(a)).toEqual([]);
  });

  it("fails only the app Piwik PRO refuses, quoting its error, and writes the others", async () => {
    await compliantGlobals();
    const [a, b] = await seedApps(pp, [
      { name: "A", urls: ["https://a.example.fr"], attributes: COMPLIANT_APP },
      { name: "B", urls: ["https://b.example.fr"], attributes: COMPLIANT_APP },
    ]);
    const { outcome } = await run({
      sites: { a: { name: "A", urls: ["https://a.example.fr"], timezone: "Mars/Olympus_Mons" }, b: { name: "B renamed", urls: ["https://b.example.fr"] } },
    });
    expect(outcome.sites.find((s) => s.siteKey === "a")).toEqual({
      siteKey: "a",
      ok: false,
      productId: a,
      wrote: [],
      error: `Piwik PRO instance 'pp': PATCH /api/apps/v2/${a} for app 'a' (${a}): HTTP 400: Invalid form: This value is not a valid timezone. (error.default, at /timezone)`,
    });
    expect(outcome.sites.find((s) => s.siteKey === "b")).toEqual({ siteKey: "b", ok: true, productId: b, wrote: ["name"] });
  });
});
