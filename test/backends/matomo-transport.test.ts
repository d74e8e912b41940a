import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { MatomoClient } from "../../backends/matomo/client";
import { MatomoTransport } from "../../backends/matomo/transport";
import type { MatomoEmulator } from "../../emulators/matomo";
import { forgetSecretsForTests, registerSecret } from "../../model/secrets";
import { backendFor, CANARY_PASSWORD, CANARY_TOKEN, declareInstance, declareSite, PASSWORD_ENV, planOf, startEmulator, TOKEN_ENV } from "./matomo-fixtures";

/**
 * The wire: what a request looks like, what happens with answers no Matomo should give, TLS,
 * proxies, and secrets. A small scripted server stands in for a broken or hostile Matomo.
 */
interface Captured {
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

interface FakeServer {
  url: string;
  requests: Captured[];
  close(): Promise<void>;
}

async function fakeServer(answer: (req: Captured) => { status?: number; type?: string; body: string; headers?: Record<string, string> }): Promise<FakeServer> {
  const requests: Captured[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const captured = { method: req.method ?? "", url: req.url ?? "", body: Buffer.concat(chunks).toString("utf8"), headers: req.headers };
    requests.push(captured);
    const a = answer(captured);
    res.writeHead(a.status ?? 200, { "Content-Type": a.type ?? "application/json; charset=utf-8", ...(a.headers ?? {}) });
    res.end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Every message, log line and outcome produced in this file, checked for secrets at the end. */
const seen: string[] = [];

async function readFails(url: string, options: Parameters<typeof backendFor>[1] = {}): Promise<Error> {
  const { backend, logs } = backendFor(declareInstance(url), { retries: 1, ...options });
  const err = await backend.read().then(
    () => new Error("the read succeeded"),
    (e: Error) => e,
  );
  seen.push(err.message, String(err.stack), JSON.stringify(err), ...logs);
  return err;
}

describe("what goes on the wire", () => {
  test("every call is a POST with module, method and format in the query, token_auth first in the body", async () => {
    const server = await fakeServer(() => ({ body: JSON.stringify([{ value: "5.1.2" }, [], [], { value: false }, { result: "error", message: "no" }, []]) }));
    try {
      await readFails(server.url);
      const first = server.requests[0];
      expect(first.method).toBe("POST");
      expect(first.url).toBe("/index.php?module=API&method=API.getBulkRequest&format=JSON");
      expect(first.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
      const fields = first.body.split("&").map((kv) => decodeURIComponent(kv.split("=")[0]));
      expect(fields.slice(0, 2)).toEqual(["token_auth", "filter_limit"]);
      expect(new URLSearchParams(first.body).get("filter_limit")).toBe("-1");
      expect(new URLSearchParams(first.body).getAll("urls[]")[1]).toBe("method=SitesManager.getSitesWithAdminAccess&fetchAliasUrls=1");
    } finally {
      await server.close();
    }
  });

  test("bulks are cut into requests of at most 500 sub-requests, sent with bounded concurrency", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const requests: Captured[] = [];
    const server = http.createServer(async (req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: req.method ?? "", url: req.url ?? "", body, headers: req.headers });
      const n = new URLSearchParams(body).getAll("urls[]").length;
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(Array.from({ length: n }, (_, i) => ({ value: i }))));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const transport = new MatomoTransport({
        instanceId: "stats",
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        tokenEnv: TOKEN_ENV,
        readToken: () => CANARY_TOKEN,
        timeoutMs: 5000,
        retries: 0,
        concurrency: 2,
        allowInsecureHttp: false,
        backoffBaseMs: 5,
        maxRetryAfterMs: 1000,
        log: () => undefined,
      });
      const client = new MatomoClient(transport, "stats");
      const results = await client.bulk(Array.from({ length: 1201 }, (_, i) => ({ method: "SitesManager.getSiteFromId", params: { idSite: i + 1 }, retrySafe: true })));
      expect(results).toHaveLength(1201);
      expect(results.every((r) => r.ok)).toBe(true);
      const sizes = requests.map((r) => new URLSearchParams(r.body).getAll("urls[]").length);
      expect(sizes.sort((a, b) => a - b)).toEqual([399, 401, 401]);
      expect(maxInFlight).toBe(2);
      expect(transport.traffic.requests).toBe(3);
      // Far below PHP's max_input_vars (1,000): the token and filter_limit are never the ones dropped.
      for (const r of requests) expect(r.body.split("&").length).toBeLessThanOrEqual(502);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe("answers no Matomo API should give", () => {
  const cases: Array<[string, { status?: number; type?: string; body: string; headers?: Record<string, string> }, RegExp]> = [
    [
      "an HTML page",
      { type: "text/html; charset=utf-8", body: "<!DOCTYPE html><html><head><title>Matomo &rsaquo; Error</title></head><body>oops</body></html>" },
      /API\.getBulkRequest \(API\.getMatomoVersion.*the answer is not valid JSON \(text\/html, \d+ bytes, an HTML page titled "Matomo › Error"\); is http:\/\/127\.0\.0\.1:\d+\/ the Matomo base URL\?/,
    ],
    ["a truncated body", { body: '[{"value":"5.1.2"},{"idsite":1,"na' }, /API\.getBulkRequest \(API\.getMatomoVersion.*not valid JSON \(application\/json, \d+ bytes, JSON cut short or damaged\)/],
    ["an empty body", { body: "" }, /not valid JSON \(application\/json, empty body\)/],
    ["too few results", { body: JSON.stringify([{ value: "5.1.2" }]) }, /API\.getMatomoVersion: API\.getBulkRequest .* answered 1 results for \d+ sub-requests/],
    ["a site list of the wrong type", { body: JSON.stringify([{ value: "5.1.2" }, "sites", [], { value: false }, [], []]) }, /SitesManager\.getSitesWithAdminAccess answered something unexpected: expected a list of sites, got string/],
    ["a site without an id", { body: JSON.stringify([{ value: "5.1.2" }, [{ name: "x" }], [], { value: false }, [], []]) }, /SitesManager\.getSitesWithAdminAccess answered something unexpected: a site row has no numeric idsite/],
    ["a version that is not one", { body: JSON.stringify([{ value: "banana" }, [], [], {}, [], []]) }, /API\.getMatomoVersion did not answer a version \(got \{"value":"banana"\}\)/],
    ["a 404", { status: 404, type: "text/html", body: "<html><title>Not Found</title></html>" }, /answered HTTP 404 \(text\/html, \d+ bytes, an HTML page titled "Not Found"\); is http:\/\/127\.0\.0\.1:\d+\/ a Matomo\?/],
    ["a redirect", { status: 301, body: "", headers: { Location: "https://elsewhere.example.org/matomo/index.php?x=1" } }, /answered a redirect \(HTTP 301 to https:\/\/elsewhere\.example\.org\/matomo\/index\.php\); set the instance url/],
    [
      "a Matomo 4 running a refused token as anonymous (HTTP 200)",
      { body: JSON.stringify(Array.from({ length: 6 }, () => ({ result: "error", message: "You can't access this resource as it requires view access for at least one website." }))) },
      /API\.getMatomoVersion failed \(You can't access this resource.*\)\. The token may lack access, or the server may be a Matomo older than 5, which runs a refused token as the anonymous user/,
    ],
    ["a whole-request error", { body: JSON.stringify({ result: "error", message: "The plugin X is not enabled. Settings &gt; Plugins" }) }, /API\.getBulkRequest \(API\.getMatomoVersion.*Matomo said: The plugin X is not enabled\. Settings > Plugins/],
  ];

  test.each(cases)("%s gives one clear error naming the call, never a crash", async (_name, answer, message) => {
    const server = await fakeServer(() => answer);
    try {
      const err = await readFails(server.url);
      expect(err.name).toBe("MatomoError");
      expect(err.message).toMatch(message);
      expect(err.message).not.toMatch(/TypeError|Cannot read|undefined is not/);
    } finally {
      await server.close();
    }
  });

  test("a page that echoes the request back does not leak the token into the error", async () => {
    const server = await fakeServer((req) => ({ type: "text/html", body: `<html><head><title>Bad request ${req.body.slice(0, 60)}</title></head></html>` }));
    try {
      const err = await readFails(server.url);
      expect(err.message).toMatch(/an HTML page titled "Bad request token_auth=\*\*\*/);
      expect(err.message).not.toContain(CANARY_TOKEN);
    } finally {
      await server.close();
    }
  });
});

describe("transport security", () => {
  test("plain http to a non-loopback host is refused before anything is sent", async () => {
    const err = await readFails("http://stats.example.gouv.fr");
    expect(err.message).toMatch(/refusing plain http:\/\/ to stats\.example\.gouv\.fr.*\$EXEMPT_TEST_MATOMO_TOKEN.*--allow-insecure-http/);
  });

  test("with --allow-insecure-http the call is made (and a host that does not resolve says so)", async () => {
    const err = await readFails("http://stats.invalid", { allowInsecureHttp: true });
    expect(err.message).toMatch(/the host name does not resolve \(ENOTFOUND\)/);
  });

  describe("proxies", () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const k of ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"]) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    });

    async function forwardProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
      const seenUrls: string[] = [];
      const server = http.createServer((req, res) => {
        seenUrls.push(req.url ?? "");
        const target = new URL(req.url ?? "");
        const upstream = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        req.pipe(upstream);
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: seenUrls, close: () => new Promise((r) => server.close(() => r())) };
    }

    test("HTTP_PROXY is used, and NO_PROXY keeps loopback calls direct", async () => {
      const emulator = await startEmulator();
      const proxy = await forwardProxy();
      try {
        process.env.HTTP_PROXY = proxy.url;
        delete process.env.http_proxy;
        delete process.env.NO_PROXY;
        delete process.env.no_proxy;
        await backendFor(declareInstance(emulator.url)).backend.read();
        expect(proxy.seen.length).toBeGreaterThan(0);
        expect(proxy.seen[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/index\.php\?module=API/);

        const before = proxy.seen.length;
        process.env.NO_PROXY = "localhost,127.0.0.1";
        await backendFor(declareInstance(emulator.url)).backend.read();
        expect(proxy.seen.length).toBe(before);
      } finally {
        await proxy.close();
        await emulator.close();
      }
    });
  });

  describe("TLS", () => {
    let dir: string;
    let emulator: MatomoEmulator;
    let server: https.Server;
    let url: string;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "exempt-tls-"));
      const run = promisify(execFile);
      const o = (...args: string[]) => run("openssl", args, { cwd: dir });
      await o("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Exempt Test CA");
      await o("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
      fs.writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
      await o("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf");
      emulator = await startEmulator();
      const upstream = new URL(emulator.url);
      // An internal-CA HTTPS front for the emulator, as a reverse proxy would be.
      server = https.createServer({ key: fs.readFileSync(path.join(dir, "server.key")), cert: fs.readFileSync(path.join(dir, "server.pem")) }, (req, res) => {
        const up = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        req.pipe(up);
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }, 30_000);

    afterAll(async () => {
      await new Promise((r) => server.close(r));
      await emulator.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test("a certificate from an unknown authority is refused, and the message points at NODE_EXTRA_CA_CERTS", async () => {
      const err = await readFails(url);
      expect(err.message).toMatch(/the TLS certificate was not accepted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)\)\. Exempt never turns verification off; .*NODE_EXTRA_CA_CERTS/);
    });

    test("with NODE_EXTRA_CA_CERTS naming the internal authority, the same instance is read", async () => {
      const script = path.join(dir, "read.ts");
      fs.writeFileSync(
        script,
        `import { createMatomoBackend } from ${JSON.stringify(path.resolve(__dirname, "../../backends/matomo"))};
         import { MatomoInstance } from ${JSON.stringify(path.resolve(__dirname, "../../model/matomo"))};
         const instance = MatomoInstance.parse({ kind: "matomo", url: process.argv[2], auth: { tokenEnv: "T" } });
         createMatomoBackend("stats", instance, { env: process.env, allowInsecureHttp: false, log: () => undefined })
           .read().then((live) => console.log(live.version), (e) => { console.log("FAILED " + e.message); process.exitCode = 1; });`,
      );
      const run = promisify(execFile);
      const { stdout } = await run(process.execPath, ["--import", "tsx", script, url], {
        cwd: path.resolve(__dirname, "../.."),
        env: { PATH: process.env.PATH, T: CANARY_TOKEN, NODE_EXTRA_CA_CERTS: path.join(dir, "ca.pem") },
      });
      expect(stdout.trim()).toBe("5.1.2");
    }, 30_000);
  });
});

describe("secrets", () => {
  test("the token and the password never appear in errors, logs or outcomes", async () => {
    const emulator = await startEmulator();
    try {
      const env = { [TOKEN_ENV]: CANARY_TOKEN, [PASSWORD_ENV]: "Wrong-Passw0rd-for-canary" };
      registerSecret(env[PASSWORD_ENV]);
      const instance = declareInstance(emulator.url, { auth: { tokenEnv: TOKEN_ENV, passwordEnv: PASSWORD_ENV }, sites: { www: declareSite({ name: "x", urls: ["https://first.example.org"], timezone: "Nope/Nope" }) } });
      const { backend, logs } = backendFor(instance, {}, env);
      const live = await backend.read();
      emulator.faults.set({ errorRate: 0.5, seed: 11 });
      const outcome = await backend.apply(
        planOf(live, [{ siteKey: "www", productId: "1", operation: "update", live: live.sites[0], desired: instance.sites.www, changes: [{ area: "site", field: "timezone", live: "UTC", desired: "Nope/Nope" }] }], {
          reassert: [{ field: "rawDataRetentionMonths", desired: 25, enforced: true }],
        }),
        live,
        { prune: false },
      );
      seen.push(JSON.stringify(outcome), ...logs);
      // The wrong password is Matomo's answer, not a leak of it.
      expect(outcome.instance.error ?? "").toMatch(/setDeleteLogsSettings.*The current password you entered is not correct/);
      expect(outcome.sites[0].error).toMatch(/timezone "Nope\/Nope" is not valid/);
    } finally {
      await emulator.close();
    }
    const everything = seen.join("\n");
    for (const secret of [CANARY_TOKEN, CANARY_PASSWORD, "Wrong-Passw0rd-for-canary", encodeURIComponent("Wrong-Passw0rd-for-canary")]) expect(everything).not.toContain(secret);
    expect(seen.length).toBeGreaterThan(20);
  });

  test("errors carry no axios request or config (where headers and bodies with the token live)", async () => {
    const err = (await readFails("http://127.0.0.1:9")) as Error & Record<string, unknown>;
    expect(err.message).toMatch(/connection refused \(ECONNREFUSED\)/);
    for (const key of ["config", "request", "response", "cause", "toJSON"]) expect(err[key]).toBeUndefined();
    expect(JSON.stringify(err)).not.toContain(CANARY_TOKEN);
  });
});

afterAll(() => {
  // Other files register their own canaries; do not leave ours behind in this worker.
  forgetSecretsForTests();
});
