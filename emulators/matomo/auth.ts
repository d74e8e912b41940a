/**
 * Who is calling, and what they may do. Authentication follows the recordings: the token comes
 * from the query string or else the POST body; a token that fails is a 401 whose message depends
 * on where it came from, and counts as a failed login for the brute-force detector; no token at
 * all means the `anonymous` user. Access levels are Matomo's roles and Tag Manager capabilities.
 */
import { ApiError, MSG, noAccess } from "./errors";
import type { MatomoState, SiteAccess } from "./state";

export interface Caller {
  login: string;
  superuser: boolean;
  anonymous: boolean;
}

export const ANONYMOUS: Caller = { login: "anonymous", superuser: false, anonymous: true };

/** Login plugin defaults: more than 20 failures from one IP within 60 minutes block it. */
export const MAX_FAILED_LOGINS = 20;
export const FAILED_LOGIN_WINDOW_MS = 60 * 60 * 1000;

export function recentFailures(state: MatomoState, ip: string): number {
  const now = state.clock().getTime();
  const list = (state.failedLogins.get(ip) ?? []).filter((t) => now - t < FAILED_LOGIN_WINDOW_MS);
  state.failedLogins.set(ip, list);
  return list.length;
}

export function recordFailedLogin(state: MatomoState, ip: string): void {
  const list = state.failedLogins.get(ip) ?? [];
  list.push(state.clock().getTime());
  state.failedLogins.set(ip, list);
}

/** Matomo lets an IP try while its logged failures are at most the maximum, so the 22nd attempt is the first refused. */
export function isBlocked(state: MatomoState, ip: string): boolean {
  return recentFailures(state, ip) > MAX_FAILED_LOGINS;
}

export interface TokenTransport {
  /** `token_auth` from the query string, if any. */
  query?: string;
  /** `token_auth` from the form body, if any. */
  body?: string;
}

/** Resolves the caller of an HTTP request, or the error Matomo answers before any API method runs. */
export function authenticate(state: MatomoState, transport: TokenTransport, ip: string): Caller | ApiError {
  const fromQuery = transport.query !== undefined && transport.query !== "";
  const token = fromQuery ? transport.query! : transport.body ?? "";
  if (token === "" || token === "anonymous") return ANONYMOUS;
  if (isBlocked(state, ip)) return new ApiError(MSG.tooManyFailedLogins, 500);
  // A token counts as sent securely only when it is in the body and not in the query string.
  const sentSecurely = !fromQuery;
  const t = state.tokens.get(token);
  const now = state.clock().getTime();
  const valid = t !== undefined && (!t.secureOnly || sentSecurely) && (t.expiresAt === null || t.expiresAt > now) && state.users.has(t.login);
  if (!valid) {
    recordFailedLogin(state, ip);
    return noAccess(fromQuery ? MSG.tokenInvalidGet : MSG.tokenInvalidPost);
  }
  const user = state.users.get(t!.login)!;
  return { login: user.login, superuser: user.superuser, anonymous: false };
}

// ---------------------------------------------------------------------------------------------
// Access

const ROLE_RANK: Record<string, number> = { view: 1, write: 2, admin: 3 };
const CAPABILITY_INCLUDED_IN: Record<string, string[]> = {
  tagmanager_write: ["write", "admin"],
  tagmanager_publish_live_container: ["admin"],
  tagmanager_use_custom_templates: ["admin"],
};

function accessOf(state: MatomoState, caller: Caller, idsite: number): SiteAccess | undefined {
  return state.access.get(caller.login)?.get(idsite);
}

/** The caller's role on an existing site (superusers are admin everywhere). */
export function roleOn(state: MatomoState, caller: Caller, idsite: number): number {
  if (!state.sites.has(idsite)) return 0;
  if (caller.superuser) return ROLE_RANK.admin;
  const a = accessOf(state, caller, idsite);
  return a?.role ? ROLE_RANK[a.role] : 0;
}

export function hasCapability(state: MatomoState, caller: Caller, idsite: number, capability: string): boolean {
  if (!state.sites.has(idsite)) return false;
  if (caller.superuser) return true;
  const a = accessOf(state, caller, idsite);
  if (!a) return false;
  if (a.capabilities.has(capability)) return true;
  return a.role !== undefined && (CAPABILITY_INCLUDED_IN[capability] ?? []).includes(a.role);
}

/** Site ids where the caller has at least `level`, ascending. */
export function sitesWithRole(state: MatomoState, caller: Caller, level: "view" | "write" | "admin"): number[] {
  if (caller.superuser) return [...state.sites.keys()];
  const rows = state.access.get(caller.login);
  if (!rows) return [];
  const ids: number[] = [];
  for (const [idsite, a] of rows) if (a.role && ROLE_RANK[a.role] >= ROLE_RANK[level] && state.sites.has(idsite)) ids.push(idsite);
  return ids.sort((x, y) => x - y);
}

export function requireSuperUser(caller: Caller): void {
  if (!caller.superuser) throw noAccess(MSG.needsSuperUser);
}

export function requireSomeViewAccess(state: MatomoState, caller: Caller): void {
  if (sitesWithRole(state, caller, "view").length === 0) throw noAccess(MSG.needsSomeView);
}

export function requireSomeAdminAccess(state: MatomoState, caller: Caller): void {
  if (sitesWithRole(state, caller, "admin").length === 0) throw noAccess(MSG.needsSomeAdmin);
}

/** Parses an idSite the way an access check sees it (`(int)` of the string). */
export function siteIdOf(raw: unknown): number {
  if (typeof raw === "number") return raw;
  const m = /^\s*(-?\d+)/.exec(String(raw ?? ""));
  return m ? parseInt(m[1], 10) : 0;
}

export function requireSiteRole(state: MatomoState, caller: Caller, rawIdSite: unknown, level: "view" | "write" | "admin"): void {
  if (caller.superuser) return;
  if (roleOn(state, caller, siteIdOf(rawIdSite)) < ROLE_RANK[level]) throw noAccess(MSG.needsSiteAccess(level, String(rawIdSite)));
}

export function requireCapability(state: MatomoState, caller: Caller, idsite: number, capability: string): void {
  if (!hasCapability(state, caller, idsite, capability)) {
    throw noAccess(`You can't access this resource as it requires the capability '${capability}' for the website id = ${idsite}.`);
  }
}
