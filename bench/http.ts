/**
 * A bare HTTP client for the benchmark's own traffic (seeding, and the per-resource strategy it
 * compares Exempt with). Keep-alive sockets, a fixed number in flight, and byte counters that
 * include the request line and headers, so its figures are comparable with Exempt's own.
 */
import * as http from "node:http";

export interface Traffic {
  requests: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export class CountingClient {
  readonly traffic: Traffic = { requests: 0, bytesSent: 0, bytesReceived: 0 };
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(baseUrl: string, readonly concurrency: number) {
    this.base = new URL(baseUrl);
    // maxSockets is the concurrency: requests past it queue in the agent, as a provider's worker pool would.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  }

  request(method: "GET" | "POST" | "PATCH", pathAndQuery: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(body, "utf8");
    const allHeaders: Record<string, string> = { ...headers, Host: this.base.host, Connection: "keep-alive" };
    if (payload) allHeaders["Content-Length"] = String(payload.length);
    this.traffic.requests++;
    this.traffic.bytesSent += `${method} ${pathAndQuery} HTTP/1.1\r\n`.length + headerSize(allHeaders) + 2 + (payload?.length ?? 0);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.base.hostname, port: this.base.port, method, path: pathAndQuery, headers: allHeaders, agent: this.agent, timeout: 120_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const raw = Buffer.concat(chunks);
            let head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ""}\r\n`.length + 2;
            for (let i = 0; i < res.rawHeaders.length; i += 2) head += res.rawHeaders[i].length + res.rawHeaders[i + 1].length + 4;
            this.traffic.bytesReceived += head + raw.length;
            resolve({ status: res.statusCode ?? 0, body: raw.toString("utf8") });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${pathAndQuery}`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function headerSize(headers: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers)) n += k.length + v.length + 4;
  return n;
}

/** Runs `task` over `items`, at most `width` at a time, results in input order. */
export async function mapLimited<T, R>(items: readonly T[], width: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}
