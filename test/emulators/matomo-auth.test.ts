/**
 * Authentication situations the transcript replay cannot reach because the recordings needed
 * database steps: the brute-force lockout (its 20 failed attempts were not recorded) and the
 * secure-only token (its flag can only be set in the database or the UI). Where a recording
 * exists, the emulator's answer is compared with it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MatomoEmulator, startMatomoEmulator } from "../../emulators/matomo";
import { callApi, matomoRequest } from "../support/sandbox-process";
import { matomoTranscriptsDir } from "../support/contracts";

const TRANSCRIPTS = matomoTranscriptsDir();

interface Recorded {
  seq: number;
  request: { method: "GET" | "POST"; query_raw: string; body_raw?: string | null };
  status: number;
  content_type: string;
  response_raw: string;
}

function recorded(seq: number): Recorded {
  const records = JSON.parse(fs.readFileSync(path.join(TRANSCRIPTS, "errors.json"), "utf8")) as Recorded[];
  return records.find((r) => r.seq === seq)!;
}

/** Sends a recorded request (with a minted token in place of GENERATED_TOKEN) and expects the recorded answer. */
async function expectRecordedAnswer(em: MatomoEmulator, seq: number, token = ""): Promise<void> {
  const r = recorded(seq);
  const res = await matomoRequest(em.url, {
    method: r.request.method,
    query: r.request.query_raw.replace("GENERATED_TOKEN", token),
    body: r.request.method === "POST" ? (r.request.body_raw ?? "").replace("GENERATED_TOKEN", token) : undefined,
  });
  expect({ seq, status: res.status, type: res.headers["content-type"], body: res.body }).toEqual({
    seq,
    status: r.status,
    type: r.content_type,
    body: r.response_raw,
  });
}

let em: MatomoEmulator;
let now: number;

beforeEach(async () => {
  now = Date.parse("2026-11-22T10:00:00Z");
  em = await startMatomoEmulator({ token: "TOKEN", password: "PASSWORD", clock: () => new Date(now) });
});

afterEach(async () => {
  await em.close();
});

const BAD = "0123456789abcdef0123456789abcdef";

async function failLogins(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await callApi(em.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: BAD });
    expect(r.status).toBe(401);
  }
}

describe("brute-force lockout", () => {
  test("after 21 failed tokens from one IP even the right token gets Matomo's 500, as recorded", async () => {
    await failLogins(21);
    expect(em.failedLoginsFrom("127.0.0.1")).toBe(21);
    await expectRecordedAnswer(em, 208);
    await expectRecordedAnswer(em, 209);
  });

  test("20 failed tokens do not block: Matomo lets an IP try while its failures are at most 20", async () => {
    await failLogins(20);
    const ok = await callApi(em.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: "TOKEN" });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe("[1]");
    // The 21st failure is still an ordinary 401, and it is what blocks the IP.
    await failLogins(1);
    expect((await callApi(em.url, "API.getMatomoVersion", { token_auth: "TOKEN" })).status).toBe(500);
  });

  test("a blocked IP can still call without a token, as anonymous (recorded)", async () => {
    await failLogins(21);
    await expectRecordedAnswer(em, 210);
    const anonymous = await callApi(em.url, "SitesManager.getSitesWithAdminAccess");
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toBe("[]");
  });

  test("clearing the brute-force log unblocks the IP, as the recorded database step did", async () => {
    await failLogins(21);
    em.clearFailedLogins("127.0.0.1");
    const r = await callApi(em.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: "TOKEN" });
    expect(r.status).toBe(200);
  });

  test("failures older than 60 minutes no longer count", async () => {
    await failLogins(21);
    now += 61 * 60 * 1000;
    expect((await callApi(em.url, "API.getMatomoVersion", { token_auth: "TOKEN" })).status).toBe(200);
    expect(em.failedLoginsFrom("127.0.0.1")).toBe(0);
  });

  test("wrong passwords given to createAppSpecificTokenAuth count as failed logins too", async () => {
    for (let i = 0; i < 21; i++) {
      const r = await callApi(em.url, "UsersManager.createAppSpecificTokenAuth", { userLogin: "admin", passwordConfirmation: "Wrong-Passw0rd", description: "x" });
      expect(r.json).toEqual({ result: "error", message: "The current password you entered is not correct." });
    }
    expect((await callApi(em.url, "API.getMatomoVersion", { token_auth: "TOKEN" })).status).toBe(500);
  });
});

