import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { runExempt, spawnExempt } from "../support/cli";
import { EXAMPLE_FLEET, startTestMatomo, TestMatomo } from "../support/matomo";
import { tempDir, writeFile } from "../support/tmp";
import { REPORT_FORMATS } from "../../cli/output";

/**
 * A canary token and password placed in the environment must never come out: not on stdout or
 * stderr, not in any report format, not in an error message, whatever path the error took (a
 * refused token, a server echoing the request, a dead server, a timeout).
 */
const CANARY = "c4n4ry0t0ken0000000000000000beef";
const CANARY_PASSWORD = "c4n4ry-p4ssw0rd-never-printed";

const leaks: string[] = [];
afterAll(() => console.log(`secret checks: ${checked} outputs scanned, leaks found: ${leaks.length}`));
let checked = 0;

function assertClean(what: string, text: string): void {
  checked++;
  for (const secret of [CANARY, CANARY_PASSWORD, encodeURIComponent(CANARY_PASSWORD)]) {
    if (text.includes(secret)) leaks.push(what);
    expect({ what, leaked: text.includes(secret) }).toEqual({ what, leaked: false });
  }
}

describe("secrets never leave the environment", () => {
  let matomo: TestMatomo;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    matomo = await startTestMatomo({ token: CANARY, password: CANARY_PASSWORD });
    dir = tempDir();
    config = writeFile(dir, "exempt.yaml", EXAMPLE_FLEET());
  });
  afterAll(() => matomo.close());

  const env = () => ({ ...matomo.env, EXEMPT_LOCK_DIR: dir });

  it.each(["plan", "apply", "drift"])("%s, in every report format and with --verbose, prints no secret", async (command) => {
    for (const format of REPORT_FORMATS) {
      if ((format === "junit" || format === "sarif") && !fs.existsSync(path.join(__dirname, "..", "..", "engine", "render", `${format}.ts`))) continue;
      const out = path.join(dir, `${command}.${format}`);
      const r = await runExempt([command, "--config", config, "--format", format, "--verbose", "--out", out], { env: env() });
      expect([0, 2]).toContain(r.code);
      assertClean(`${command} --format ${format} stdout`, r.stdout);
      assertClean(`${command} --format ${format} stderr`, r.stderr);
      assertClean(`${command} --format ${format} --out file`, fs.readFileSync(out, "utf8"));
    }
  });

  it("the real binary's output, including the local-exec-style apply, prints no secret", async () => {
    const r = await spawnExempt(["apply", "--config", config, "--verbose"], { env: env() });
    expect(r.code).toBe(0);
    assertClean("spawned apply stdout", r.stdout);
    assertClean("spawned apply stderr", r.stderr);
  });

  it("a refused token: the message names the variable, never the value", async () => {
    const r = await runExempt(["plan", "--config", config], { env: { ...env(), MATOMO_TOKEN: CANARY.replace("beef", "dead") } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("MATOMO_TOKEN");
    assertClean("refused token", r.stdout + r.stderr);
    expect(r.stdout + r.stderr).not.toContain(CANARY.replace("beef", "dead"));
    matomo.emulator.clearFailedLogins();
  });

  it("a server that echoes the request back in its error message: redacted", async () => {
    const echo = http.createServer(async (req, res) => {
      let body = "";
      for await (const c of req) body += c;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ result: "error", message: `Request was ${req.url} with ${body}` }));
    });
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      const r = await runExempt(["apply", "--config", config, "--retries", "0"], { env: { ...env(), MATOMO_URL: url } });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/Request was/); // the server's text is shown...
      assertClean("echoing server", r.stdout + r.stderr); // ...without the secret in it
    } finally {
      await new Promise((r) => echo.close(r));
    }
  });

  it("a dead server and a timeout: transport errors carry no request body", async () => {
    const dead = await runExempt(["plan", "--config", config, "--retries", "0"], { env: { ...env(), MATOMO_URL: "http://127.0.0.1:9" } });
    expect(dead.code).toBe(1);
    assertClean("connection refused", dead.stdout + dead.stderr);
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const slow = await runExempt(["plan", "--config", config, "--retries", "0", "--timeout-ms", "300"], { env: { ...env(), MATOMO_URL: url } });
      expect(slow.code).toBe(1);
      expect(slow.stdout).toMatch(/timeout|no answer/i);
      assertClean("timeout", slow.stdout + slow.stderr);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it("no test snapshot holds a secret", () => {
    const root = path.join(__dirname, "..");
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".snap") ? [path.join(d, e.name)] : []));
    for (const snap of walk(root)) assertClean(snap, fs.readFileSync(snap, "utf8"));
  });
});
