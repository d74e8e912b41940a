import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import * as http from "node:http";
import * as https from "node:https";
import { redactSecrets } from "../../model/secrets";
import type { TrafficCounters } from "../../engine/types";
import { decodeEntitiesDeep, decodeHtmlEntities } from "./entities";
import { encodeForm, type FormField } from "./encoding";
import { describeCall, MatomoError } from "./errors";
import { Limiter, sleep } from "../common/limit";
import { isLoopbackHost, TLS_ERROR_CODES } from "../common/network";

export { isLoopbackHost };

/**
 * One POST per API call: `module`, `method` and `format` in the query string (Matomo renders
 * authentication errors as API errors only when it sees them there), `token_auth` first in the
 * form body (so the token is "sent securely", works with secure-only tokens, and is never the field
 * PHP's `max_input_vars` drops), every other parameter after it.
 */
export interface TransportSettings {
  instanceId: string;
  /** The instance URL from the config (with or without a trailing `/` or `/index.php`). */
  url: string;
  /** Name of the environment variable holding the token: named in messages, never its value. */
  tokenEnv: string;
  /** Reads the token; called at the first request, so commands that never call stay offline. */
  readToken: () => string;
  timeoutMs: number;
  retries: number;
  concurrency: number;
  allowInsecureHttp: boolean;
  /** First backoff step; doubles each retry, with jitter. */
  backoffBaseMs: number;
  /** Longest `Retry-After` honoured; past it the call fails rather than hang a deploy. */
  maxRetryAfterMs: number;
  log: (message: string) => void;
}

export interface RequestContext {
  /** What is being called, for messages: a method name or `API.getBulkRequest (...)`. */
  call: string;
  site?: string;
  /**
   * Reads and idempotent writes may be sent again after a failure whose outcome is unknown.
   * Anything else is sent again only when the server provably did not run it (429, refused
   * connection); otherwise the failure comes back with `outcomeUnknown` for the caller to check.
   */
  retrySafe: boolean;
}

/** How a failed attempt may be retried. */
type RetryRule = "never" | "not-executed" | "if-retry-safe";

interface AttemptFailure {
  error: MatomoError;
  retry: RetryRule;
  /** Server-requested wait (Retry-After). */
  waitMs?: number;
}

/** `https://stats.example.org/matomo/` → `https://stats.example.org/matomo/index.php`. */
export function apiEndpoint(url: string): URL {
  const u = new URL(url);
  let path = u.pathname.replace(/\/index\.php$/, "").replace(/\/+$/, "");
  u.pathname = `${path}/index.php`;
  u.search = "";
  u.hash = "";
  return u;
}

/** Connection never established: nothing was executed, so even a create may be sent again. */
const NOT_CONNECTED_CODES = new Set(["ECONNREFUSED"]);
const TRANSIENT_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ETIMEDOUT", "ERR_CANCELED", "ESOCKETTIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ERR_BAD_RESPONSE", "ERR_STREAM_PREMATURE_CLOSE"]);

export class MatomoTransport {
  readonly traffic: TrafficCounters = { requests: 0, bytesSent: 0, bytesReceived: 0 };
  private readonly endpoint: URL;
  private readonly http: AxiosInstance;
  private readonly limiter: Limiter;
  private token?: string;
  /** After a refused token or a lockout nothing else is sent: each try would count against us. */
  private fatal?: MatomoError;