describe("secure-only tokens", () => {
  async function mintSecureOnlyToken(): Promise<string> {
    const r = await callApi(em.url, "UsersManager.createAppSpecificTokenAuth", { userLogin: "admin", passwordConfirmation: "PASSWORD", description: "secure only token", token_auth: "TOKEN" });
    const token = (r.json as { value: string }).value;
    em.setTokenSecureOnly(token, true);
    return token;
  }

  test("a secure-only token works in a POST body (as recorded in seq 203, there with more sites)", async () => {
    const token = await mintSecureOnlyToken();
    const res = await matomoRequest(em.url, { query: "module=API&method=SitesManager.getSitesIdWithAdminAccess&format=JSON", body: `token_auth=${token}` });
    expect(res.status).toBe(200);
    expect(res.body).toBe("[1]");
  });

  test("a secure-only token in the query string of a GET or a POST is refused with the POST-parameter message (recorded seq 204, 205)", async () => {
    const token = await mintSecureOnlyToken();
    await expectRecordedAnswer(em, 204, token);
    await expectRecordedAnswer(em, 205, token);
  });

  test("the same token without the flag works from the query string", async () => {
    const token = await mintSecureOnlyToken();
    em.setTokenSecureOnly(token, false);
    const res = await matomoRequest(em.url, { method: "GET", query: `module=API&method=API.getMatomoVersion&format=JSON&token_auth=${token}` });
    expect(res.body).toBe('{"value":"5.1.2"}');
  });
});

describe("tokens and rights", () => {
  test("an app token of a user who is not superuser only gets that user's access", async () => {
    await callApi(em.url, "UsersManager.addUser", { userLogin: "bob", password: "Bob-Passw0rd", email: "bob@example.org", token_auth: "TOKEN" });
    await callApi(em.url, "SitesManager.addSite", { siteName: "Two", urls: ["https://two.example.org"], token_auth: "TOKEN" });
    await callApi(em.url, "UsersManager.setUserAccess", { userLogin: "bob", access: "view", idSites: "2", token_auth: "TOKEN" });
    const minted = await callApi(em.url, "UsersManager.createAppSpecificTokenAuth", { userLogin: "bob", passwordConfirmation: "Bob-Passw0rd", description: "bob" });
    const bob = (minted.json as { value: string }).value;

    expect((await callApi(em.url, "SitesManager.getSitesIdWithAtLeastViewAccess", { token_auth: bob })).body).toBe("[2]");
    expect((await callApi(em.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: bob })).body).toBe("[]");
    const site1 = await callApi(em.url, "SitesManager.getSiteFromId", { idSite: "1", token_auth: bob });
    expect(site1.status).toBe(401);
    expect(site1.json).toEqual({ result: "error", message: "You can't access this resource as it requires 'view' access for the website id = 1." });
    const site2 = await callApi(em.url, "SitesManager.getSiteFromId", { idSite: "2", token_auth: bob });
    expect(site2.json).not.toHaveProperty("creator_login");
    expect((await callApi(em.url, "SitesManager.addSite", { siteName: "x", token_auth: bob })).status).toBe(401);
    expect((await callApi(em.url, "SitesManager.updateSite", { idSite: "2", siteName: "y", token_auth: bob })).status).toBe(401);
  });

  test("a token minted with expireHours stops working once expired", async () => {
    const minted = await callApi(em.url, "UsersManager.createAppSpecificTokenAuth", { userLogin: "admin", passwordConfirmation: "PASSWORD", description: "short", expireHours: "1" });
    const token = (minted.json as { value: string }).value;
    expect((await callApi(em.url, "API.getMatomoVersion", { token_auth: token })).status).toBe(200);
    now += 2 * 3600 * 1000;
    const expired = await callApi(em.url, "API.getMatomoVersion", { token_auth: token });
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ result: "error", message: "Unable to authenticate with the provided token. It is either invalid or expired." });
  });

  test("the query-string token wins over the body token", async () => {
    const r = await matomoRequest(em.url, { query: `module=API&method=API.getMatomoVersion&format=JSON&token_auth=${BAD}`, body: "token_auth=TOKEN" });
    expect(r.status).toBe(401);
    const s = await matomoRequest(em.url, { query: "module=API&method=API.getMatomoVersion&format=JSON&token_auth=TOKEN", body: `token_auth=${BAD}` });
    expect(s.status).toBe(200);
  });
});
