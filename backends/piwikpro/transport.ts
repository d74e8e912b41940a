import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import * as http from "node:http";
import * as https from "node:https";
import type { TrafficCounters } from "../../engine/types";
import type { TokenSource } from "./auth";
import { PiwikProError, type PiwikProErrorKind } from "./errors";
import { JSON_API, describeErrorBody, describeUnexpectedBody, isJsonMediaType, parseJson } from "./jsonapi";
import { Limiter } from "../common/limit";
import { isLoopbackHost, TLS_ERROR_CODES } from "../common/network";

export { isLoopbackHost };

/**
 * HTTP to one Piwik PRO account: bearer token, JSON:API bodies, bounded concurrency, a timeout on
 * every request, retries with exponential backoff and jitter, and every failure turned into a
 * PiwikProError that names the call (method, path, app) and nothing secret.
 *
 * Retry rules, by what is known about the request's effect:
 *  - 429 and a refused connection: the request was not executed, so anything may be sent again;
 *  - 5xx, timeouts and dropped connections: the effect is unknown, so only reads and idempotent
 *    writes are sent again; a create comes back to its caller with `outcomeUnknown`, and the
 *    caller checks whether it happened before trying again (no duplicate app or tag, ever);
 *  - 401: the token is renewed once and the call sent again; a second 401 stops everything;
 *  - any other 4xx: never (it would fail the same way).
 */
export type Method = "GET" | "POST" | "PATCH" | "DELETE";

export interface Call {
  method: Method;
  /** The path below the instance URL, e.g. `/api/apps/v2/{id}` with the id filled in. */
  path: string;
  /** Query parameters in order; names may carry brackets (`page[limit]`). */
  query?: ReadonlyArray<readonly [string, string | number]>;
  /** A JSON:API document, or for the token call a plain JSON object. */
  body?: unknown;
  /** `safe`: a read or an idempotent write. `create`: the caller checks before sending it again. */
  retry: "safe" | "create";
  /** Whose call it is, for messages: `'www' (app 4c1e…)`. */
  app?: string;
  /** Statuses answered as values rather than errors (404 when checking whether something exists). */
  accept?: readonly number[];
  /** The token request: no bearer token, plain JSON, its own meaning of 400/401. */
  token?: boolean;
}

export interface Answer {
  status: number;
  /** The parsed JSON body; undefined for 204 and accepted errors without a body. */
  body: unknown;
}

export interface TransportSettings {
  instanceId: string;
  url: string;
  timeoutMs: number;
  retries: number;
  concurrency: number;
  allowInsecureHttp: boolean;
  /** First backoff step; doubles each retry, with jitter. */
  backoffBaseMs: number;
  /** Longest single Retry-After honoured; past it the call fails rather than hang a deploy. */
  maxRetryAfterMs: number;
  /** How many 429 answers one call may wait out (they do not use the retry budget: nothing ran). */
  maxRateLimitWaits: number;
  /** Named in messages about refused credentials; the values are never read here. */
  clientIdEnv: string;
  clientSecretEnv: string;
  log: (message: string) => void;
  sleep: (ms: number) => Promise<void>;
}

type RetryRule = "never" | "not-executed" | "unknown" | "token";

interface Failure {
  error: PiwikProError;
  retry: RetryRule;
  waitMs?: number;
}

const TIMEOUT_CODES = new Set(["ECONNABORTED", "ERR_CANCELED", "ETIMEDOUT", "ESOCKETTIMEDOUT", "UND_ERR_HEADERS_TIMEOUT"]);

export class PiwikProTransport {
  readonly traffic: TrafficCounters = { requests: 0, bytesSent: 0, bytesReceived: 0 };
  /** Answers seen per status class, for the reading's notes (429s in particular). */
  readonly seen = { rateLimited: 0, retried: 0 };
  private readonly base: URL;
  /** Origin and path prefix (on-premises installs may live below a path), without a trailing slash. */
  private readonly root: string;
  private readonly http: AxiosInstance;
  private readonly limiter: Limiter;
  private tokens?: TokenSource;
  /** After refused credentials or a refused fresh token, nothing else is sent. */
  private fatal?: PiwikProError;

