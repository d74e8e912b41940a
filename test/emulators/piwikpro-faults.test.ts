import { ValidatedPiwikPro, rawClient, startValidatedPiwikPro } from "../support/piwikpro";

/** Fault injection through the shared layer, answered in each service's dialect. */
describe("Piwik PRO emulator: faults", () => {
  let pp: ValidatedPiwikPro;
  let api: ReturnType<typeof rawClient>;
  let appId: string;
  beforeEach(async () => {
    pp = await startValidatedPiwikPro({ faults: { retryAfterSeconds: 7 } });
    api = rawClient(pp);
    appId = (await api.post("/api/apps/v2", { data: { type: "ppms/app", attributes: { name: "Site", urls: ["https://www.example.org"] } } })).json.data.id;
  });
  afterEach(async () => pp.close());

  it("answers 429 with Retry-After, in Tag Manager's dialect for Tag Manager", async () => {
    pp.emulator.faults.script({ kind: "rate-limit", match: /^tags\./ });
    const res = await api.get(`/api/tag/v1/${appId}/tags`);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.json).toEqual({ errors: [{ code: "TOO_MANY_REQUESTS", detail: "Too many requests" }] });
    expect((await api.get(`/api/tag/v1/${appId}/tags`)).status).toBe(200);
  });

  it("answers 429 in the platform's JSON:API dialect for the platform", async () => {
    pp.emulator.faults.script({ kind: "rate-limit", match: /^apps\./ });
    const res = await api.get("/api/apps/v2");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.headers.get("content-type")).toBe("application/vnd.api+json");
    expect(res.json).toEqual({ errors: [{ status: "429", code: "error.too-many-requests", title: "Too Many Requests" }] });
  });

  it("answers 429 on the token endpoint as OAuth JSON", async () => {
    pp.emulator.faults.script({ kind: "rate-limit", match: /^auth\.token$/ });
    const res = await fetch(`${pp.url}/auth/token`, { method: "POST" });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: "too_many_requests" });
  });

  it("gives Tag Manager's documented 500 and 503 bodies, and a gateway page for 502", async () => {
    pp.emulator.resetStats();
    const error = { kind: "error" as const, match: /^versions\./ };
    pp.emulator.faults.script(error, error, error);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await api.get(`/api/tag/v1/${appId}/versions/draft`));
    // The shared layer picks 500, 502 or 503 from the request count; here 502, 503, 500.
    const byStatus = Object.fromEntries(answers.map((a) => [a.status, a]));
    expect(Object.keys(byStatus).sort()).toEqual(["500", "502", "503"]);
    expect(byStatus[500].json).toEqual({ errors: [{ code: "INTERNAL_SERVER_ERROR", detail: "Internal server error" }] });
    expect(byStatus[503].json).toEqual({ errors: [{ code: "SERVICE_UNAVAILABLE", detail: "Maintenance mode enabled for organization (organization: default)" }] });
    expect(byStatus[502].headers.get("content-type")).toBe("text/html");
  });

  it("checks fault answers against the contract too, and leaves them out of the call log", async () => {
    pp.emulator.resetCalls();
    const before = pp.exchanges;
    pp.emulator.faults.script({ kind: "rate-limit", match: /^tags\.create$/ });
    const body = { data: { type: "tag", attributes: { name: "Piwik PRO", template: "piwik", template_options: {} } } };
    expect((await api.post(`/api/tag/v1/${appId}/tags`, body)).status).toBe(429);
    expect((await api.post(`/api/tag/v1/${appId}/tags`, body)).status).toBe(201);
    expect(pp.exchanges - before).toBe(2);
    expect(pp.emulator.calls.map((c) => c.path)).toEqual([`/api/tag/v1/${appId}/tags`]);
    expect(pp.emulator.faults.injected["rate-limit"]).toBe(1);
  });

  it("can lose the answer after the work is done, as a dropped connection after processing", async () => {
    pp.emulator.faults.script({ kind: "drop-after", match: /^apps\.create$/ });
    const token = await pp.token();
    await expect(
      fetch(`${pp.url}/api/apps/v2`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/vnd.api+json" },
        body: JSON.stringify({ data: { type: "ppms/app", attributes: { name: "Lost answer", urls: ["https://lost.example"] } } }),
      }),
    ).rejects.toThrow();
    expect(pp.emulator.state.appIds().map((id) => pp.emulator.state.app(id)?.name)).toContain("Lost answer");
  });

  it("adds the configured latency to every answer", async () => {
    pp.emulator.faults.set({ latencyMs: 60 });
    const started = Date.now();
    await api.get("/api/apps/v2");
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });
});
