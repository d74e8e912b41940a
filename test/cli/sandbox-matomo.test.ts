/**
 * `exempt sandbox --kind matomo`, run as a real child process: the contract scripts and the demo
 * rely on (one stdout line with the base URL, a free port with --port 0, exit 0 on SIGINT and
 * SIGTERM, a fresh install's state, and fault flags that take effect).
 */
import { SandboxProcess, callApi, matomoRequest, startSandboxProcess } from "../support/sandbox-process";

const running: SandboxProcess[] = [];

async function sandbox(...args: string[]): Promise<SandboxProcess> {
  const s = await startSandboxProcess({ kind: "matomo", args: ["--token", "TOKEN", ...args] });
  running.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop("SIGKILL")));
});

describe("exempt sandbox --kind matomo", () => {
  test("prints exactly one stdout line, its base URL, serves the API there, and exits 0 on SIGTERM", async () => {
    const s = await sandbox("--password", "PASSWORD");
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(s.url).port)).toBeGreaterThan(0);
    const version = await callApi(s.url, "API.getMatomoVersion", { token_auth: "TOKEN" });
    expect(version.status).toBe(200);
    expect(version.body).toBe('{"value":"5.1.2"}');
    running.splice(running.indexOf(s), 1);
    expect(await s.stop("SIGTERM")).toBe(0);
    expect(s.stdout()).toBe(`${s.url}\n`);
  });

  test("--port 0 gives each sandbox its own free port, and SIGINT exits 0 too", async () => {
    const [a, b] = await Promise.all([sandbox(), sandbox()]);
    expect(a.url).not.toBe(b.url);
    for (const s of [a, b]) expect((await callApi(s.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: "TOKEN" })).body).toBe("[1]");
    running.splice(0);
    expect(await a.stop("SIGINT")).toBe(0);
    expect(await b.stop("SIGTERM")).toBe(0);
  });

  test("starts from a fresh install: site 1 from the installer, superuser admin with the given token and password", async () => {
    const s = await sandbox("--password", "Secret-Passw0rd");
    const site = await callApi(s.url, "SitesManager.getSiteFromId", { idSite: "1", token_auth: "TOKEN" });
    expect(site.json).toMatchObject({ idsite: 1, name: "First Site", creator_login: "anonymous" });
    const users = await callApi(s.url, "UsersManager.getUsersLogin", { token_auth: "TOKEN" });
    expect(users.json).toEqual(["admin", "anonymous"]);
    const token = await callApi(s.url, "UsersManager.createAppSpecificTokenAuth", { userLogin: "admin", passwordConfirmation: "Secret-Passw0rd", description: "ci" });
    expect(token.json).toEqual({ value: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const wrong = await callApi(s.url, "API.getMatomoVersion", { token_auth: "not-the-token" });
    expect(wrong.status).toBe(401);
  });

  test("--latency-ms delays every answer", async () => {
    const s = await sandbox("--latency-ms", "400");
    const r = await callApi(s.url, "API.getMatomoVersion", { token_auth: "TOKEN" });
    expect(r.status).toBe(200);
    expect(r.ms).toBeGreaterThanOrEqual(380);
  });

  test("--error-rate 1 answers every request with a 5xx", async () => {
    const s = await sandbox("--error-rate", "1");
    for (let i = 0; i < 3; i++) {
      const r = await callApi(s.url, "SitesManager.addSite", { siteName: "x", token_auth: "TOKEN" });
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(r.status).toBeLessThan(600);
    }
  });

  test("--drop-rate 1 drops every connection", async () => {
    const s = await sandbox("--drop-rate", "1");
    await expect(matomoRequest(s.url, { query: "module=API&method=API.getMatomoVersion&format=JSON", body: "token_auth=TOKEN" })).rejects.toThrow();
  });

  test("--error-rate outside 0..1 is refused with exit code 1", async () => {
    await expect(startSandboxProcess({ kind: "matomo", args: ["--token", "TOKEN", "--error-rate", "2"], startTimeoutMs: 20_000 })).rejects.toThrow(
      /exited with code 1/,
    );
  });
});
