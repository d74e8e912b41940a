/**
 * One HTTP request through the emulated Matomo front controller: parse what PHP would parse,
 * send non-API requests to the (emulated) UI error page, authenticate, give list results the
 * default 100-row limit, run the method, render. Also keeps the log of API calls tests read.
 */
import type { EmulatorRequest, EmulatorResponse } from "../common/http";
import { CallContext, Module, bindArgs, resolveMethod } from "./api";
import { Caller, authenticate } from "./auth";
import { apiModule } from "./bulk";
import { ApiError } from "./errors";
import { DEFAULT_FILTER_LIMIT, OutputFormat, RenderedBody, applyListFilters, jsonAnswerValue, jsonErrorValue, outputFormatOf, phpJsonEncode, renderError, renderValue } from "./format";
import { HTML_CONTENT_TYPE, HTML_ERROR_HEADERS, SUPERUSER_WIDGET_MESSAGE, errorPage } from "./html";
import { PhpArray, htmlSpecialChars, phpToPlain } from "./php";
import { privacyManager } from "./privacy";
import { MAX_BODY_VARS, MAX_QUERY_VARS, mergeGetPost, parsePhpQuery, scalarParam } from "./request";
import { sitesManager } from "./sites";
import type { MatomoState } from "./state";
import { tagManager } from "./tagmanager";
import { usersManager } from "./users";

export const MODULES: Record<string, Module> = {
  API: apiModule,
  SitesManager: sitesManager,
  UsersManager: usersManager,
  PrivacyManager: privacyManager,
  TagManager: tagManager,
};

/** One API method run, as tests see it. Bulk sub-requests appear one by one, with `viaBulk`. */
export interface MatomoCallRecord {
  /** "Module.method", e.g. "SitesManager.updateSite". */
  method: string;
  /** The parameters as parsed (arrays as lists or objects), without module/method/format and without secrets. */
  params: Record<string, unknown>;
  viaBulk: boolean;
  /** Index (from 1) of the HTTP request it came in, counting the requests the emulator processed (not those a fault answered). */
  httpRequest: number;
  /** The caller's login ("anonymous" without token). */
  login: string;
  /** The error message, when the method failed. */
  error?: string;
}

const HIDDEN_PARAMS = new Set(["module", "method", "format", "token_auth", "passwordConfirmation", "password", "force_api_session"]);

function recordedParams(params: PhpArray): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of params) if (!HIDDEN_PARAMS.has(k)) out[k] = phpToPlain(v);
  return out;
}

function isFormBody(req: EmulatorRequest): boolean {
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  return req.method === "POST" && type.startsWith("application/x-www-form-urlencoded");
}

function requestId(): string {
  return Math.floor(Math.random() * 0x100000).toString(16).padStart(5, "0");
}

export interface DispatcherOptions {
  testEndpoints: boolean;
}

export class MatomoDispatcher {
  readonly calls: MatomoCallRecord[] = [];
  private httpRequests = 0;

  constructor(
    readonly state: MatomoState,
    private readonly options: DispatcherOptions,
  ) {}

  /** The operation name faults are keyed on: the API method, as cheaply as possible. */
  operationOf(req: EmulatorRequest): string {
    const fromQuery = new URLSearchParams(req.rawQuery).get("method");
    const body = req.body.length > 0 ? new URLSearchParams(req.body.toString("utf8")) : undefined;
    const method = fromQuery ?? body?.get("method") ?? req.path;
    if (method !== "API.getBulkRequest" || !body) return method;
    // A bulk request is named after the methods it carries, so that a fault can target "the
    // request that creates sites" whether the client batches it or not.
    const inner = new Set<string>();
    for (const [key, value] of body) if (key.startsWith("urls[")) inner.add(new URLSearchParams(value).get("method") ?? "");
    return `API.getBulkRequest(${[...inner].join(",")})`;
  }

  async handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    const httpRequest = ++this.httpRequests;
    if (req.path === "/__emulator__/options") return this.optionsEndpoint(req);
    // Matomo may live under a path (https://example.org/matomo/index.php).
    if (!req.path.endsWith("/") && !req.path.endsWith("/index.php")) {
      return { status: 404, headers: { "Content-Type": HTML_CONTENT_TYPE }, body: "<html><body><h1>Not Found</h1></body></html>" };
    }
    const get = parsePhpQuery(req.rawQuery, MAX_QUERY_VARS).values;
    const post = isFormBody(req) ? parsePhpQuery(req.body.toString("utf8"), MAX_BODY_VARS).values : new Map();
    const params = mergeGetPost(get, post);
    const baseHeaders: Record<string, string> = { "X-Matomo-Request-Id": requestId() };
    const format = outputFormatOf(scalarParam(params, "format"), scalarParam(params, "callback") ?? scalarParam(params, "jsoncallback"));

