/**
 * Runs `exempt sandbox` as a child process, the way a user or the demo does, for tests that need
 * an emulator in another process (CLI end-to-end tests, signal handling, fault flags).
 *
 *   const sandbox = await startSandboxProcess({ kind: "matomo", args: ["--token", "TOKEN"] });
 *   ... talk to sandbox.url ...
 *   expect(await sandbox.stop()).toBe(0);
 */
import * as http from "node:http";
import { startSandboxProcess as start, type SandboxProcess } from "../../cli/sandbox-process";

export type { SandboxProcess };

export interface SandboxProcessOptions {
  kind: "matomo" | "piwikpro";
  /** Further flags, e.g. ["--token", "TOKEN", "--latency-ms", "50"]. `--port 0` is always passed first. */
  args?: string[];
  /** Added to a clean environment (PATH, HOME, TMPDIR, no telemetry, no colours). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the URL line. @default 30000 */
  startTimeoutMs?: number;
}

/** The CLI's own way of running the sandbox, with a clean environment for tests. */
export function startSandboxProcess(options: SandboxProcessOptions): Promise<SandboxProcess> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, CHECKPOINT_DISABLE: "1", NO_COLOR: "1", ...(options.env ?? {}) };
  return start(options.kind, { args: options.args ?? [], env, startTimeoutMs: options.startTimeoutMs });
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