  constructor(private readonly settings: TransportSettings) {
    const u = new URL(settings.url);
    u.pathname = u.pathname.replace(/\/+$/, "");
    u.search = "";
    u.hash = "";
    this.base = u;
    this.root = `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
    this.limiter = new Limiter(settings.concurrency);
    // Keep-alive sockets, one pool per account. TLS verification stays on (no `rejectUnauthorized`,
    // no `ca`): Node's store decides, and NODE_EXTRA_CA_CERTS adds an internal authority. `proxy` is
    // left to axios, which follows HTTPS_PROXY/NO_PROXY.
    this.http = axios.create({
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: settings.concurrency + 1 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: settings.concurrency + 1 }),
      maxRedirects: 0,
      responseType: "arraybuffer",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      decompress: true,
    });
  }

  useTokens(tokens: TokenSource): void {
    this.tokens = tokens;
  }

  get concurrency(): number {
    return this.settings.concurrency;
  }

  private get prefix(): string {
    return `Piwik PRO instance '${this.settings.instanceId}'`;
  }

  describe(call: Pick<Call, "method" | "path" | "app">): string {
    return `${call.method} ${call.path}${call.app ? ` for app ${call.app}` : ""}`;
  }

  private error(call: Call, message: string, kind: PiwikProErrorKind, status?: number, outcomeUnknown = false): PiwikProError {
    return new PiwikProError(`${this.prefix}: ${this.describe(call)}: ${message}`, { kind, method: call.method, path: call.path, status, app: call.app, outcomeUnknown });
  }

  private checkEndpoint(): void {
    const u = this.base;
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new PiwikProError(`${this.prefix}: the URL must be http(s), not ${u.protocol}`, { kind: "config" });
    if (u.protocol === "http:" && !isLoopbackHost(u.hostname) && !this.settings.allowInsecureHttp)
      throw new PiwikProError(
        `${this.prefix}: refusing plain http:// to ${u.host}: the client secret in $${this.settings.clientSecretEnv} and the access token would cross the network unencrypted. Use https://, or pass --allow-insecure-http if this network is trusted.`,
        { kind: "config" },
      );
  }

  async request(call: Call): Promise<Answer> {
    if (this.fatal) throw this.fatal;
    this.checkEndpoint();
    let renewed = false;
    let failures = 0;
    let rateLimitWaits = 0;
    for (;;) {
      if (this.fatal) throw this.fatal;
      const token = call.token ? undefined : await this.bearer();
      const result = await this.limiter.run(() => this.attempt(call, token));
      if ("answer" in result) return result.answer;
      const { error, retry, waitMs } = result.failure;
      if (retry === "token") {
        if (!renewed && this.tokens) {
          renewed = true;
          this.tokens.invalidate(token);
          this.settings.log(`${this.prefix}: ${this.describe(call)}: the access token was refused (HTTP 401); renewing it once`);
          continue;
        }
        this.fatal = this.error(
          call,
          `the access token was refused (${tail(error)}) even after renewing it once; nothing else is sent. Check that the user of the API credentials in $${this.settings.clientIdEnv} still exists and has access.`,
          "auth",
          401,
        );
        throw this.fatal;
      }
      if (error.fatal) {
        this.fatal = error;
        throw error;
      }
      if (retry === "never") throw error;
      if (retry === "not-executed") {
        if (waitMs !== undefined && waitMs > this.settings.maxRetryAfterMs)
          throw this.error(call, `${tail(error)}; the server asked to wait ${Math.ceil(waitMs / 1000)} s, longer than Exempt waits (${Math.round(this.settings.maxRetryAfterMs / 1000)} s). Try again later.`, "transport", error.status);
        const isRateLimit = error.status === 429;
        if (isRateLimit ? ++rateLimitWaits > this.settings.maxRateLimitWaits : ++failures > this.settings.retries)
          throw this.error(call, `${tail(error)} (gave up after ${isRateLimit ? rateLimitWaits : failures} attempts)`, "transport", error.status);
        const delay = waitMs ?? this.backoff(failures || rateLimitWaits);
        this.seen.retried++;
        this.settings.log(`${this.prefix}: ${this.describe(call)}: ${shortReason(error)}; retrying in ${delay} ms`);
        await this.settings.sleep(delay);
        continue;
      }
      // The effect is unknown from here on.
      if (call.retry === "create")
        throw this.error(call, `${tail(error)}. The request may or may not have been executed; it was not sent again blindly.`, error.kind, error.status, true);
      if (++failures > this.settings.retries) throw this.error(call, `${tail(error)} (gave up after ${failures} attempts)`, error.kind, error.status);
      const delay = this.backoff(failures);
      this.seen.retried++;
      this.settings.log(`${this.prefix}: ${this.describe(call)}: ${shortReason(error)}; retrying in ${delay} ms (attempt ${failures + 1} of ${this.settings.retries + 1})`);
      await this.settings.sleep(delay);
    }
  }

  private async bearer(): Promise<string> {
    if (!this.tokens) throw new PiwikProError(`${this.prefix}: no token source configured`, { kind: "config" });
    return this.tokens.get();
  }

  backoff(attempt: number): number {
    const step = this.settings.backoffBaseMs * 2 ** Math.max(0, attempt - 1);
    // Full jitter around the step keeps parallel calls from retrying in lockstep.
    return Math.round(Math.min(step * (0.5 + Math.random()), 10_000));
  }

  private urlOf(call: Call): string {
    const query = (call.query ?? []).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
    return `${this.root}${call.path}${query ? `?${query}` : ""}`;
  }

  private async attempt(call: Call, token: string | undefined): Promise<{ answer: Answer } | { failure: Failure }> {
    const url = this.urlOf(call);
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers: Record<string, string> = { Accept: call.token ? "application/json" : JSON_API };
    if (body !== undefined) headers["Content-Type"] = call.token ? "application/json" : JSON_API;
    // UNCONFIRMED (organization): no X-Organization header; the token's `org` claim names the
    // organization, as for Piwik PRO's own client. When the header is required is not documented.
    if (token) headers.Authorization = `Bearer ${token}`;
    this.traffic.requests++;
    this.traffic.bytesSent += (body ? Buffer.byteLength(body) : 0) + call.method.length + url.length + 12 + Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 60);
    let response: AxiosResponse<Buffer>;
    try {
      response = await this.http.request<Buffer>({
        method: call.method,
        url,
        data: body,
        headers,
        timeout: this.settings.timeoutMs,
        // The socket timeout above only fires on silence; this bounds the whole exchange.
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (err) {
      return { failure: this.networkFailure(err, call) };
    }
    const raw = Buffer.isBuffer(response.data) ? response.data : Buffer.from(response.data ?? "");
    this.traffic.bytesReceived += raw.length + headerBytes(response.headers);
    return this.interpret(call, response.status, response.headers, raw);
  }

  private networkFailure(err: unknown, call: Call): Failure {
    // Only the code is kept: the axios error's config holds the token, and the secret on /auth/token.
    const code = typeof (err as { code?: unknown })?.code === "string" ? (err as { code: string }).code : "";
    const causeCode = typeof (err as { cause?: { code?: unknown } })?.cause?.code === "string" ? String((err as { cause: { code: string } }).cause.code) : "";
    const c = TIMEOUT_CODES.has(code) ? code : causeCode || code;
    if (TLS_ERROR_CODES.has(c) || TLS_ERROR_CODES.has(code))
      return {
        error: this.error(call, `the TLS certificate of ${this.base.host} was not accepted (${c || code}). Exempt never turns verification off; for an internal certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file.`, "config"),
        retry: "never",
      };
    if (c === "ENOTFOUND") return { error: this.error(call, `the host name ${this.base.hostname} does not resolve (ENOTFOUND); check the instance url`, "transport"), retry: "never" };
    if (TIMEOUT_CODES.has(c)) return { error: this.error(call, `no answer within ${this.settings.timeoutMs} ms (timeout)`, "transport"), retry: "unknown" };
    if (c === "ECONNREFUSED") return { error: this.error(call, `connection refused (ECONNREFUSED)`, "transport"), retry: "not-executed" };
    return { error: this.error(call, `the connection was dropped before an answer came (${c || "socket closed"})`, "transport"), retry: "unknown" };
  }

  private interpret(call: Call, status: number, headers: AxiosResponse["headers"], raw: Buffer): { answer: Answer } | { failure: Failure } {
    const contentType = String(headers?.["content-type"] ?? "");
    const text = raw.toString("utf8");
    const parsed = text.length > 0 ? parseJson(text) : ({ ok: true, value: undefined } as const);
    const said = parsed.ok ? describeErrorBody(parsed.value) : undefined;
    const what = said ?? (text.length ? describeUnexpectedBody(contentType, text) : "no body");
    const fail = (message: string, kind: PiwikProErrorKind, retry: RetryRule, waitMs?: number): { failure: Failure } => ({ failure: { error: this.error(call, message, kind, status), retry, waitMs } });

    if (status >= 200 && status < 300) {
      if (status === 204 || (status === 202 && text.length === 0 && call.method === "DELETE")) return { answer: { status, body: undefined } };
      // A success without a readable JSON body: report it, never guess. A create that answers like
      // this may well have happened, so it counts as an unknown outcome for the caller to check.
      if (text.length === 0) return fail(`HTTP ${status} with an empty body, where a JSON document was expected`, "malformed", call.retry === "create" ? "unknown" : "never");
      if (!parsed.ok || (contentType && !isJsonMediaType(contentType)))
        return fail(`HTTP ${status} with an answer that is not JSON (${describeUnexpectedBody(contentType, text)})${/^\s*</.test(text) ? `; is ${this.root} the Piwik PRO account address?` : ""}`, "malformed", call.retry === "create" ? "unknown" : "never");
      return { answer: { status, body: parsed.value } };
    }
    if (call.accept?.includes(status)) return { answer: { status, body: parsed.ok ? parsed.value : undefined } };

    if (call.token) {
      if (status === 400 || status === 401)
        return fail(
          `the API client credentials in $${this.settings.clientIdEnv} and $${this.settings.clientSecretEnv} were refused (HTTP ${status}: ${what}). Not retried. Check both variables (Piwik PRO: Menu > Profile > API keys).`,
          "credentials",
          "never",
        );
      if (status === 402) return fail(`the account has no active licence (HTTP 402: ${what})`, "licence", "never");
    } else if (status === 401) {
      return fail(`HTTP 401: ${what}`, "auth", "token");
    }
    if (status === 403) return fail(`HTTP 403: ${what}. The user of the API credentials in $${this.settings.clientIdEnv} may not do this (global tracker settings and apps need an owner).`, "forbidden", "never");
    if (status === 404) return fail(`HTTP 404: ${what}`, "not-found", "never");
    if (status === 429) {
      // UNCONFIRMED (rateLimit): no Piwik PRO document declares 429 or Retry-After; when they come, they are obeyed.
      this.seen.rateLimited++;
      return fail(`rate limited (HTTP 429: ${what})`, "transport", "not-executed", retryAfterMs(headers?.["retry-after"]));
    }
    if (status === 408 || status >= 500) return fail(`HTTP ${status}: ${what}`, "transport", "unknown");
    if (status >= 300 && status < 400)
      return fail(`answered a redirect (HTTP ${status}); set the instance url to the account address itself (https://<account>.piwik.pro)`, "config", "never");
    return fail(`HTTP ${status}: ${what}`, "api", "never");
  }
}

function retryAfterMs(header: unknown): number | undefined {
  if (header === undefined || header === null) return undefined;
  const value = String(header).trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(parseFloat(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function headerBytes(headers: AxiosResponse["headers"]): number {
  let n = 17;
  for (const [k, v] of Object.entries(headers ?? {})) n += k.length + String(v).length + 4;
  return n;
}

/** The part of an error's message after the call description. */
function tail(error: PiwikProError): string {
  const marker = `${error.method} ${error.path}${error.app ? ` for app ${error.app}` : ""}: `;
  const i = error.message.indexOf(marker);
  return i >= 0 ? error.message.slice(i + marker.length) : error.message;
}

function shortReason(error: PiwikProError): string {
  if (error.status) return `HTTP ${error.status}`;
  const m = /\(([A-Z_]+|timeout|socket closed)\)/.exec(error.message);
  return m ? m[1] : "transient failure";
}