    const caller = authenticate(this.state, { query: scalarParam(get, "token_auth"), body: scalarParam(post, "token_auth") }, req.remoteAddress);
    if (scalarParam(params, "module") !== "API") return this.uiRequest(caller, params, baseHeaders);
    if (caller instanceof ApiError) {
      // Only a query string with module=API makes Matomo render an authentication error in API format.
      if (scalarParam(get, "module") !== "API") return this.htmlError(caller.status, htmlSpecialChars(caller.message), baseHeaders);
      return this.send(renderError(caller.message, caller.status, format), baseHeaders);
    }
    const effective = new Map(params);
    if (!effective.has("filter_limit")) effective.set("filter_limit", DEFAULT_FILTER_LIMIT);
    const responseHeaders: Record<string, string> = {};
    const outcome = await this.run(effective, params, caller, false, httpRequest, req.remoteAddress, responseHeaders);
    const rendered = outcome.ok ? renderValue(outcome.value, format) : renderError(outcome.error.message, outcome.error.status, format);
    return this.send(rendered, { ...baseHeaders, ...responseHeaders });
  }

  /**
   * Runs one API call. `effective` drives behaviour (it carries the default row limit);
   * `client` is what the client sent, for the call log.
   */
  private async run(
    effective: PhpArray,
    client: PhpArray,
    caller: Caller,
    viaBulk: boolean,
    httpRequest: number,
    clientIp: string,
    responseHeaders: Record<string, string>,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: ApiError }> {
    let record: MatomoCallRecord | undefined;
    try {
      const methodName = scalarParam(effective, "method");
      const resolved = resolveMethod(MODULES, methodName === undefined ? undefined : methodName.trim());
      // The bulk call itself is not logged: its sub-requests are, one by one (the log is flat).
      if (!(resolved.module === "API" && resolved.name === "getBulkRequest")) {
        record = { method: `${resolved.module}.${resolved.name}`, params: recordedParams(client), viaBulk, httpRequest, login: caller.login };
        this.calls.push(record);
      }
      const args = bindArgs(resolved.spec, effective);
      const ctx: CallContext = {
        state: this.state,
        caller,
        params: effective,
        viaBulk,
        clientIp,
        responseHeaders,
        runSubRequest: (own) => this.runSubRequest(own, effective, client, caller, httpRequest, clientIp, responseHeaders),
      };
      const value = await resolved.spec.run(ctx, args);
      const filtered = applyListFilters(value, {
        filterLimit: scalarParam(effective, "filter_limit"),
        filterOffset: scalarParam(effective, "filter_offset"),
        filterPattern: scalarParam(effective, "filter_pattern"),
        filterColumn: effective.get("filter_column"),
      });
      return { ok: true, value: filtered };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (record) record.error = err.message;
      return { ok: false, error: err };
    }
  }

  /** A bulk sub-request: its answer is what its own JSON rendering decodes to. */
  private async runSubRequest(
    own: PhpArray,
    outerEffective: PhpArray,
    outerClient: PhpArray,
    caller: Caller,
    httpRequest: number,
    clientIp: string,
    responseHeaders: Record<string, string>,
  ): Promise<unknown> {
    const inherit = (from: PhpArray) => {
      const merged = new Map(own);
      for (const [k, v] of from) if (k !== "urls" && !merged.has(k)) merged.set(k, v);
      return merged;
    };
    const outcome = await this.run(inherit(outerEffective), inherit(outerClient), caller, true, httpRequest, clientIp, responseHeaders);
    // What the JSON rendering decodes to, built without writing and parsing the text (format.ts).
    return outcome.ok ? jsonAnswerValue(outcome.value) : jsonErrorValue(outcome.error.message);
  }

  /** Requests without module=API reach Matomo's UI controllers, which the emulator does not have. */
  private uiRequest(caller: Caller | ApiError, params: PhpArray, headers: Record<string, string>): EmulatorResponse {
    if (caller instanceof ApiError) return this.htmlError(caller.status, htmlSpecialChars(caller.message), headers);
    if (caller.superuser && scalarParam(params, "token_auth")) return this.htmlError(500, SUPERUSER_WIDGET_MESSAGE, headers);
    return this.htmlError(500, "The Matomo emulator answers only API requests (index.php?module=API&amp;method=...).", headers);
  }

  private htmlError(status: number, messageHtml: string, headers: Record<string, string>): EmulatorResponse {
    const base = this.state.matomoUrl.startsWith("//") ? `http:${this.state.matomoUrl}` : this.state.matomoUrl;
    return { status, headers: { ...headers, "Content-Type": HTML_CONTENT_TYPE, ...HTML_ERROR_HEADERS }, body: errorPage(base, messageHtml) };
  }

  private send(r: RenderedBody, headers: Record<string, string>): EmulatorResponse {
    return { status: r.status, headers: { ...headers, "Content-Type": r.contentType }, body: r.body };
  }

  /**
   * TEST-ONLY: the stored privacy `option` rows, which the real API cannot read back. Exempt's
   * engine and clients must never call this; it exists so tests can check what a setter wrote.
   */
  private async optionsEndpoint(req: EmulatorRequest): Promise<EmulatorResponse> {
    if (!this.options.testEndpoints || req.method !== "GET") {
      return { status: 404, headers: { "Content-Type": HTML_CONTENT_TYPE }, body: "<html><body><h1>Not Found</h1></body></html>" };
    }
    return { status: 200, headers: { "Content-Type": "application/json; charset=utf-8" }, body: phpJsonEncode(await this.state.options.all()) };
  }
}
