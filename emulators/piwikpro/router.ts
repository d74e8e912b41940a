import type { EmulatorRequest, EmulatorResponse } from "../common/http";
import { createApp, deleteApp, getApp, listApps, updateApp } from "./apps";
import type { TokenIssuer } from "./auth";
import type { Context, Handler } from "./context";
import { Refusal, Service, platformErrors, tagManagerErrors, unauthorized } from "./errors";
import { listPermissions, setPermission } from "./permissions";
import { Query } from "./query";
import type { PiwikProState } from "./state";
import { createTag, deleteTag, getTag, listTags, reorderTags, updateTag } from "./tags";
import { getAppSettings, getGlobalSettings, resetAppSetting, updateAppSettings, updateGlobalSettings } from "./tracker-settings";
import { createUser, deleteUser, getUser, listUsers, updateUser } from "./users";
import { getDraft, getOperation, getPublished, publishDraft } from "./versions";

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  service: Service;
  /** Names the call for fault filters and stats (`faults.only: /^tags\./`). */
  operation: string;
  handler: Handler | "token";
}

function route(method: string, template: string, operation: string, handler: Handler | "token"): Route {
  const names: string[] = [];
  const pattern = new RegExp(
    "^" +
      template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return "([^/]+)";
      }) +
      "$",
  );
  return { method, template, pattern, names, service: serviceOf(template), operation, handler };
}

/**
 * Exactly the operations of the documents in the contract folder. Literal paths come before the
 * templated ones they would also match (`…/app/global` before `…/app/{app_id}`).
 */
const ROUTES: readonly Route[] = [
  route("POST", "/auth/token", "auth.token", "token"),
  route("GET", "/api/apps/v2", "apps.list", listApps),
  route("POST", "/api/apps/v2", "apps.create", createApp),
  route("GET", "/api/apps/v2/{app_id}", "apps.get", getApp),
  route("PATCH", "/api/apps/v2/{app_id}", "apps.update", updateApp),
  route("DELETE", "/api/apps/v2/{app_id}", "apps.delete", deleteApp),
  route("GET", "/api/tracker/v2/settings/app/global", "tracker.global.get", getGlobalSettings),
  route("PATCH", "/api/tracker/v2/settings/app/global", "tracker.global.update", updateGlobalSettings),
  route("GET", "/api/tracker/v2/settings/app/{app_id}", "tracker.app.get", getAppSettings),
  route("PATCH", "/api/tracker/v2/settings/app/{app_id}", "tracker.app.update", updateAppSettings),
  route("DELETE", "/api/tracker/v2/settings/app/{app_id}/{setting}", "tracker.app.reset", resetAppSetting),
  route("GET", "/api/tag/v1/{app_id}/tags", "tags.list", listTags),
  route("POST", "/api/tag/v1/{app_id}/tags", "tags.create", createTag),
  route("PATCH", "/api/tag/v1/{app_id}/tags", "tags.reorder", reorderTags),
  route("GET", "/api/tag/v1/{app_id}/tags/{tag_id}", "tags.get", getTag),
  route("PATCH", "/api/tag/v1/{app_id}/tags/{tag_id}", "tags.update", updateTag),
  route("DELETE", "/api/tag/v1/{app_id}/tags/{tag_id}", "tags.delete", deleteTag),
  route("GET", "/api/tag/v1/{app_id}/versions/draft", "versions.draft", getDraft),
  route("GET", "/api/tag/v1/{app_id}/versions/published", "versions.published", getPublished),
  route("POST", "/api/tag/v1/{app_id}/versions/draft/publish", "versions.publish", publishDraft),
  route("GET", "/api/tag/v1/{app_id}/operations/{operation_id}", "operations.get", getOperation),
  route("GET", "/api/users/v2", "users.list", listUsers),
  route("POST", "/api/users/v2", "users.create", createUser),
  route("GET", "/api/users/v2/{userId}", "users.get", getUser),
  route("PATCH", "/api/users/v2/{userId}", "users.update", updateUser),
  route("DELETE", "/api/users/v2/{userId}", "users.delete", deleteUser),
  route("GET", "/api/access-control/v2/app/{app_id}/permission/user", "permissions.list", listPermissions),
  route("POST", "/api/access-control/v2/app/{app_id}/permission/user/{user_id}", "permissions.set", setPermission),
];

/** Which service answers a path, and so which error dialect it speaks. */
export function serviceOf(path: string): Service {
  if (path.startsWith("/api/tag/")) return "tag-manager";
  if (path.startsWith("/api/tracker/")) return "tracker";
  if (path.startsWith("/api/users/")) return "users";
  if (path.startsWith("/api/access-control/")) return "access-control";
  if (path.startsWith("/auth/")) return "auth";
  return "apps";
}

function find(method: string, path: string): { route?: Route; params: Record<string, string>; pathExists: boolean } {
  let pathExists = false;
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathExists = true;
    if (r.method !== method) continue;
    const params: Record<string, string> = {};
    r.names.forEach((name, i) => {
      params[name] = safeDecode(m[i + 1]);
    });
    return { route: r, params, pathExists };
  }
  return { params: {}, pathExists };
}

export function operationOf(req: EmulatorRequest): string {
  return find(req.method, req.path).route?.operation ?? "unknown";
}

export interface Dependencies {
  state: PiwikProState;
  tokens: TokenIssuer;
  now: () => number;
  fallbackBaseUrl: string;
}

export function dispatch(req: EmulatorRequest, deps: Dependencies): EmulatorResponse {
  const { route: r, params, pathExists } = find(req.method, req.path);
  const service = r?.service ?? serviceOf(req.path);
  if (r?.handler === "token") return deps.tokens.issue(req);
  // Every /api call needs a live token, whether or not the route exists, as at the product's gateway.
  if (req.path.startsWith("/api/")) {
    const problem = deps.tokens.check(req);
    if (problem) return unauthorized(service, problem);
  }
  if (!r) return pathExists ? methodNotAllowed(service, req) : routeNotFound(service, req);
  const ctx: Context = {
    req,
    params,
    query: new Query(req.rawQuery),
    state: deps.state,
    now: deps.now(),
    baseUrl: typeof req.headers.host === "string" ? `http://${req.headers.host}` : deps.fallbackBaseUrl,
  };
  try {
    return (r.handler as Handler)(ctx);
  } catch (err) {
    if (err instanceof Refusal) return err.response;
    throw err;
  }
}

function routeNotFound(service: Service, req: EmulatorRequest): EmulatorResponse {
  if (service === "tag-manager") return tagManagerErrors(404, [{ code: "NOT_FOUND_ERROR", detail: `No route found for "${req.method} ${req.path}"` }]);
  return platformErrors(404, [{ code: "error.default", title: `No route found for "${req.method} ${req.path}"` }]);
}

function methodNotAllowed(service: Service, req: EmulatorRequest): EmulatorResponse {
  const allowed = ROUTES.filter((r) => r.pattern.test(req.path)).map((r) => r.method);
  const answer =
    service === "tag-manager"
      ? tagManagerErrors(405, [{ code: "METHOD_NOT_ALLOWED_ERROR", detail: `Method ${req.method} is not allowed (allowed: ${allowed.join(", ")})` }])
      : platformErrors(405, [{ code: "error.default", title: `No route found for "${req.method} ${req.path}": Method Not Allowed (Allow: ${allowed.join(", ")})` }]);
  return { ...answer, headers: { ...answer.headers, Allow: allowed.join(", ") } };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