  constructor(private readonly settings: TransportSettings) {
    this.endpoint = apiEndpoint(settings.url);
    this.limiter = new Limiter(settings.concurrency);
    // Keep-alive sockets, one pool per instance. TLS verification stays on: no `rejectUnauthorized`
    // and no `ca` here, so Node's store (with NODE_EXTRA_CA_CERTS) decides. `proxy` is left to
    // axios, which follows HTTP(S)_PROXY/NO_PROXY and tunnels https through CONNECT.
    this.http = axios.create({
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: settings.concurrency }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: settings.concurrency }),
      maxRedirects: 0,
      responseType: "arraybuffer",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      decompress: true,
    });
  }

  get baseUrl(): string {
    return this.endpoint.toString().replace(/\/index\.php$/, "/");
  }

  private where(): string {
    return `${this.endpoint.origin}${this.endpoint.pathname}`;
  }

  private prefix(ctx: RequestContext): string {
    return `Matomo instance '${this.settings.instanceId}': ${describeCall(ctx.call, ctx.site)}`;
  }

  private checkEndpoint(): void {
    const u = this.endpoint;
    if (u.protocol === "http:" && !isLoopbackHost(u.hostname) && !this.settings.allowInsecureHttp)
      throw new MatomoError(
        `Matomo instance '${this.settings.instanceId}': refusing plain http:// to ${u.host}: the token in $${this.settings.tokenEnv} would cross the network unencrypted. Use https://, or pass --allow-insecure-http if this network is trusted.`,
        { kind: "config" },
      );
    if (u.protocol !== "http:" && u.protocol !== "https:")
      throw new MatomoError(`Matomo instance '${this.settings.instanceId}': the URL must be http(s), not ${u.protocol}`, { kind: "config" });
  }

  /** Sends one API call (with retries) and returns its JSON answer, strings decoded. */
  async request(method: string, fields: readonly FormField[], ctx: RequestContext): Promise<unknown> {
    if (this.fatal) throw this.fatal;
    this.checkEndpoint();
    if (this.token === undefined) this.token = this.settings.readToken();
    const url = `${this.where()}?module=API&method=${encodeURIComponent(method)}&format=JSON`;
    const body = encodeForm([["token_auth", this.token], ...fields]);
    const attempts = this.settings.retries + 1;
    for (let attempt = 1; ; attempt++) {
      if (this.fatal) throw this.fatal;
      const result = await this.limiter.run(() => this.attempt(url, body, ctx));
      if (!("failure" in result)) return result.value;
      const { error, retry, waitMs } = result.failure;
      if (error.fatal) {
        this.fatal = error;
        throw error;
      }
      const allowed = retry === "not-executed" || (retry === "if-retry-safe" && ctx.retrySafe);
      if (!allowed || attempt >= attempts) {
        // A write that got no usable answer may still have run: say so, and let the caller check.
        if (!ctx.retrySafe && (retry === "if-retry-safe" || error.kind === "malformed"))
          throw new MatomoError(`${error.message}. The request may or may not have been executed; it was not sent again.`, {
            kind: error.kind,
            call: ctx.call,
            site: ctx.site,
            status: error.status,
            outcomeUnknown: true,
          });
        if (retry !== "never" && attempts > 1) throw new MatomoError(`${error.message} (gave up after ${attempt} attempts)`, { kind: error.kind, call: ctx.call, site: ctx.site, status: error.status, outcomeUnknown: error.outcomeUnknown });
        throw error;
      }
      if (waitMs !== undefined && waitMs > this.settings.maxRetryAfterMs)
        throw new MatomoError(`${error.message}; the server asked to wait ${Math.ceil(waitMs / 1000)} s, longer than Exempt waits. Try again later.`, { kind: error.kind, call: ctx.call, site: ctx.site, status: error.status });
      const delay = waitMs ?? this.backoff(attempt);
      this.settings.log(`${this.prefix(ctx)}: ${shortReason(error)}; retrying in ${delay} ms (attempt ${attempt + 1} of ${attempts})`);
      await sleep(delay);
    }
  }

  private backoff(attempt: number): number {
    const base = this.settings.backoffBaseMs * 2 ** (attempt - 1);
    // Full jitter around the step keeps many clients (or chunks) from retrying in lockstep.
    return Math.round(Math.min(base * (0.5 + Math.random()), 30_000));
  }

  private async attempt(url: string, body: string, ctx: RequestContext): Promise<{ value: unknown } | { failure: AttemptFailure }> {
    const sent = Buffer.byteLength(body);
    this.traffic.requests++;
    this.traffic.bytesSent += sent + url.length + 160; // request line and the headers below, roughly
    let response: AxiosResponse<Buffer>;
    try {
      response = await this.http.post<Buffer>(url, body, {
        headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", Accept: "application/json" },
        timeout: this.settings.timeoutMs,
        // The socket timeout above only fires on silence; this bounds the whole exchange.
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (err) {
      return { failure: this.networkFailure(err, ctx) };
    }
    const raw = Buffer.isBuffer(response.data) ? response.data : Buffer.from(response.data ?? "");
    this.traffic.bytesReceived += raw.length + headerBytes(response.headers);
    const outcome = this.interpret(response.status, response.headers, raw, ctx);
    return "error" in outcome ? { failure: outcome } : outcome;
  }

  private networkFailure(err: unknown, ctx: RequestContext): AttemptFailure {
    // Only the code and a fixed text are kept: the axios error's config holds the token.
    const code = typeof (err as { code?: unknown })?.code === "string" ? (err as { code: string }).code : "";
    const causeCode = typeof (err as { cause?: { code?: unknown } })?.cause?.code === "string" ? String((err as { cause: { code: string } }).cause.code) : "";
    const c = code === "ERR_CANCELED" || code === "ECONNABORTED" ? code : causeCode || code;
    const prefix = this.prefix(ctx);
    const where = `POST ${this.where()}`;
    if (TLS_ERROR_CODES.has(c) || TLS_ERROR_CODES.has(code))
      return {
        error: new MatomoError(
          `${prefix}: ${where}: the TLS certificate was not accepted (${c || code}). Exempt never turns verification off; for an internal certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file.`,
          { kind: "config", call: ctx.call, site: ctx.site },
        ),
        retry: "never",
      };
    if (c === "ENOTFOUND")
      return { error: new MatomoError(`${prefix}: ${where}: the host name does not resolve (ENOTFOUND); check the instance url`, { kind: "transport", call: ctx.call, site: ctx.site }), retry: "never" };
    if (c === "ECONNABORTED" || c === "ERR_CANCELED" || c === "ETIMEDOUT" || c === "ESOCKETTIMEDOUT")
      return { error: new MatomoError(`${prefix}: ${where}: no answer within ${this.settings.timeoutMs} ms (timeout)`, { kind: "transport", call: ctx.call, site: ctx.site }), retry: "if-retry-safe" };
    if (NOT_CONNECTED_CODES.has(c))
      return { error: new MatomoError(`${prefix}: ${where}: connection refused (${c})`, { kind: "transport", call: ctx.call, site: ctx.site }), retry: "not-executed" };
    if (TRANSIENT_CODES.has(c) || !c)
      return { error: new MatomoError(`${prefix}: ${where}: the connection was dropped before an answer came (${c || "socket closed"})`, { kind: "transport", call: ctx.call, site: ctx.site }), retry: "if-retry-safe" };
    return { error: new MatomoError(`${prefix}: ${where}: network error ${c}`, { kind: "transport", call: ctx.call, site: ctx.site }), retry: "if-retry-safe" };
  }

  private interpret(status: number, headers: AxiosResponse["headers"], raw: Buffer, ctx: RequestContext): { value: unknown } | AttemptFailure {
    const prefix = this.prefix(ctx);
    const contentType = String(headers?.["content-type"] ?? "");
    const text = raw.toString("utf8");
    const parsed = parseJson(text);
    const apiMessage = errorMessageOf(parsed.ok ? parsed.value : undefined);
    const env = `$${this.settings.tokenEnv}`;

    if (status === 401) {
      const msg = apiMessage ?? "";
      if (!msg || /unable to authenticate|token/i.test(msg))
        return {
          error: new MatomoError(
            `${prefix}: the token in ${env} was refused by Matomo (HTTP 401${msg ? `: ${msg}` : ""}). It was not retried: Matomo locks a client out after 20 failed logins. Check ${env} (an app-specific token of a superuser).`,
            { kind: "auth", call: ctx.call, site: ctx.site, status, matomoMessage: msg || undefined },
          ),
          retry: "never",
        };
      return {
        error: new MatomoError(`${prefix}: the token in ${env} lacks the access this call needs (HTTP 401: ${msg}). Exempt needs a superuser's token.`, {
          kind: "forbidden",
          call: ctx.call,
          site: ctx.site,
          status,
          matomoMessage: msg,
        }),
        retry: "never",
      };
    }
    if ((apiMessage !== undefined || status >= 400) && /too many failed logins/i.test(apiMessage ?? text.slice(0, 4000)))
      return {
        error: new MatomoError(
          `${prefix}: Matomo has locked this client out after too many failed logins (HTTP ${status}). Nothing was retried. Wait for the block to expire (60 minutes by default) or ask an administrator to clear it, and check the token in ${env} first.`,
          { kind: "lockout", call: ctx.call, site: ctx.site, status, matomoMessage: apiMessage },
        ),
        retry: "never",
      };
    if (status === 403)
      return { error: new MatomoError(`${prefix}: Matomo refused the login (HTTP 403${apiMessage ? `: ${apiMessage}` : ""})`, { kind: "forbidden", call: ctx.call, site: ctx.site, status }), retry: "never" };
    if (status === 429) {
      return {
        error: new MatomoError(`${prefix}: rate limited (HTTP 429)`, { kind: "transport", call: ctx.call, site: ctx.site, status }),
        retry: "not-executed",
        waitMs: retryAfterMs(headers?.["retry-after"]),
      };
    }
    if (status >= 500)
      return {
        error: new MatomoError(`${prefix}: POST ${this.where()} answered HTTP ${status}${apiMessage ? `: ${apiMessage}` : ""}`, { kind: "transport", call: ctx.call, site: ctx.site, status, matomoMessage: apiMessage }),
        retry: "if-retry-safe",
      };
    if (status >= 300 && status < 400) {
      const location = safeLocation(headers?.location, this.endpoint);
      return {
        error: new MatomoError(`${prefix}: POST ${this.where()} answered a redirect (HTTP ${status}${location ? ` to ${location}` : ""}); set the instance url to the address Matomo is served from`, {
          kind: "config",
          call: ctx.call,
          site: ctx.site,
          status,
        }),
        retry: "never",
      };
    }
    if (status !== 200 && apiMessage === undefined)
      return {
        error: new MatomoError(`${prefix}: POST ${this.where()} answered HTTP ${status} (${describeBody(contentType, text)}); is ${this.baseUrl} a Matomo?`, { kind: "malformed", call: ctx.call, site: ctx.site, status }),
        retry: "never",
      };
    if (!parsed.ok)
      return {
        error: new MatomoError(`${prefix}: the answer is not valid JSON (${describeBody(contentType, text)})${/html/i.test(contentType) || /^\s*</.test(text) ? `; is ${this.baseUrl} the Matomo base URL?` : ""}`, {
          kind: "malformed",
          call: ctx.call,
          site: ctx.site,
          status,
        }),
        retry: "never",
      };
    if (apiMessage !== undefined)
      return { error: new MatomoError(`${prefix}: Matomo said: ${apiMessage}`, { kind: "api", call: ctx.call, site: ctx.site, status, matomoMessage: apiMessage }), retry: "never" };
    // An answer whose text has no `&` (nor its JSON escape) holds no entity to decode: the walk over
    // megabytes of a fleet's answers is skipped.
    return { value: text.indexOf("&") < 0 && text.indexOf("\\u0026") < 0 ? parsed.value : decodeEntitiesDeep(parsed.value) };
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Matomo's error shape: `{"result":"error","message":"..."}`, message HTML-escaped. */
export function errorMessageOf(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const v = value as { result?: unknown; message?: unknown };
  if (v.result !== "error") return undefined;
  return decodeHtmlEntities(typeof v.message === "string" ? v.message : "(no message)");
}

/** A short, safe description of an unexpected body: its type, size and, for HTML, its title. */
function describeBody(contentType: string, text: string): string {
  const type = contentType.split(";")[0].trim() || "no content type";
  const size = `${Buffer.byteLength(text)} bytes`;
  if (text.length === 0) return `${type}, empty body`;
  const title = /<title[^>]*>([^<]{0,120})<\/title>/i.exec(text)?.[1];
  if (title) return `${type}, ${size}, an HTML page titled "${redactSecrets(decodeHtmlEntities(title.trim()))}"`;
  if (/^\s*</.test(text)) return `${type}, ${size}, markup instead of JSON`;
  if (/^\s*[[{]/.test(text)) return `${type}, ${size}, JSON cut short or damaged`;
  const start = text.replace(/\s+/g, " ").trim().slice(0, 80);
  return `${type}, ${size}, starting "${redactSecrets(start)}"`;
}

function retryAfterMs(header: unknown): number | undefined {
  if (header === undefined || header === null) return undefined;
  const value = String(header).trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(parseFloat(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function safeLocation(location: unknown, base: URL): string | undefined {
  if (typeof location !== "string") return undefined;
  try {
    const u = new URL(location, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return undefined;
  }
}

function headerBytes(headers: AxiosResponse["headers"]): number {
  let n = 17;
  for (const [k, v] of Object.entries(headers ?? {})) n += k.length + String(v).length + 4;
  return n;
}

function shortReason(error: MatomoError): string {
  if (error.status) return `HTTP ${error.status}`;
  const m = /\(([A-Z_]+|timeout|socket closed)\)/.exec(error.message);
  return m ? m[1] : "transient failure";
}
