import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { FaultInjector, FaultSettings } from "./faults";

export interface EmulatorRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/index.php` or `/api/apps/v2`. */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly rawQuery: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly remoteAddress: string;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface TrafficStats {
  requests: number;
  bytesIn: number;
  bytesOut: number;
}

export interface EmulatorServerOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Loopback by default: the emulators are never meant to be reachable from elsewhere. */
  host?: string;
  faults?: Partial<FaultSettings>;
  /** Names the operation of a request, for scripted and filtered faults and for stats. */
  operationOf(req: EmulatorRequest): string;
  handle(req: EmulatorRequest): Promise<EmulatorResponse> | EmulatorResponse;
  /** The body a 5xx fault answers with (the product's own style of server error). */
  serverErrorBody?: (status: number) => EmulatorResponse;
  /** The answer to a rate-limit fault. */
  rateLimitBody?: (retryAfterSeconds: number) => EmulatorResponse;
  /** Serve HTTPS with this key and certificate (PEM), as a production instance does. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface EmulatorServer {
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  readonly stats: TrafficStats;
  resetStats(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A node:http server with fault injection and traffic counters; the product logic lives in
 * `handle`. Bytes are counted on the wire (request line and headers included), so the benchmark's
 * byte figures mean what they say.
 */
export async function startEmulatorServer(options: EmulatorServerOptions): Promise<EmulatorServer> {
  const faults = new FaultInjector(options.faults);
  const stats: TrafficStats = { requests: 0, bytesIn: 0, bytesOut: 0 };
  const sockets = new Set<import("node:net").Socket>();

  const listener: http.RequestListener = async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const request: EmulatorRequest = {
      method: req.method ?? "GET",
      path: q >= 0 ? url.slice(0, q) : url,
      rawQuery: q >= 0 ? url.slice(q + 1) : "",
      headers: req.headers,
      body,
      remoteAddress: req.socket.remoteAddress ?? "127.0.0.1",
    };
    stats.requests++;
    stats.bytesIn += body.length + headerBytes(req);
    const operation = options.operationOf(request);
    const fault = faults.pick(operation);
    const latency = faults.current.latencyMs;
    if (latency > 0) await sleep(latency);

    if (fault === "drop-before") return void req.socket.destroy();
    if (fault === "error") {
      const status = [500, 502, 503][stats.requests % 3];
      return void send(res, options.serverErrorBody?.(status) ?? { status, headers: { "Content-Type": "text/html; charset=utf-8" }, body: `<html><body><h1>${status}</h1></body></html>` });
    }
    if (fault === "rate-limit") {
      const after = faults.current.retryAfterSeconds;
      const answer = options.rateLimitBody?.(after) ?? { status: 429, body: "Too Many Requests" };
      answer.headers = { "Retry-After": String(after), ...(answer.headers ?? {}) };
      return void send(res, answer);
    }
    let response: EmulatorResponse;
    try {
      response = await options.handle(request);
    } catch (err) {
      response = { status: 500, headers: { "Content-Type": "text/plain" }, body: `emulator error: ${(err as Error).message}` };
    }
    if (fault === "drop-after") return void req.socket.destroy();
    if (fault === "stall") {
      await sleep(faults.current.stallMs);
      if (req.socket.destroyed) return;
    }
    send(res, response);
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener) : http.createServer(listener);

  function send(res: http.ServerResponse, r: EmulatorResponse): void {
    const body = r.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, "utf8");
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (r.status !== 204 && r.status !== 304) headers["Content-Length"] = String(body.length);
    res.writeHead(r.status, headers);
    stats.bytesOut += body.length + Object.entries(headers).reduce((n, [k, v]) => n + k.length + String(v).length + 4, 17);
    res.end(r.status === 204 ? undefined : body);
  }

  server.on("connection", (s: import("node:net").Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `${options.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    faults,
    stats,
    resetStats() {
      stats.requests = 0;
      stats.bytesIn = 0;
      stats.bytesOut = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function headerBytes(req: http.IncomingMessage): number {
  let n = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 12;
  for (let i = 0; i < req.rawHeaders.length; i += 2) n += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4;
  return n;
}
