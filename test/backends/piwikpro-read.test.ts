import { rawClient, startValidatedPiwikPro, type ValidatedPiwikPro } from "../support/piwikpro";
import { UNCONFIRMED_NOTES } from "../../backends/piwikpro";
import { backendFor, callShapes, grant, instanceFor, seedApps, seedTag, seedUser } from "./piwikpro-fixtures";

/** `read()`: what the backend asks Piwik PRO for, and how the answers become the model. */
describe("Piwik PRO backend: reading an account", () => {
  let pp: ValidatedPiwikPro;
  beforeEach(async () => {
    pp = await startValidatedPiwikPro();
  });
  afterEach(async () => pp.close());

  it("reads the global settings, users, the app list, then each app, its tracker settings and tags, and each Piwik PRO tag in full", async () => {
    const [a] = await seedApps(pp, [{ name: "Alpha", urls: ["https://alpha.example.fr", "https://www.alpha.example.fr"] }]);
    await seedTag(pp, a, { name: "Piwik PRO", template: "piwik", template_options: { user_id: "{{ uid }}" } });
    await seedTag(pp, a, { name: "Hotjar", template: "hot_jar", consent_type: "user_feedback", template_options: { id: "1234" }, is_active: false });
    pp.emulator.resetCalls();

    const { backend } = backendFor(pp, instanceFor(pp));
    const live = await backend.read();

    expect(callShapes(pp).sort()).toEqual(
      [
        "POST /auth/token",
        "GET /api/tracker/v2/settings/app/global",
        "GET /api/users/v2",
        "GET /api/apps/v2",
        "GET /api/apps/v2/{id}",
        "GET /api/tracker/v2/settings/app/{id}",
        "GET /api/tag/v1/{id}/tags",
        "GET /api/tag/v1/{id}/tags/{id}",
      ].sort(),
    );
    expect(live.product).toBe("piwikpro");
    expect(live.version).toMatch(/Piwik PRO/);
    expect(live.sites).toHaveLength(1);
    const site = live.sites[0];
    expect(site).toMatchObject({ productId: a, name: "Alpha", urls: ["https://alpha.example.fr", "https://www.alpha.example.fr"], productType: "web", access: {}, privacyOverrides: {} });
    // Piwik PRO's own defaults, in the model's words.
    expect(site.settings).toEqual({ excludeUnknownUrls: false, askConsent: true, withoutConsent: "session-cookie", excludedQueryParameters: [], ecommerce: true, timezone: "UTC", currency: "USD" });
    const piwik = site.tags?.find((t) => t.template === "piwik");
    const hotjar = site.tags?.find((t) => t.template === "hot_jar");
    expect(piwik).toMatchObject({ name: "Piwik PRO", consentType: "analytics", active: true, published: false, templateOptions: expect.objectContaining({ user_id: "{{ uid }}" }) });
    // The list is enough for other templates: their options are not read.
    expect(hotjar).toEqual({ tagId: expect.any(String), name: "Hotjar", template: "hot_jar", consentType: "user_feedback", active: false, published: false });
    expect(live.principals).toEqual([{ id: pp.emulator.state.owner.email, userId: pp.emulator.state.owner.id, superuser: true }]);
  });

  it("maps the account-wide tracker settings to the model's privacy fields, all observable", async () => {
    await rawClient(pp).patch("/api/tracker/v2/settings/app/global", {
      data: { type: "tracker/settings/app/global", id: "global", attributes: { anonymize_visitor_ip_level: 2, fingerprint_based_on_anonymized_ip: true, anonymize_visitor_geolocation_level: "City", set_ip_tracking: false } },
    });
    const live = await backendFor(pp, instanceFor(pp)).backend.read();
    expect(live.privacy).toEqual({ ipMaskBytes: 2, useMaskedIpForEnrichment: true, geolocation: "city", dropIp: true });
    expect(live.privacyUnknown).toEqual({});
    expect(live.privacyEvidence).toEqual({ ipMaskBytes: "api", useMaskedIpForEnrichment: "api", geolocation: "api", dropIp: "api" });
  });

  it("reports an app's tracker settings that differ from the account-wide ones as its privacy overrides", async () => {
    const [a, b] = await seedApps(pp, [
      { name: "A", urls: ["https://a.example.fr"] },
      { name: "B", urls: ["https://b.example.fr"] },
    ]);
    await rawClient(pp).patch(`/api/tracker/v2/settings/app/${a}`, { data: { type: "tracker/settings/app", id: a, attributes: { anonymize_visitor_ip_level: 1, anonymize_visitor_geolocation_level: "Country" } } });
    const live = await backendFor(pp, instanceFor(pp)).backend.read();
    expect(live.sites.find((s) => s.productId === a)?.privacyOverrides).toEqual({ ipMaskBytes: 1, geolocation: "country" });
    expect(live.sites.find((s) => s.productId === b)?.privacyOverrides).toEqual({});
  });

  it("maps what is collected without consent from the two gdprDataAnonymization attributes", async () => {
    await seedApps(pp, [
      { name: "Cookieless", urls: ["https://c.example.fr"], attributes: { gdprDataAnonymization: true, gdprDataAnonymizationMode: "no_device_storage" } },
      { name: "Session", urls: ["https://s.example.fr"], attributes: { gdprDataAnonymization: true, gdprDataAnonymizationMode: "session_cookie_id" } },
      { name: "Nothing", urls: ["https://n.example.fr"], attributes: { gdprDataAnonymization: false, gdprDataAnonymizationMode: "no_device_storage" } },
      { name: "Strict", urls: ["https://x.example.fr"], attributes: { excludeUnknownUrls: true, gdpr: false, eCommerceTracking: false, excludedUrlParams: ["email"], timezone: "Europe/Paris", currency: "EUR" } },
    ]);
    const live = await backendFor(pp, instanceFor(pp)).backend.read();
    const byName = Object.fromEntries(live.sites.map((s) => [s.name, s.settings]));
    expect(byName.Cookieless.withoutConsent).toBe("cookieless");
    expect(byName.Session.withoutConsent).toBe("session-cookie");
    expect(byName.Nothing.withoutConsent).toBe("nothing");
    expect(byName.Strict).toEqual({ excludeUnknownUrls: true, askConsent: false, withoutConsent: "session-cookie", excludedQueryParameters: ["email"], ecommerce: false, timezone: "Europe/Paris", currency: "EUR" });
  });

  it("reads per-app permissions by e-mail when the organization has users who are not owners", async () => {
    const [a, b] = await seedApps(pp, [
      { name: "A", urls: ["https://a.example.fr"] },
      { name: "B", urls: ["https://b.example.fr"] },
    ]);
    const alice = await seedUser(pp, "alice@example.fr");
    await seedUser(pp, "bob@example.fr");
    await grant(pp, a, alice, "edit-publish");
    pp.emulator.resetCalls();
    const live = await backendFor(pp, instanceFor(pp)).backend.read();
    expect(callShapes(pp).filter((c) => c.includes("access-control"))).toEqual(["GET /api/access-control/v2/app/{id}/permission/user", "GET /api/access-control/v2/app/{id}/permission/user"]);
    expect(live.sites.find((s) => s.productId === a)?.access).toEqual({ "alice@example.fr": "edit-publish" });
    expect(live.sites.find((s) => s.productId === b)?.access).toEqual({});
    expect(live.principals.map((p) => [p.id, p.superuser]).sort()).toEqual([
      ["alice@example.fr", false],
      ["bob@example.fr", false],
      [pp.emulator.state.owner.email, true],
    ]);
  });

  it("does not read permissions when every user is an owner, since the lists would be empty", async () => {
    await seedApps(pp, [{ name: "A", urls: ["https://a.example.fr"] }]);
    pp.emulator.resetCalls();
    await backendFor(pp, instanceFor(pp)).backend.read();
    expect(callShapes(pp).some((c) => c.includes("access-control"))).toBe(false);
  });

  it("reads every page of the app, user, permission and tag lists", async () => {
    const ids = await seedApps(
      pp,
      Array.from({ length: 8 }, (_, i) => ({ name: `App ${i}`, urls: [`https://app${i}.example.fr`] })),
    );
    for (let i = 0; i < 5; i++) await seedTag(pp, ids[0], { name: `Custom ${i}`, template: "custom_tag", code: "<script></script>", consent_type: "analytics" });
    for (let i = 0; i < 4; i++) await grant(pp, ids[0], await seedUser(pp, `user${i}@example.fr`), "view");
    pp.emulator.resetCalls();

    const live = await backendFor(pp, instanceFor(pp), { platformPageSize: 3, tagPageSize: 2 }).backend.read();
    expect(live.sites.map((s) => s.productId).sort()).toEqual([...ids].sort());
    expect(live.sites.find((s) => s.productId === ids[0])?.tags).toHaveLength(5);
    expect(Object.keys(live.sites.find((s) => s.productId === ids[0])?.access ?? {})).toHaveLength(4);
    expect(live.principals).toHaveLength(5);
    const queries = pp.emulator.calls.filter((c) => c.path === "/api/apps/v2").map((c) => c.query);
    expect(queries.sort()).toEqual(["sort=addedAt&offset=0&limit=3", "sort=addedAt&offset=3&limit=3", "sort=addedAt&offset=6&limit=3"]);
    const tagPages = pp.emulator.calls.filter((c) => c.path === `/api/tag/v1/${ids[0]}/tags`).map((c) => decodeURIComponent(c.query ?? ""));
    expect(tagPages.sort()).toEqual(["page[offset]=0&page[limit]=2", "page[offset]=2&page[limit]=2", "page[offset]=4&page[limit]=2"]);
  });

  it("reads only the selected site in full with --only, identifying it by its main URL", async () => {
    const [, b] = await seedApps(pp, [
      { name: "A", urls: ["https://a.example.fr"] },
      { name: "B", urls: ["https://b.example.fr"] },
    ]);
    const instance = instanceFor(pp, { sites: { a: { name: "A", urls: ["https://a.example.fr"] }, b: { name: "B", urls: ["https://www.b.example.fr/"] } } });
    pp.emulator.resetCalls();
    const live = await backendFor(pp, instance, {}, { onlySites: ["b"] }).backend.read();
    expect(live.sites.find((s) => s.productId === b)?.tags).toEqual([]);
    expect(live.sites.find((s) => s.productId !== b)?.tags).toBeUndefined();
    expect(callShapes(pp).filter((c) => c.startsWith("GET /api/tag/"))).toHaveLength(1);
  });

  it("reads only the declared app with --only when the declaration names its app id", async () => {
    const [a] = await seedApps(pp, [
      { name: "A", urls: ["https://a.example.fr"] },
      { name: "B", urls: ["https://b.example.fr"] },
    ]);
    const instance = instanceFor(pp, { sites: { a: { name: "A", urls: ["https://a.example.fr"], appId: a } } });
    pp.emulator.resetCalls();
    const live = await backendFor(pp, instance, {}, { onlySites: ["a"] }).backend.read();
    expect(live.sites.map((s) => s.productId)).toEqual([a]);
    expect(callShapes(pp).filter((c) => c === "GET /api/apps/v2/{id}")).toHaveLength(1);
  });

  it("says in its notes which UNCONFIRMED behaviours of Piwik PRO the reading rests on", async () => {
    const live = await backendFor(pp, instanceFor(pp)).backend.read();
    for (const note of Object.values(UNCONFIRMED_NOTES)) expect(live.notes).toContain(note);
    expect(live.notes.filter((n) => n.startsWith("UNCONFIRMED"))).toHaveLength(Object.keys(UNCONFIRMED_NOTES).length);
  });
});
