import { ValidatedPiwikPro, rawClient, startValidatedPiwikPro } from "../support/piwikpro";

/** The token endpoint, token lifetime, and how each service refuses a missing or dead token. */
describe("Piwik PRO emulator: authentication", () => {
  let clock = Date.parse("2026-01-01T00:00:00Z");
  let pp: ValidatedPiwikPro;
  beforeEach(async () => {
    clock = Date.parse("2026-01-01T00:00:00Z");
    pp = await startValidatedPiwikPro({ now: () => clock });
  });
  afterEach(async () => pp.close());

  const tokenRequest = (body: string, contentType: string) =>
    fetch(`${pp.url}/auth/token`, { method: "POST", headers: { "Content-Type": contentType, Accept: "application/json" }, body });

  it("issues a 30-minute bearer token for client credentials sent as JSON", async () => {
    const res = await tokenRequest(JSON.stringify({ grant_type: "client_credentials", client_id: pp.clientId, client_secret: pp.clientSecret }), "application/json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    const body = await res.json();
    expect(body).toEqual({ token_type: "Bearer", expires_in: 1800, access_token: expect.any(String) });
    const [, claims] = body.access_token.split(".");
    const decoded = JSON.parse(Buffer.from(claims, "base64url").toString());
    expect(decoded).toMatchObject({ iss: "oauth", org: "default", sub: pp.emulator.state.owner.id, eml: pp.emulator.state.owner.email });
    expect(decoded.exp - decoded.iat).toBe(1800);
  });

  it("accepts the same credentials form-encoded, as Piwik PRO's own client sends them", async () => {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: pp.clientId, client_secret: pp.clientSecret });
    const res = await tokenRequest(form.toString(), "application/x-www-form-urlencoded");
    expect(res.status).toBe(200);
    expect(pp.emulator.calls[0]).toEqual({ method: "POST", path: "/auth/token", body: { grant_type: "client_credentials", client_id: pp.clientId, client_secret: "***" } });
  });

  it("refuses a wrong secret with 401 invalid_client", async () => {
    const res = await tokenRequest(JSON.stringify({ grant_type: "client_credentials", client_id: pp.clientId, client_secret: "wrong" }), "application/json");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "invalid_client" });
  });

  it("refuses a request without client_id with the detailed OAuth error", async () => {
    const res = await tokenRequest(JSON.stringify({ grant_type: "client_credentials", client_secret: pp.clientSecret }), "application/json");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_client", hint: "Check the `client_id` parameter" });
    expect(pp.takeViolations().map((v) => v.side)).toEqual(["request"]);
  });

  it("refuses any grant but client_credentials", async () => {
    const res = await tokenRequest(JSON.stringify({ grant_type: "password", client_id: pp.clientId, client_secret: pp.clientSecret }), "application/json");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "unsupported_grant_type", hint: "Check that all required parameters have been provided" });
  });

  it("accepts a token until its 30 minutes are over, then refuses it as expired", async () => {
    const api = rawClient(pp);
    expect((await api.get("/api/apps/v2")).status).toBe(200);
    clock += 1799 * 1000;
    expect((await api.get("/api/apps/v2")).status).toBe(200);
    clock += 2 * 1000;
    const expired = await api.get("/api/apps/v2");
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ error: "Expired JWT Token" });
    api.renewToken();
    expect((await api.get("/api/apps/v2")).status).toBe(200);
  });

  it("expireAllTokens() makes every token issued so far fail", async () => {
    const api = rawClient(pp);
    const first = await pp.token();
    pp.emulator.expireAllTokens();
    expect((await api.get("/api/apps/v2", { token: first })).status).toBe(401);
    expect((await api.get("/api/apps/v2", { token: await pp.token() })).status).toBe(200);
  });

  it("refuses a token it never issued with the platform's bare error", async () => {
    const res = await rawClient(pp).get("/api/users/v2", { token: "eyJhbGciOiJub25lIn0.e30." });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.json).toEqual({ error: "access token not authorized" });
  });

  describe("each service refuses a missing token in its own dialect", () => {
    const appId = "00000000-0000-4000-8000-000000000000";
    it.each([
      ["apps", "/api/apps/v2", 401, "application/json", { error: "JWT not found" }],
      ["users", "/api/users/v2", 401, "application/json", { error: "JWT not found" }],
      [
        "tracker settings",
        "/api/tracker/v2/settings/app/global",
        403,
        "application/vnd.api+json",
        { errors: [{ status: "403", code: "not_authenticated", title: "Authentication credentials were not provided." }] },
      ],
      ["Tag Manager", `/api/tag/v1/${appId}/tags`, 401, "application/vnd.api+json", { errors: [{ code: "UNAUTHORIZED_ERROR", detail: "Access token not authorized" }] }],
      ["access control", `/api/access-control/v2/app/${appId}/permission/user`, 401, "application/json", { message: "Unauthorized" }],
    ])("%s", async (_service, path, status, contentType, body) => {
      const res = await rawClient(pp).get(path, { token: null });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe(contentType);
      expect(res.json).toEqual(body);
    });
  });

  it("Tag Manager refuses an expired token with UNAUTHORIZED_ERROR", async () => {
    const api = rawClient(pp);
    await api.get("/api/apps/v2");
    clock += 1800 * 1000;
    const res = await api.get("/api/tag/v1/00000000-0000-4000-8000-000000000000/tags");
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ errors: [{ code: "UNAUTHORIZED_ERROR", detail: "Access token not authorized" }] });
  });
});
