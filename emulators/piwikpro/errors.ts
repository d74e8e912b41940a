import type { EmulatorResponse } from "../common/http";

/**
 * Piwik PRO answers errors in several dialects depending on which service handles the request
 * (see ../../../shared/contracts/piwikpro-api.md §1.3, §1.4 and §8). Each service routes its
 * failures through the dialect it is documented to use, so a client that only understands one
 * shape breaks here exactly as it would against the product.
 */
export type Service = "auth" | "apps" | "users" | "tracker" | "access-control" | "tag-manager";

export const JSON_API = "application/vnd.api+json";

/** A handler stops with the answer the product would give; the router sends it as is. */
export class Refusal extends Error {
  constructor(readonly response: EmulatorResponse) {
    super(`refused with ${response.status}`);
  }
}

export function refuse(response: EmulatorResponse): never {
  throw new Refusal(response);
}

function json(status: number, contentType: string, body: unknown): EmulatorResponse {
  return { status, headers: { "Content-Type": contentType }, body: JSON.stringify(body) };
}

// ---- platform services (apps, users, tracker settings, access control): JSON:API error objects

export interface PlatformError {
  /** Defaults to the HTTP status of the answer; the documents write it as a string. */
  status?: string;
  code: string;
  title: string;
  detail?: string;
  source?: { pointer?: string; parameter?: string };
}

export function platformErrors(status: number, errors: PlatformError[]): EmulatorResponse {
  return json(status, JSON_API, { errors: errors.map((e) => ({ status: e.status ?? String(status), ...e })) });
}

export function invalidForm(detail: string, pointer: string, code = "error.default"): PlatformError {
  return { code, title: "Invalid form", detail, source: { pointer } };
}

// ---- Tag Manager: code/detail/source/meta, no status and no title

export interface TagManagerError {
  code: string;
  detail: string;
  source?: { pointer?: string; parameter?: string };
  meta?: { keyword: string; keyword_args: Record<string, unknown> };
}

export function tagManagerErrors(status: number, errors: TagManagerError[]): EmulatorResponse {
  return json(status, JSON_API, { errors });
}

// ---- the token endpoint: plain OAuth 2 JSON

export function oauthError(status: number, body: Record<string, string>): EmulatorResponse {
  return json(status, "application/json", body);
}

// ---- authentication failures, one dialect per service

export type TokenProblem = "missing" | "invalid" | "expired";

/**
 * UNCONFIRMED which message goes with which failure: Piwik PRO's getting-started FAQ lists "JWT not
 * found", "Expired JWT Token" and "access token not authorized" as the platform's 401 messages, and
 * the tracker documents declare `{"error": "access token not authorized"}`. The emulator uses the
 * FAQ message that names the failure.
 */
const BARE_MESSAGES: Record<TokenProblem, string> = {
  missing: "JWT not found",
  expired: "Expired JWT Token",
  invalid: "access token not authorized",
};

export function unauthorized(service: Service, problem: TokenProblem): EmulatorResponse {
  switch (service) {
    case "tag-manager":
      return tagManagerErrors(401, [{ code: "UNAUTHORIZED_ERROR", detail: "Access token not authorized" }]);
    case "access-control":
      // The access-control documents declare their own 401 body, `{"message": …}`.
      return json(401, "application/json", { message: "Unauthorized" });
    case "tracker":
      if (problem === "missing") {
        // UNCONFIRMED: the tracker documents declare both a 401 and this 403; the 403's wording
        // ("credentials were not provided") fits a request without any token.
        return platformErrors(403, [{ code: "not_authenticated", title: "Authentication credentials were not provided." }]);
      }
      return json(401, "application/json", { error: BARE_MESSAGES[problem] });
    default:
      return json(401, "application/json", { error: BARE_MESSAGES[problem] });
  }
}

// ---- JSON:API content-type refusals

/**
 * The platform message comes from the users documents ("JsonApi"); Tag Manager documents none, so
 * it gets the getting-started FAQ's wording in its own dialect. The status is 400 in both
 * (UNCONFIRMED for Tag Manager; the FAQ left 400 or 415 open, the users documents say 400).
 */
export function wrongContentType(service: Service, received: string): EmulatorResponse {
  if (service === "tag-manager") {
    return tagManagerErrors(400, [
      { code: "INVALID_JSON_ERROR", detail: `"${received}" is not a valid JSON API Content-Type header, use "${JSON_API}" instead` },
    ]);
  }
  return platformErrors(400, [
    { code: "error.json-api-content-type", title: `"${received}" is not a valid JsonApi Content-Type header, use "${JSON_API}" instead` },
  ]);
}

export function unreadableBody(service: Service): EmulatorResponse {
  if (service === "tag-manager") return tagManagerErrors(400, [{ code: "INVALID_JSON_ERROR", detail: "Request body is not a valid JSON document" }]);
  return platformErrors(400, [{ code: "error.default", title: "Invalid jsonapi message received" }]);
}

// ---- answers injected by the fault layer

/**
 * No Piwik PRO document declares a 429 (UNCONFIRMED that the product sends one, and with which
 * body); the emulator answers in the dialect of the service, with `Retry-After`.
 */
export function rateLimited(service: Service, retryAfterSeconds: number): EmulatorResponse {
  const headers = { "Retry-After": String(retryAfterSeconds) };
  let answer: EmulatorResponse;
  if (service === "tag-manager") answer = tagManagerErrors(429, [{ code: "TOO_MANY_REQUESTS", detail: "Too many requests" }]);
  else if (service === "auth") answer = oauthError(429, { error: "too_many_requests", message: "Too many requests" });
  else answer = platformErrors(429, [{ code: "error.too-many-requests", title: "Too Many Requests" }]);
  return { ...answer, headers: { ...answer.headers, ...headers } };
}

/**
 * Tag Manager documents its 500 and 503 bodies; a 502 comes from the load balancer in front of
 * every service (UNCONFIRMED: an HTML page, as gateways write them); the platform documents no 5xx
 * body, so it gets its JSON:API dialect (UNCONFIRMED).
 */
export function serverError(service: Service, status: number, organization: string): EmulatorResponse {
  if (status === 502) {
    return { status, headers: { "Content-Type": "text/html" }, body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>" };
  }
  if (service === "tag-manager") {
    return status === 503
      ? tagManagerErrors(503, [{ code: "SERVICE_UNAVAILABLE", detail: `Maintenance mode enabled for organization (organization: ${organization})` }])
      : tagManagerErrors(status, [{ code: "INTERNAL_SERVER_ERROR", detail: "Internal server error" }]);
  }
  if (service === "auth") return oauthError(status, { error: "server_error", message: "The authorization server encountered an unexpected condition." });
  return platformErrors(status, [{ code: "error.default", title: status === 503 ? "Service Unavailable" : "Internal Server Error" }]);
}
