import { ValidatedPiwikPro, rawClient, startValidatedPiwikPro } from "../support/piwikpro";

/** Tracker settings: global values, per-app overrides, their reset, exact enums. */
describe("Piwik PRO emulator: tracker settings", () => {
  let pp: ValidatedPiwikPro;
  let api: ReturnType<typeof rawClient>;
  let appId: string;
  const GLOBAL = "/api/tracker/v2/settings/app/global";
  const app = () => `/api/tracker/v2/settings/app/${appId}`;
  const patchGlobal = (attributes: Record<string, unknown>) => api.patch(GLOBAL, { data: { type: "tracker/settings/app/global", id: "global", attributes } });
  const patchApp = (attributes: Record<string, unknown>) => api.patch(app(), { data: { type: "tracker/settings/app", id: appId, attributes } });

  beforeEach(async () => {
    pp = await startValidatedPiwikPro();
    api = rawClient(pp);
    const res = await api.post("/api/apps/v2", { data: { type: "ppms/app", attributes: { name: "Site", urls: ["https://www.example.org"] } } });
    appId = res.json.data.id;
  });
  afterEach(async () => pp.close());

  it("starts from the documented initial global values", async () => {
    const res = await api.get(GLOBAL);
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({
      type: "tracker/settings/app/global",
      id: "global",
      attributes: {
        anonymize_visitor_ip_level: 0,
        fingerprint_based_on_anonymized_ip: false,
        anonymize_visitor_geolocation_level: "none",
        set_ip_tracking: true,
        exclude_unknown_urls: false,
        session_max_duration_seconds: 43200,
        session_max_event_count: 5000,
        url_query_parameter_to_exclude_from_url: expect.arrayContaining(["gclid", "fbclid", "pk_vid"]),
      },
    });
  });

  it("edits global settings with 204", async () => {
    const res = await patchGlobal({ anonymize_visitor_ip_level: 2, fingerprint_based_on_anonymized_ip: true });
    expect(res.status).toBe(204);
    expect((await api.get(GLOBAL)).json.data.attributes).toMatchObject({ anonymize_visitor_ip_level: 2, fingerprint_based_on_anonymized_ip: true });
  });

  it("refuses an IP masking level outside 0..4 with the documented message and pointer", async () => {
    const res = await patchGlobal({ anonymize_visitor_ip_level: 5 });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      errors: [
        {
          status: "400",
          code: "error.default",
          title: "Invalid form",
          detail: "Invalid anonymization level '5', available are: [0, 1, 2, 3, 4]",
          source: { pointer: "/data/attributes/anonymize_visitor_ip_level" },
        },
      ],
    });
    expect(pp.takeViolations().map((v) => v.side)).toEqual(["request"]);
  });

  it("takes geolocation levels case-sensitively: City but not city, and lower-case none", async () => {
    expect((await patchGlobal({ anonymize_visitor_geolocation_level: "City" })).status).toBe(204);
    expect((await patchGlobal({ anonymize_visitor_geolocation_level: "none" })).status).toBe(204);
    const res = await patchGlobal({ anonymize_visitor_geolocation_level: "city" });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].source).toEqual({ pointer: "/data/attributes/anonymize_visitor_geolocation_level" });
    pp.takeViolations();
  });

  it("refuses a missing data.type as not blank, as documented", async () => {
    const res = await api.patch(GLOBAL, { data: { id: "global", attributes: { exclude_crawlers: false } } });
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({ code: "error.not-blank", detail: "This value should not be blank.", source: { pointer: "/data/type" } });
    pp.takeViolations();
  });

  it("gives an app the global values until it overrides them", async () => {
    await patchGlobal({ anonymize_visitor_ip_level: 2 });
    const res = await api.get(app());
    expect(res.json.data).toMatchObject({ type: "tracker/settings/app", id: appId, attributes: { anonymize_visitor_ip_level: 2, urls: ["https://www.example.org"] } });
    expect((await patchApp({ anonymize_visitor_ip_level: 0 })).status).toBe(204);
    await patchGlobal({ anonymize_visitor_ip_level: 3 });
    expect((await api.get(app())).json.data.attributes.anonymize_visitor_ip_level).toBe(0);
    expect(pp.emulator.state.trackerOverrides(appId)).toEqual({ anonymize_visitor_ip_level: 0 });
  });

  it("resets an override with DELETE …/{setting}, so the global value applies again", async () => {
    await patchGlobal({ anonymize_visitor_ip_level: 2 });
    await patchApp({ anonymize_visitor_ip_level: 0, exclude_unknown_urls: true });
    const res = await api.delete(`${app()}/anonymize_visitor_ip_level`);
    expect(res.status).toBe(204);
    expect((await api.get(app())).json.data.attributes).toMatchObject({ anonymize_visitor_ip_level: 2, exclude_unknown_urls: true });
    expect(pp.emulator.state.trackerOverrides(appId)).toEqual({ exclude_unknown_urls: true });
    expect((await api.delete(`${app()}/anonymize_visitor_ip_level`)).status).toBe(204);
  });

  it("refuses to reset a setting that does not exist", async () => {
    const res = await api.delete(`${app()}/anonymize_ip`);
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({ status: "400", code: "error.default" });
    expect(pp.takeViolations().map((v) => v.message)).toEqual([expect.stringContaining("path parameter setting")]);
  });

  it("shares an app's URLs between the apps API and its tracker settings", async () => {
    await patchApp({ urls: ["https://www.example.org", "https://example.org"] });
    expect((await api.get(`/api/apps/v2/${appId}`)).json.data.attributes.urls).toEqual(["https://www.example.org", "https://example.org"]);
  });

  it("refuses an app id that is not a UUID with the documented message", async () => {
    const res = await api.get("/api/tracker/v2/settings/app/invalid");
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ errors: [{ status: "400", code: "error.default", title: '"invalid" is not valid UUID.' }] });
    pp.takeViolations();
  });

  it("answers 404 for an app that does not exist", async () => {
    const res = await api.get("/api/tracker/v2/settings/app/00000000-0000-4000-8000-000000000000");
    expect(res.status).toBe(404);
  });

  it("refuses settings that do not exist and values of the wrong type, all at once", async () => {
    const res = await patchApp({ anonymize_ip_level: 1, exclude_crawlers: "yes", session_max_duration_seconds: 50000 });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { source: { pointer: string } }) => e.source.pointer).sort()).toEqual([
      "/data/attributes/anonymize_ip_level",
      "/data/attributes/exclude_crawlers",
      "/data/attributes/session_max_duration_seconds",
    ]);
    pp.takeViolations();
  });

  it("fills detail and source on every refused PATCH, as the tracker documents require", async () => {
    const res = await api.patch(GLOBAL, { data: { type: "tracker/settings/app/global", id: "global", attributes: {} } }, { contentType: "application/json" });
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({ code: "error.json-api-content-type", detail: expect.any(String), source: expect.any(Object) });
    expect(pp.takeViolations().map((v) => v.side)).toEqual(["request"]);
  });
});
