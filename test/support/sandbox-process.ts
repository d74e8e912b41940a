/**
 * Runs `exempt sandbox` as a child process, the way a user or the demo does, for tests that need
 * an emulator in another process (CLI end-to-end tests, signal handling, fault flags).
 *
 *   const sandbox = await startSandboxProcess({ kind: "matomo", args: ["--token", "TOKEN"] });
 *   ... talk to sandbox.url ...
 *   expect(await sandbox.stop()).toBe(0);
 */
import { ChildProcess, spawn } from "node:child_process";
import * as http from "node:http";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");
const EXEMPT_BIN = path.join(REPO, "bin", "exempt.js");

export interface SandboxProcessOptions {
  kind: "matomo" | "piwikpro";
  /** Further flags, e.g. ["--token", "TOKEN", "--latency-ms", "50"]. `--port 0` is always passed first. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the URL line. @default 30000 */
  startTimeoutMs?: number;
}

export interface SandboxProcess {
  /** The base URL the sandbox printed, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  readonly pid: number;
  /** Everything written to stdout so far (the contract: exactly the URL line). */
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM (or the given signal) and resolves with the exit code (128 + signal number if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? SIGNAL_NUMBERS[signal] ?? 0 : 0);
}

export function startSandboxProcess(options: SandboxProcessOptions): Promise<SandboxProcess> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    CHECKPOINT_DISABLE: "1",
    NO_COLOR: "1",
    ...(options.env ?? {}),
  };
  const child: ChildProcess = spawn(process.execPath, [EXEMPT_BIN, "sandbox", "--kind", options.kind, "--port", "0", ...(options.args ?? [])], {
    cwd: REPO,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<number>((resolve) => child.once("exit", (code, signal) => resolve(exitCodeOf(code, signal))));

  return new Promise<SandboxProcess>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`exempt sandbox --kind ${options.kind}: ${why}\nstdout: ${out}\nstderr: ${err}`));
    };
    const timer = setTimeout(() => fail("no URL line within the start timeout"), options.startTimeoutMs ?? 30_000);
    child.once("error", (e) => fail(e.message));
    void exited.then((code) => fail(`exited with code ${code} before printing its URL`));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      const nl = out.indexOf("\n");
      if (nl < 0 || settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        url: out.slice(0, nl).trim(),
        pid: child.pid!,
        stdout: () => out,
        stderr: () => err,
        async stop(signal: NodeJS.Signals = "SIGTERM") {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          try {
            return await exited;
          } finally {
            clearTimeout(killer);
          }
        },
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Talking to a Matomo sandbox or emulator: a bare HTTP client that sends exactly the query string
// and form body it is given (no client library between the test and the emulator), one
// connection per request.

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  ms: number;
}

export function matomoRequest(
  baseUrl: string,
  options: { query?: string; body?: string; method?: "GET" | "POST"; path?: string; timeoutMs?: number },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const method = options.method ?? "POST";
  const body = method === "POST" ? options.body ?? "" : undefined;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        agent: false,
        path: `${options.path ?? "/index.php"}${options.query ? `?${options.query}` : ""}`,
        headers: body === undefined ? {} : { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(Buffer.byteLength(body)) },
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json, ms: Date.now() - started });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

/** `index.php?module=API&method=…&format=JSON` with the parameters in a form body, as Exempt's client sends them. */
export function callApi(baseUrl: string, method: string, params: Record<string, string | string[]> = {}, extra: { query?: string } = {}): Promise<RawResponse> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const x of v) form.append(`${k}[]`, x);
    else form.append(k, v);
  }
  const query = `module=API&method=${encodeURIComponent(method)}&format=JSON${extra.query ? `&${extra.query}` : ""}`;
  return matomoRequest(baseUrl, { query, body: form.toString() });
}

/** A bulk request body: `urls[]` entries (each a url-encoded sub-request) plus outer parameters. */
export function bulkBody(subRequests: string[], outer: Record<string, string>): string {
  const parts = Object.entries(outer).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return [...parts, ...subRequests.map((s) => `urls%5B%5D=${encodeURIComponent(s)}`)].join("&");
}
