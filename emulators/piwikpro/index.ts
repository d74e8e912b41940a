import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingHttpHeaders } from "node:http";
import { EmulatorRequest, EmulatorResponse, EmulatorServer, startEmulatorServer } from "../common/http";
import type { FaultKind, FaultSettings } from "../common/faults";
import { TokenIssuer } from "./auth";
import { rateLimited, serverError } from "./errors";
import { newId } from "./ids";
import { PiwikProStateView, stateView } from "./inspect";
import { mediaType } from "./jsonapi";
import { dispatch, operationOf, serviceOf } from "./router";
import type { PiwikProState, User } from "./state";
import { initialGlobalSettings } from "./tracker-settings";

export type { PiwikProStateView, TagView } from "./inspect";

export interface PiwikProEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  clientId: string;
  clientSecret: string;
  faults?: Partial<FaultSettings>;
  /**
   * Default 1800, as the product. `expires_in` reports the real lifetime, so any other value breaks
   * the contract (the documents pin it to 1800): to test expiry, prefer `now` or `expireAllTokens()`.
   */
  tokenTtlSeconds?: number;
  /** The emulator's clock (milliseconds), so tests can expire tokens without waiting. */
  now?: () => number;
  /**
   * How many polls of `GET …/operations/{id}` see a publish unfinished. Default 2: the first poll
   * sees `created`, the second `started`, the third `completed` (or `failed`). 0 completes at once.
   */
  operationSteps?: number;
  /** Sees every request the emulator answered and its answer (the contract tests validate them). */
  onExchange?: (exchange: PiwikProExchange) => void;
  /** The organization (account) name, in tokens and app/user attributes. Default `default`. */
  organization?: string;
  /** E-mail of the owner the API credentials belong to. Default `owner@example.com`. */
  ownerEmail?: string;
  /** How many apps the account may hold before `POST /api/apps/v2` answers 409. Default unlimited. */
  maxApps?: number;
}

export interface PiwikProExchange {
  method: string;
  path: string;
  rawQuery: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: string;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
  /** Set when the fault layer answered (429 or 5xx) instead of the product logic. */
  fault?: FaultKind;
}

export interface PiwikProCall {
  method: string;
  path: string;
  /** The raw query string, when there is one. */
  query?: string;
  /** The parsed request body (JSON or form), when there is one; `client_secret` is masked. */
  body?: unknown;
}

export interface PiwikProEmulator extends EmulatorServer {
  /** Requests the emulator processed, in order (answers of the fault layer are not in it). */
  readonly calls: readonly PiwikProCall[];
  resetCalls(): void;
  /** Every token issued so far is rejected from now on, as once its 30 minutes are over. */
  expireAllTokens(): void;
  /** The next `count` publish operations (default 1) end `failed` instead of `completed`. */
  failOperations(count?: number): void;
  readonly state: PiwikProStateView;
  readonly clientId: string;
}

/**
 * Starts an emulator of the Piwik PRO APIs Exempt uses, written from the published OpenAPI
 * documents in ../../../shared/contracts/piwikpro/openapi (see ./README.md for what is emulated and
 * every choice the documents left open).
 */
export async function startPiwikProEmulator(options: PiwikProEmulatorOptions): Promise<PiwikProEmulator> {
  const now = options.now ?? Date.now;
  const organization = options.organization ?? "default";
  const owner: User = { id: newId(), email: options.ownerEmail ?? "owner@example.com", role: "OWNER", language: "en-US", addedAt: now() };
  const state: PiwikProState = {
    organization,
    owner,
    apps: new Map(),
    trackerGlobal: initialGlobalSettings(),
    trackerGlobalUpdatedAt: now(),
    trackerOverrides: new Map(),
    tags: new Map(),
    containers: new Map(),
    operations: new Map(),
    users: new Map([[owner.id, owner]]),
    permissions: new Map(),
    maxApps: options.maxApps ?? Number.POSITIVE_INFINITY,
    operationSteps: Math.max(0, options.operationSteps ?? 2),
    failNextOperations: 0,
  };
  const tokens = new TokenIssuer({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    ttlSeconds: options.tokenTtlSeconds ?? 1800,
    now,
    organization,
    owner,
  });
  const calls: PiwikProCall[] = [];
  // The fault layer's body builders are not given the request; this carries it to them, so that a
  // 429 or 5xx is written in the dialect of the service that was called.
  const current = new AsyncLocalStorage<EmulatorRequest>();
  let baseUrl = "";

  const report = (req: EmulatorRequest, res: EmulatorResponse, fault?: FaultKind) => {
    if (!options.onExchange) return;
    const exchange: PiwikProExchange = {
      method: req.method,
      path: req.path,
      rawQuery: req.rawQuery,
      requestHeaders: req.headers,
      requestBody: req.body.toString("utf8"),
      status: res.status,
      responseHeaders: { ...(res.headers ?? {}) },
      responseBody: res.body === undefined ? "" : res.body.toString(),
      ...(fault ? { fault } : {}),
    };
    try {
      options.onExchange(exchange);
    } catch (err) {
      // An observer's bug must not turn into a wrong answer from the emulator; it is still reported.
      console.error(`piwikpro emulator: onExchange failed for ${req.method} ${req.path}:`, err);
    }
  };

  const server = await startEmulatorServer({
    port: options.port,
    host: options.host,
    faults: options.faults,
    operationOf(req) {
      current.enterWith(req);
      return operationOf(req);
    },
    handle(req) {
      calls.push(callOf(req));
      const response = dispatch(req, { state, tokens, now, fallbackBaseUrl: baseUrl });
      report(req, response);
      return response;
    },
    serverErrorBody(status) {
      const req = current.getStore();
      const response = serverError(req ? serviceOf(req.path) : "apps", status, organization);
      if (req) report(req, response, "error");
      return response;
    },
    rateLimitBody(retryAfterSeconds) {
      const req = current.getStore();
      const response = rateLimited(req ? serviceOf(req.path) : "apps", retryAfterSeconds);
      if (req) report(req, response, "rate-limit");
      return response;
    },
  });
  baseUrl = server.url;

  return {
    ...server,
    calls,
    resetCalls: () => void calls.splice(0),
    expireAllTokens: () => tokens.expireAll(),
    failOperations(count = 1) {
      state.failNextOperations += count;
    },
    state: stateView(state),
    clientId: options.clientId,
  };
}

function callOf(req: EmulatorRequest): PiwikProCall {
  const call: PiwikProCall = { method: req.method, path: req.path };
  if (req.rawQuery) call.query = req.rawQuery;
  if (req.body.length === 0) return call;
  const text = req.body.toString("utf8");
  const type = mediaType(req.headers["content-type"]);
  let body: unknown = text;
  if (type === "application/x-www-form-urlencoded") body = Object.fromEntries(new URLSearchParams(text));
  else {
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text: an unreadable body is part of what the test may want to see
    }
  }
  if (typeof body === "object" && body !== null && "client_secret" in body) body = { ...body, client_secret: "***" };
  call.body = body;
  return call;
}
