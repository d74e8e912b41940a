import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HttpExchange, OpenApiContract, formatViolation, piwikProOpenApiDir } from "../support/openapi";
import { rawClient, startValidatedPiwikPro } from "../support/piwikpro";

/**
 * The contract itself: the OpenAPI documents are all read, the emulator answers every operation
 * they declare and nothing else, and the validator does catch what breaks them (a check that
 * cannot fail would prove nothing).
 */
describe("Piwik PRO contract (OpenAPI documents)", () => {
  const contract = OpenApiContract.load();
  const APP = "985ed9d7-b652-47b8-b9cf-c17d62735261";
  const exchange = (over: Partial<HttpExchange>): HttpExchange => ({
    method: "GET",
    path: "/api/tracker/v2/settings/app/global",
    rawQuery: "",
    requestHeaders: {},
    requestBody: "",
    status: 200,
    responseHeaders: { "content-type": "application/vnd.api+json" },
    responseBody: JSON.stringify({ data: { type: "tracker/settings/app/global", id: "global", attributes: {} } }),
    ...over,
  });
  const messages = (ex: HttpExchange) => contract.validateExchange(ex).map(formatViolation);

  it("reads every document of the folder", () => {
    const files = fs.readdirSync(piwikProOpenApiDir()).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(16);
    expect(contract.operations().sort()).toEqual(
      [
        "POST /auth/token",
        "GET /api/apps/v2",
        "POST /api/apps/v2",
        "GET /api/apps/v2/{app_id}",
        "PATCH /api/apps/v2/{app_id}",
        "DELETE /api/apps/v2/{app_id}",
        "GET /api/tracker/v2/settings/app/global",
        "PATCH /api/tracker/v2/settings/app/global",
        "GET /api/tracker/v2/settings/app/{app_id}",
        "PATCH /api/tracker/v2/settings/app/{app_id}",
        "DELETE /api/tracker/v2/settings/app/{app_id}/{setting}",
        "GET /api/tag/v1/{app_id}/tags",
        "POST /api/tag/v1/{app_id}/tags",
        "PATCH /api/tag/v1/{app_id}/tags",
        "GET /api/tag/v1/{app_id}/tags/{tag_id}",
        "PATCH /api/tag/v1/{app_id}/tags/{tag_id}",
        "DELETE /api/tag/v1/{app_id}/tags/{tag_id}",
        "GET /api/tag/v1/{app_id}/versions/draft",
        "GET /api/tag/v1/{app_id}/versions/published",
        "POST /api/tag/v1/{app_id}/versions/draft/publish",
        "GET /api/tag/v1/{app_id}/operations/{operation_id}",
        "GET /api/users/v2",
        "POST /api/users/v2",
        "GET /api/users/v2/{userId}",
        "PATCH /api/users/v2/{userId}",
        "DELETE /api/users/v2/{userId}",
        "GET /api/access-control/v2/app/{app_id}/permission/user",
        "POST /api/access-control/v2/app/{app_id}/permission/user/{user_id}",
      ].sort(),
    );
  });

  it("the emulator routes every documented operation, and nothing undocumented", async () => {
    const pp = await startValidatedPiwikPro();
    try {
      const api = rawClient(pp);
      for (const op of contract.operations()) {
        const [method, template] = op.split(" ");
        const concrete = template.replace("{setting}", "exclude_crawlers").replace(/\{[^}]+\}/g, APP);
        const res = await api.send(method, concrete);
        expect(`${op} → ${res.status} ${res.text.includes("No route found") ? "no route" : ""}`).not.toMatch(/→ 405|no route/);
      }
      for (const [method, p] of [
        ["GET", `/api/tag/v1/${APP}/triggers`],
        ["GET", `/api/tag/v1/${APP}/versions`],
        ["PUT", "/api/apps/v2/" + APP],
        ["GET", "/api/users/v2/me"],
      ]) {
        const res = await api.send(method, p);
        expect([404, 405, 400]).toContain(res.status);
      }
    } finally {
      pp.takeViolations(); // bodiless writes to made-up ids break request schemas on purpose
      await pp.close();
    }
  });

  it("accepts a documented exchange", () => {
    expect(messages(exchange({}))).toEqual([]);
  });

  it("catches a value outside a documented enum in an answer", () => {
    const body = { data: { type: "tracker/settings/app/global", id: "global", attributes: { anonymize_visitor_ip_level: 7 } } };
    expect(messages(exchange({ responseBody: JSON.stringify(body) }))).toEqual([
      expect.stringMatching(/^response 200 to GET .*: body \/data\/attributes\/anonymize_visitor_ip_level must be equal to one of the allowed values/),
    ]);
  });

  it("catches an answer with an undeclared content type, status or body", () => {
    expect(messages(exchange({ responseHeaders: { "content-type": "application/json" } }))).toEqual([expect.stringContaining("Content-Type 'application/json' is not declared")]);
    expect(messages(exchange({ status: 418 }))).toEqual([expect.stringContaining("status 418 is not declared")]);
    expect(messages(exchange({ method: "PATCH", status: 204, requestHeaders: { "content-type": "application/vnd.api+json" }, requestBody: JSON.stringify({ data: { type: "tracker/settings/app/global", id: "global", attributes: {} } }), responseBody: "{}" }))).toEqual([
      expect.stringContaining("a 204 answer must have no body"),
    ]);
  });

  it("accepts undeclared authentication, rate-limit and server errors, and checks them where they are declared", () => {
    expect(messages(exchange({ path: "/api/apps/v2", status: 401, responseHeaders: { "content-type": "application/json" }, responseBody: '{"error":"x"}' }))).toEqual([]);
    expect(messages(exchange({ path: `/api/tag/v1/${APP}/tags`, status: 401, responseBody: '{"error":"x"}' }))).toEqual([
      expect.stringContaining("must have required property 'errors'"),
      expect.stringContaining("must NOT have additional property 'error'"),
    ]);
  });

  it("names the closest alternative when a tag matches none of the templates' schemas", () => {
    const tag = {
      data: {
        id: APP,
        type: "tag",
        attributes: { name: "Piwik PRO", template: "piwik", template_options: { track_page_view: true }, is_active: true, is_published: false, priority: 0, tag_type: "async", disable_in_debug_mode: false, document_write: false, respect_visitors_privacy: true, scheduler: { date_ranges: [], times_of_day: [] }, consent_type: "analytics", created_at: "2026-01-01T00:00:00+00:00", updated_at: "2026-01-01T00:00:00+00:00" },
        relationships: { triggers: { data: [] } },
      },
    };
    const check = () => messages(exchange({ path: `/api/tag/v1/${APP}/tags/${APP}`, responseBody: JSON.stringify(tag) }));
    expect(check()).toEqual(expect.arrayContaining([expect.stringContaining(`/data/attributes must have required property 'code' (closest alternative: "Piwik PRO tag")`)]));
    (tag.data.attributes as Record<string, unknown>).code = "<!-- -->";
    // A Piwik PRO tag's answer also carries the options Tag Manager fills in itself.
    expect(check()).toContainEqual(expect.stringContaining("/data/attributes/template_options must have required property 'tracker_site_id'"));
    expect(check().some((m) => m.includes("'code'"))).toBe(false);
    Object.assign(tag.data.attributes.template_options, {
      link_tracking: true,
      js_error_tracking: true,
      tracker_domains: [],
      tracker_php_url: "https://x.piwik.pro/ppms.php",
      tracker_js_url: "https://x.piwik.pro/ppms.js",
      tracker_site_id: APP,
      piwik_custom_dimensions: [],
    });
    expect(check()).toEqual([]);
  });

  it("catches requests the documents do not allow", () => {
    const req = (over: Partial<HttpExchange>) => contract.validateRequest(exchange(over)).map((v) => v.message);
    expect(req({ path: `/api/tag/v1/${APP}/tags`, rawQuery: "page[size]=10" })).toEqual([expect.stringContaining("query parameter 'page[size]' is not declared")]);
    expect(req({ path: `/api/tag/v1/${APP}/tags`, rawQuery: "filter%5Btemplate%5D%5B%5D=piwik&filter[template][]=hot_jar&page[limit]=0" })).toEqual([
      expect.stringContaining("query parameter 'page[limit]': / must be >= 1"),
    ]);
    expect(req({ path: "/api/apps/v2", rawQuery: "limit=20&sort=name" })).toEqual([]);
    expect(req({ method: "POST", path: "/api/apps/v2", requestHeaders: { "content-type": "application/json" }, requestBody: "{}" })).toEqual([expect.stringContaining("Content-Type 'application/json' is not declared")]);
    expect(req({ method: "POST", path: "/api/apps/v2" })).toEqual(["the operation requires a body, none was sent"]);
    expect(req({ path: "/api/apps/v3" })).toEqual(["no document declares this path"]);
    expect(req({ method: "PUT", path: `/api/apps/v2/${APP}` })).toEqual([expect.stringContaining("declares no PUT operation")]);
    expect(req({ path: "/api/tracker/v2/settings/app/not-a-uuid" })).toEqual([expect.stringContaining("path parameter app_id: / must match format \"uuid\"")]);
  });

  it("reads the documents from EXEMPT_PIWIKPRO_OPENAPI_DIR when it is set", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openapi-"));
    fs.copyFileSync(path.join(piwikProOpenApiDir(), "auth_token.json"), path.join(dir, "auth_token.json"));
    const saved = process.env.EXEMPT_PIWIKPRO_OPENAPI_DIR;
    process.env.EXEMPT_PIWIKPRO_OPENAPI_DIR = dir;
    try {
      expect(piwikProOpenApiDir()).toBe(dir);
      expect(OpenApiContract.load().operations()).toEqual(["POST /auth/token"]);
    } finally {
      if (saved === undefined) delete process.env.EXEMPT_PIWIKPRO_OPENAPI_DIR;
      else process.env.EXEMPT_PIWIKPRO_OPENAPI_DIR = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
