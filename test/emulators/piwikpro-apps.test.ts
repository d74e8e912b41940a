import { ValidatedPiwikPro, rawClient, startValidatedPiwikPro } from "../support/piwikpro";

/** `/api/apps/v2`: camelCase attributes with their documented defaults, 201/204 semantics, paging. */
describe("Piwik PRO emulator: apps", () => {
  let pp: ValidatedPiwikPro;
  let api: ReturnType<typeof rawClient>;
  beforeEach(async () => {
    pp = await startValidatedPiwikPro();
    api = rawClient(pp);
  });
  afterEach(async () => pp.close());

  const newApp = (attributes: Record<string, unknown>) => api.post("/api/apps/v2", { data: { type: "ppms/app", attributes } });
  const created = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await newApp({ name, urls: [`https://${name.toLowerCase().replace(/\W/g, "")}.example.org`], ...extra });
    expect(res.status).toBe(201);
    return res.json.data.id as string;
  };

  it("creates an app with 201 and answers the full app with the documented defaults", async () => {
    const res = await newApp({ name: "Portail", urls: ["https://www.example.gouv.fr"] });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/vnd.api+json");
    expect(res.json.data).toMatchObject({
      type: "ppms/app",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      attributes: {
        name: "Portail",
        urls: ["https://www.example.gouv.fr"],
        organization: "default",
        appType: "web",
        excludeUnknownUrls: false,
        keepUrlFragment: true,
        gdpr: true,
        gdprDataAnonymization: true,
        gdprDataAnonymizationMode: "session_cookie_id",
        privacyUseCookies: true,
        privacyUseFingerprinting: true,
        cnil: false,
        excludedUrlParams: [],
        siteSearchQueryParams: ["q", "query", "s", "search", "searchword", "keyword"],
        delay: 500,
        privacyCookieExpirationPeriod: 31536000,
        addedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/),
      },
    });
  });

  it("lets the client choose the app id, and refuses the same id twice", async () => {
    const id = "7b7beca9-eebf-42e0-8923-d16d4e2a8307";
    expect((await newApp({ id, name: "A", urls: ["https://a.example"] })).json.data.id).toBe(id);
    const again = await newApp({ id, name: "B", urls: ["https://b.example"] });
    expect(again.status).toBe(400);
    expect(again.json.errors[0]).toMatchObject({ status: "400", code: "error.default", title: `App with id: "${id}" already exists` });
  });

  it("gets one app with all its attributes", async () => {
    const id = await created("Intranet", { gdprDataAnonymizationMode: "no_device_storage", excludeUnknownUrls: true });
    const res = await api.get(`/api/apps/v2/${id}`);
    expect(res.status).toBe(200);
    expect(res.json.data.attributes).toMatchObject({ name: "Intranet", gdprDataAnonymizationMode: "no_device_storage", excludeUnknownUrls: true, currency: "USD" });
  });

  it("lists apps with only their name and dates, and the total in meta", async () => {
    await created("One");
    await created("Two");
    const res = await api.get("/api/apps/v2?sort=name");
    expect(res.json.meta).toEqual({ total: 2 });
    expect(res.json.data.map((a: { attributes: object }) => Object.keys(a.attributes).sort())).toEqual([
      ["addedAt", "name", "updatedAt"],
      ["addedAt", "name", "updatedAt"],
    ]);
    expect(res.json.data.map((a: { attributes: { name: string } }) => a.attributes.name)).toEqual(["One", "Two"]);
  });

  it("pages lists 10 at a time by default, with offset and limit up to 1000", async () => {
    for (let i = 0; i < 12; i++) await created(`App ${String(i).padStart(2, "0")}`);
    const first = await api.get("/api/apps/v2?sort=name");
    expect(first.json.data).toHaveLength(10);
    expect(first.json.meta.total).toBe(12);
    const rest = await api.get("/api/apps/v2?sort=name&offset=10&limit=10");
    expect(rest.json.data.map((a: { attributes: { name: string } }) => a.attributes.name)).toEqual(["App 10", "App 11"]);
    expect((await api.get("/api/apps/v2?limit=1000")).json.data).toHaveLength(12);
    const tooMany = await api.get("/api/apps/v2?limit=1001");
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.errors[0]).toMatchObject({ title: 'Limit parameter exceeded maximum "1000" value, "1001" given', source: { parameter: "limit" } });
    // A limit over 1000 breaks the documented parameter and the 400 is not a declared answer.
    expect(pp.takeViolations().map((v) => v.side).sort()).toEqual(["request", "response"]);
  });

  it("searches apps by name", async () => {
    await created("Ministère");
    await created("Préfecture");
    const res = await api.get(`/api/apps/v2?search=${encodeURIComponent("préf")}`);
    expect(res.json.data.map((a: { attributes: { name: string } }) => a.attributes.name)).toEqual(["Préfecture"]);
  });

  it("updates only the attributes sent, answering 204 with no body", async () => {
    const id = await created("Blog");
    const res = await api.patch(`/api/apps/v2/${id}`, { data: { type: "ppms/app", id, attributes: { gdprDataAnonymizationMode: "no_device_storage", excludedUrlParams: ["email"] } } });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(pp.emulator.state.app(id)).toMatchObject({ name: "Blog", gdprDataAnonymizationMode: "no_device_storage", excludedUrlParams: ["email"], gdpr: true });
  });

  it("refuses invalid values in the platform dialect, pointing at each attribute", async () => {
    const res = await newApp({ name: "x".repeat(91), urls: ["https://a.example"], appType: "demo", gdprDataAnonymizationMode: "cookieless" });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual(
      expect.arrayContaining([
        { status: "400", code: "error.default", title: "Invalid form", detail: "This value is too long. It should have 90 characters or less.", source: { pointer: "/name" } },
        { status: "400", code: "error.default", title: "Invalid form", detail: 'AppType "demo" is not supported (supported are sharepoint, web)', source: { pointer: "/appType" } },
        expect.objectContaining({ source: { pointer: "/gdprDataAnonymizationMode" } }),
      ]),
    );
    pp.takeViolations(); // the request breaks the documented enums and maxLength, on purpose
  });

  it("requires a name and URLs on create", async () => {
    const res = await newApp({ timezone: "Europe/Paris" });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { source: { pointer: string } }) => e.source.pointer).sort()).toEqual(["/name", "/urls"]);
    pp.takeViolations();
  });

  it("refuses attributes the apps API does not have, read-only ones included", async () => {
    const id = await created("Shop");
    const res = await api.patch(`/api/apps/v2/${id}`, { data: { type: "ppms/app", id, attributes: { excludeUnknownUrl: true, addedAt: "2020-01-01T00:00:00+00:00" } } });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { source: { pointer: string } }) => e.source.pointer).sort()).toEqual(["/addedAt", "/excludeUnknownUrl"]);
  });

  it("refuses a PATCH whose data.type or data.id is wrong", async () => {
    const id = await created("Docs");
    const wrongType = await api.patch(`/api/apps/v2/${id}`, { data: { type: "app", id, attributes: { name: "X" } } });
    expect(wrongType.json.errors[0]).toMatchObject({ code: "error.json-api-resource-type", title: '"app" is not a valid resource type, use "ppms/app" instead' });
    const noId = await api.patch(`/api/apps/v2/${id}`, { data: { type: "ppms/app", attributes: { name: "X" } } });
    expect(noId.json.errors[0]).toMatchObject({ code: "error.json-api-resource-id-not-provided" });
    expect(pp.emulator.state.app(id)?.name).toBe("Docs");
  });

  it("refuses a body sent as application/json with the documented JSON:API message", async () => {
    const res = await api.post("/api/apps/v2", { data: { type: "ppms/app", attributes: { name: "A", urls: ["https://a.example"] } } }, { contentType: "application/json" });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      errors: [
        {
          status: "400",
          code: "error.json-api-content-type",
          title: '"application/json" is not a valid JsonApi Content-Type header, use "application/vnd.api+json" instead',
        },
      ],
    });
    expect(pp.emulator.state.appIds()).toEqual([]);
    expect(pp.takeViolations().map((v) => v.message)).toEqual([expect.stringContaining("Content-Type 'application/json' is not declared")]);
  });

  it("deletes an app with 204; it is then gone", async () => {
    const id = await created("Old");
    expect((await api.delete(`/api/apps/v2/${id}`)).status).toBe(204);
    const res = await api.get(`/api/apps/v2/${id}`);
    expect(res.status).toBe(404);
    expect((await api.get("/api/apps/v2")).json.meta.total).toBe(0);
  });

  it("answers 409 once the account's app limit is reached", async () => {
    const limited = await startValidatedPiwikPro({ maxApps: 1 });
    try {
      const client = rawClient(limited);
      const body = (name: string) => ({ data: { type: "ppms/app", attributes: { name, urls: ["https://a.example"] } } });
      expect((await client.post("/api/apps/v2", body("A"))).status).toBe(201);
      const res = await client.post("/api/apps/v2", body("B"));
      expect(res.status).toBe(409);
      expect(res.json).toEqual({ errors: [{ status: "409", code: "apps.error.apps-limit-reached", title: "Limit of apps has been reached" }] });
    } finally {
      await limited.close();
    }
  });
});
