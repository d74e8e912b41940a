import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import type { AddressInfo } from "node:net";
import { runExempt, spawnExempt } from "../support/cli";
import { startTestMatomo, TestMatomo } from "../support/matomo";
import { tempDir, writeFile } from "../support/tmp";

/**
 * The token travels only where it is safe: plain http to a non-loopback host is refused unless the
 * user says so; TLS is always verified, and an internal certificate authority works through
 * Node's NODE_EXTRA_CA_CERTS; a proxy is used through HTTP(S)_PROXY and bypassed through NO_PROXY.
 */
const yaml = (url: string) => `instances:\n  stats:\n    kind: matomo\n    url: ${url}\n    auth: { tokenEnv: MATOMO_TOKEN }\n    sites:\n      www: { name: W, urls: [https://www.example.gouv.fr] }\n`;

/** An internal CA and a server certificate for localhost, made with openssl for this run. */
function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Exempt test CA");
  run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
  return { ca: path.join(dir, "ca.pem"), key: fs.readFileSync(path.join(dir, "server.key"), "utf8"), cert: fs.readFileSync(path.join(dir, "server.pem"), "utf8") };
}

describe("transport security", () => {
  const dir = tempDir();

  it("plain http to a non-loopback host is refused before anything is sent, unless --allow-insecure-http", async () => {
    const config = writeFile(dir, "remote.yaml", yaml("http://stats.example.org"));
    const r = await runExempt(["plan", "--config", config], { env: { MATOMO_TOKEN: "t0ken-for-http-test" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("refusing plain http:// to stats.example.org");
    expect(r.stdout).toContain("--allow-insecure-http");
    const allowed = await runExempt(["plan", "--config", config, "--allow-insecure-http", "--retries", "0", "--timeout-ms", "1000"], { env: { MATOMO_TOKEN: "t0ken-for-http-test" } });
    expect(allowed.code).toBe(1);
    expect(allowed.stdout).not.toContain("refusing plain http");
  });

  describe("TLS", () => {
    let matomo: TestMatomo;
    let ca: string;
    beforeAll(async () => {
      const certs = makeCertificates(tempDir());
      ca = certs.ca;
      matomo = await startTestMatomo({ tls: { key: certs.key, cert: certs.cert } });
    });
    afterAll(() => matomo.close());

    it("a certificate from an unknown authority is refused with a clear error (verification is never off)", async () => {
      const config = writeFile(dir, "tls.yaml", yaml(matomo.url.replace("127.0.0.1", "localhost")));
      const r = await spawnExempt(["plan", "--config", config, "--retries", "0"], { env: { MATOMO_TOKEN: matomo.token } });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/certificate|TLS|self.signed|unable to (get|verify)/i);
      expect(r.stdout + r.stderr).not.toContain(matomo.token);
    });

    it("an internal certificate authority works through NODE_EXTRA_CA_CERTS", async () => {
      const config = writeFile(dir, "tls.yaml", yaml(matomo.url.replace("127.0.0.1", "localhost")));
      const r = await spawnExempt(["plan", "--config", config], { env: { MATOMO_TOKEN: matomo.token, NODE_EXTRA_CA_CERTS: ca } });
      expect([0, 2]).toContain(r.code);
      expect(r.stdout).toContain("matomo 5.1.2");
    });
  });

  describe("proxies", () => {
    let matomo: TestMatomo;
    let proxy: http.Server;
    let proxied: string[];
    const tunnels: net.Socket[] = [];
    beforeAll(async () => {
      matomo = await startTestMatomo();
      proxied = [];
      const target = new URL(matomo.url);
      // A forward proxy that sends every host to the emulator (stands in for the corporate proxy and its DNS).
      proxy = http.createServer((req, res) => {
        proxied.push(`${req.method} ${req.url}`);
        const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: new URL(req.url!).pathname + new URL(req.url!).search, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on("error", () => res.destroy());
        req.pipe(upstream);
      });
      proxy.on("connect", (req, socket: net.Socket) => {
        proxied.push(`CONNECT ${req.url}`);
        // Tunnels end abruptly when a test is done with them: that is not a test failure.
        socket.on("error", () => undefined);
        const up = net.connect(Number(target.port), target.hostname, () => {
          tunnels.push(socket, up);
          socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
          up.pipe(socket);
          socket.pipe(up);
        });
        up.on("error", () => socket.destroy());
      });
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    });
    afterAll(async () => {
      await matomo.close();
      for (const t of tunnels) t.destroy();
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    });

    it("HTTP_PROXY carries the calls to an instance only the proxy can reach", async () => {
      const config = writeFile(dir, "proxy.yaml", yaml("http://stats.intranet.test"));
      const port = (proxy.address() as AddressInfo).port;
      const r = await spawnExempt(["plan", "--config", config, "--allow-insecure-http"], { env: { MATOMO_TOKEN: matomo.token, HTTP_PROXY: `http://127.0.0.1:${port}` } });
      expect([0, 2]).toContain(r.code);
      expect(r.stdout).toContain("matomo 5.1.2");
      expect(proxied.some((p) => p.includes("stats.intranet.test"))).toBe(true);
    });

    it("NO_PROXY sends the calls direct, past the proxy", async () => {
      proxied.length = 0;
      const config = writeFile(dir, "noproxy.yaml", yaml(matomo.url));
      const port = (proxy.address() as AddressInfo).port;
      const r = await spawnExempt(["plan", "--config", config], { env: { MATOMO_TOKEN: matomo.token, HTTP_PROXY: `http://127.0.0.1:${port}`, NO_PROXY: "127.0.0.1,localhost" } });
      expect([0, 2]).toContain(r.code);
      expect(proxied).toEqual([]);
    });
  });
});

describe("https through a proxy", () => {
  it("HTTPS_PROXY tunnels https with CONNECT, and TLS is still verified end to end", async () => {
    const dir = tempDir();
    const certs = makeCertificates(dir);
    const matomo = await startTestMatomo({ tls: { key: certs.key, cert: certs.cert } });
    const target = new URL(matomo.url);
    const seen: string[] = [];
    const proxy = http.createServer((_req, res) => {
      seen.push("plain request");
      res.writeHead(502).end();
    });
    const tunnels: net.Socket[] = [];
    proxy.on("connect", (req, socket: net.Socket) => {
      seen.push(`CONNECT ${req.url}`);
      socket.on("error", () => undefined);
      const up = net.connect(Number(target.port), "127.0.0.1", () => {
        tunnels.push(socket, up);
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on("error", () => socket.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    try {
      const config = writeFile(dir, "https-proxy.yaml", yaml(`https://localhost:${target.port}`));
      const r = await spawnExempt(["plan", "--config", config], { env: { MATOMO_TOKEN: matomo.token, NODE_EXTRA_CA_CERTS: certs.ca, HTTPS_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` } });
      expect(r.stdout).toContain("matomo 5.1.2");
      expect(seen.every((s) => s.startsWith("CONNECT localhost:"))).toBe(true);
      expect(seen.length).toBeGreaterThan(0);
    } finally {
      // Tunnelled sockets leave the HTTP server's bookkeeping: close them by hand.
      for (const t of tunnels) t.destroy();
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
      await matomo.close();
    }
  });
});
