/**
 * A pass-through HTTP proxy that looks at what Exempt sends to Matomo: how many requests, and how
 * many bulk sub-requests each carries. Real Matomo runs on PHP, whose `max_input_vars` silently
 * drops form fields past 1,000, so no request may carry more than 500 sub-requests; this checks
 * it on the wire, from outside Exempt. Used for untimed audit runs only: it costs a hop.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface AuditFigures {
  requests: number;
  /** Largest number of `urls[]` sub-requests in one request. */
  maxSubRequests: number;
  /** Bulk requests and their sub-requests, in total. */
  bulkRequests: number;
  subRequests: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface AuditProxy {
  readonly url: string;
  readonly figures: AuditFigures;
  reset(): void;
  close(): Promise<void>;
}

const SUB_REQUEST = /(?:^|&)urls(?:%5B%5D|\[\])=/gi;

export async function startAuditProxy(target: string): Promise<AuditProxy> {
  const to = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const figures: AuditFigures = { requests: 0, maxSubRequests: 0, bulkRequests: 0, subRequests: 0, bytesSent: 0, bytesReceived: 0 };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? "/";
    const query = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
    const subs = (body.toString("latin1").match(SUB_REQUEST)?.length ?? 0) + (query.match(SUB_REQUEST)?.length ?? 0);
    figures.requests++;
    if (subs > 0) {
      figures.bulkRequests++;
      figures.subRequests += subs;
      figures.maxSubRequests = Math.max(figures.maxSubRequests, subs);
    }
    let head = `${req.method} ${url} HTTP/1.1\r\n`.length + 2;
    for (let i = 0; i < req.rawHeaders.length; i += 2) head += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4;
    figures.bytesSent += head + body.length;
    const headers = { ...req.headers, host: to.host };
    const forward = http.request({ host: to.hostname, port: to.port, method: req.method, path: url, headers, agent }, (answer) => {
      const out: Buffer[] = [];
      answer.on("data", (c: Buffer) => out.push(c));
      answer.on("end", () => {
        const payload = Buffer.concat(out);
        let h = `HTTP/1.1 ${answer.statusCode} ${answer.statusMessage ?? ""}\r\n`.length + 2;
        for (let i = 0; i < answer.rawHeaders.length; i += 2) h += answer.rawHeaders[i].length + answer.rawHeaders[i + 1].length + 4;
        figures.bytesReceived += h + payload.length;
        const outHeaders = { ...answer.headers };
        delete outHeaders["transfer-encoding"];
        outHeaders["content-length"] = String(payload.length);
        res.writeHead(answer.statusCode ?? 502, outHeaders);
        res.end(payload);
      });
    });
    forward.on("error", (err) => {
      res.writeHead(502);
      res.end(`audit proxy: ${err.message}`);
    });
    forward.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    figures,
    reset() {
      Object.assign(figures, { requests: 0, maxSubRequests: 0, bulkRequests: 0, subRequests: 0, bytesSent: 0, bytesReceived: 0 });
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
