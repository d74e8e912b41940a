import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

/**
 * `exempt sandbox --kind piwikpro` as scripts use it: one stdout line with the base URL once it
 * listens, a working token endpoint, the fault flags, and a clean exit on SIGINT and SIGTERM.
 */
const ROOT = path.resolve(__dirname, "../..");

interface Sandbox {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  exit: Promise<number | null>;
}

/** Starts the CLI and resolves with the URL line (a small local helper, on purpose). */
function startSandbox(args: string[]): Promise<Sandbox> {
  const child = spawn(process.execPath, ["bin/exempt.js", "sandbox", "--kind", "piwikpro", "--port", "0", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`sandbox printed no URL within 30 s; stderr: ${err}`));
    }, 30000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf("\n");
      if (newline >= 0) {
        clearTimeout(timer);
        resolve({ child, url: out.slice(0, newline), stdout: () => out, stderr: () => err, exit });
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited with ${code} before printing its URL; stderr: ${err}`));
    });
  });
}

const token = (url: string, secret: string) =>
  fetch(`${url}/auth/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ grant_type: "client_credentials", client_id: "X", client_secret: secret }) });

describe("exempt sandbox --kind piwikpro", () => {
  let running: Sandbox | undefined;
  afterEach(() => {
    if (running && running.child.exitCode === null) running.child.kill("SIGKILL");
    running = undefined;
  });

  it.each(["SIGINT", "SIGTERM"] as const)("prints exactly its URL, answers /auth/token, and exits 0 on %s", async (signal) => {
    running = await startSandbox(["--client-id", "X", "--client-secret", "Y"]);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ok = await token(running.url, "Y");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token_type: "Bearer", expires_in: 1800 });
    expect((await token(running.url, "wrong")).status).toBe(401);
    running.child.kill(signal);
    expect(await running.exit).toBe(0);
    expect(running.stdout()).toBe(`${running.url}\n`);
  });

  it("passes the fault flags on: every request answered 429 with the given Retry-After", async () => {
    running = await startSandbox(["--client-id", "X", "--client-secret", "Y", "--rate-limit-rate", "1", "--retry-after", "3"]);
    const res = await token(running.url, "Y");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    running.child.kill("SIGTERM");
    expect(await running.exit).toBe(0);
  });

  it("refuses to start without a client secret", async () => {
    const child = spawn(process.execPath, ["bin/exempt.js", "sandbox", "--kind", "piwikpro", "--port", "0", "--client-id", "X"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).not.toBe(0);
    expect(out).toBe("");
    expect(err).toContain("--client-secret");
  });
});
