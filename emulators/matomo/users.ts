/**
 * UsersManager: users, their roles and capabilities per site, and app tokens.
 *
 * Recorded behaviours kept on purpose: `createAppSpecificTokenAuth` needs no token (login and
 * password are the credentials) and rejects a short password as "too weak" before checking it;
 * `anonymous` may only get view or noaccess; `setUserAccess` on a site that does not exist
 * answers an error yet keeps the access row it wrote (Matomo fails only afterwards, while
 * preparing the e-mail about public statistics); an empty access map is `[]`.
 */
import { randomBytes } from "node:crypto";
import { Arg, Args, CallContext, Module, REQUIRED, isSet, method, str } from "./api";
import { Caller, recordFailedLogin, requireSiteRole, requireSomeAdminAccess, requireSuperUser, siteIdOf, sitesWithRole } from "./auth";
import { ApiError, MSG, noAccess } from "./errors";
import { PhpValue, htmlEntityDecode, isPhpArray, phpBool, phpInt, phpList } from "./php";
import { MatomoState, SiteAccess, User, existingSite, formatDateTime } from "./state";

const ROLES = ["view", "write", "admin"] as const;
type Role = (typeof ROLES)[number];
const CAPABILITIES = ["tagmanager_write", "tagmanager_publish_live_container", "tagmanager_use_custom_templates"];

/** Headers Matomo 5.1.2 sent when granting anonymous view (rendering the notification e-mail sets them). */
const EMAIL_RENDERING_HEADERS = {
  "Cache-Control": "no-store, must-revalidate",
  "Referrer-Policy": "same-origin",
  "Content-Security-Policy": "default-src 'self' 'unsafe-inline' 'unsafe-eval'; img-src 'self' 'unsafe-inline' 'unsafe-eval' data:;",
};

function userRow(state: MatomoState, u: User): Record<string, unknown> {
  return {
    login: u.login,
    email: u.email,
    superuser_access: state.numbersAsStrings ? (u.superuser ? "1" : "0") : u.superuser ? 1 : 0,
    date_registered: u.date_registered,
    invited_by: null,
    invite_expired_at: null,
    invite_accept_at: null,
    invite_status: "active",
    uses_2fa: false,
  };
}

function sortedUsers(state: MatomoState): User[] {
  return [...state.users.values()].sort((a, b) => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0));
}

function userOrFail(state: MatomoState, login: string): User {
  const u = state.users.get(login);
  if (!u) throw new ApiError(MSG.userDoesNotExist(login));
  return u;
}

/** Users a non-superuser admin may see: themselves and anyone with access to a site they administer. */
function visibleUsers(state: MatomoState, caller: Caller): User[] {
  if (caller.superuser) return sortedUsers(state);
  const mine = new Set(sitesWithRole(state, caller, "admin"));
  return sortedUsers(state).filter(
    (u) => u.login === caller.login || [...(state.access.get(u.login)?.keys() ?? [])].some((id) => mine.has(id)),
  );
}

export function confirmPassword(state: MatomoState, caller: Caller, passwordConfirmation: Arg): void {
  const given = str(passwordConfirmation);
  if (given === "") throw new ApiError(MSG.passwordRequired);
  if (state.users.get(caller.login)?.password !== given) throw new ApiError(MSG.passwordWrong);
}

/** Matomo's basic strength rule: at least 6 characters, at least 2 different ones. */
function checkBasicPasswordStrength(password: string): void {
  if (new Set(password).size < 2 || Buffer.byteLength(password) < 6) throw new ApiError(MSG.passwordTooWeak);
}

function idSitesOf(ctx: CallContext, raw: Arg): number[] {
  const values = isPhpArray(raw as PhpValue) ? phpList(raw as PhpValue).map(String) : str(raw).split(",");
  if (values.length === 1 && values[0].trim() === "all") return sitesWithRole(ctx.state, ctx.caller, "admin");
  const ids = [...new Set(values.map((v) => v.trim()).filter((v) => v !== "").map((v) => phpInt(v)))];
  if (ids.length === 0) throw new ApiError("Specify at least one website ID in &idSites=");
  return ids;
}

function accessRows(state: MatomoState, login: string): Map<number, SiteAccess> {
  let rows = state.access.get(login);
  if (!rows) {
    rows = new Map();
    state.access.set(login, rows);
  }
  return rows;
}

function parseAccess(raw: Arg): { role?: Role; capabilities: string[]; noaccess: boolean } {
  const values = isPhpArray(raw as PhpValue) ? phpList(raw as PhpValue).map(String) : [str(raw)];
  const allowed = [...ROLES, ...CAPABILITIES];
  let role: Role | undefined;
  const capabilities: string[] = [];
  for (const v of values) {
    if (v === "noaccess" && values.length === 1) return { capabilities: [], noaccess: true };
    if (!allowed.includes(v)) throw new ApiError(`The parameter access must have one of the following values: [ ${allowed.join(", ")} ], '${v}' given.`);
    if ((ROLES as readonly string[]).includes(v)) role = v as Role;
    else capabilities.push(v);
  }
  return { role, capabilities, noaccess: false };
}

function setUserAccess(ctx: CallContext, a: Args): void {
  const { state, caller } = ctx;
  if (caller.anonymous) throw noAccess(MSG.needsSomeAdmin);
  const access = parseAccess(a.access);
  const login = str(a.userLogin);
  const user = userOrFail(state, login);
  if (login === "anonymous" && !access.noaccess && (access.role !== "view" || access.capabilities.length > 0)) {
    throw new ApiError("You can only set access noaccess or view access to the 'anonymous' user.");
  }
  if (user.superuser) throw new ApiError(`The user '${login}' has Super User access: it already has every right on every website.`);
  const ids = idSitesOf(ctx, a.idSites);
  for (const id of ids) requireSiteRole(state, caller, id, "admin");
  const rows = accessRows(state, login);
  for (const id of ids) {
    rows.delete(id);
    if (!access.noaccess) rows.set(id, { role: access.role, capabilities: new Set(access.capabilities) });
  }
  if (login === "anonymous" && access.role === "view") {
    // The rows are written; the notification step that follows needs each site and fails on a missing one.
    for (const id of ids) existingSite(state, String(id));
    Object.assign(ctx.responseHeaders, EMAIL_RENDERING_HEADERS);
  }
}

function changeCapabilities(ctx: CallContext, a: Args, add: boolean): void {
  const { state, caller } = ctx;
  if (caller.anonymous) throw noAccess(MSG.needsSomeAdmin);
  const login = str(a.userLogin);
  const user = userOrFail(state, login);
  if (login === "anonymous" || user.superuser) throw new ApiError(`Capabilities cannot be given to the user '${login}'.`);
  const caps = isPhpArray(a.capabilities as PhpValue) ? phpList(a.capabilities as PhpValue).map(String) : [str(a.capabilities)];
  for (const c of caps) if (!CAPABILITIES.includes(c)) throw new ApiError(`The capability '${c}' does not exist.`);
  const ids = idSitesOf(ctx, a.idSites);
  for (const id of ids) requireSiteRole(state, caller, id, "admin");
  const rows = accessRows(state, login);
  for (const id of ids) {
    const row = rows.get(id);
    if (!row?.role) continue; // a capability is only added on top of a role
    for (const c of caps) {
      if (add) row.capabilities.add(c);
      else row.capabilities.delete(c);
    }
  }
}

function createAppSpecificTokenAuth(ctx: CallContext, a: Args): string {
  const { state } = ctx;
  const password = str(a.passwordConfirmation);
  checkBasicPasswordStrength(password);
  const loginOrEmail = str(a.userLogin);
  const user = state.users.get(loginOrEmail) ?? [...state.users.values()].find((u) => u.email === loginOrEmail);
  if (!user || user.login === "anonymous" || user.password !== password) {
    recordFailedLogin(state, ctx.clientIp);
    throw new ApiError(MSG.passwordWrong);
  }
  const description = htmlEntityDecode(str(a.description), "both");
  if (description.length > 100) throw new ApiError("The description must be at most 100 characters long.");
  const now = state.clock();
  let expiresAt: number | null = null;
  if (isSet(a.expireDate) && str(a.expireDate) !== "") {
    const t = Date.parse(str(a.expireDate).replace(" ", "T") + (str(a.expireDate).length <= 10 ? "T00:00:00Z" : "Z"));
    if (Number.isNaN(t)) throw new ApiError(`The date '${str(a.expireDate)}' is not a valid date.`);
    expiresAt = t;
  } else if (phpInt(a.expireHours) > 0) {
    expiresAt = now.getTime() + phpInt(a.expireHours) * 3600 * 1000;
  }
  const value = randomBytes(16).toString("hex");
  state.tokens.set(value, { value, login: user.login, description, secureOnly: false, dateCreated: formatDateTime(now), expiresAt });
  return value;
}

function usersPlusRole(ctx: CallContext, a: Args): Record<string, unknown>[] {
  const { state, caller } = ctx;
  if (caller.anonymous) return [];
  requireSiteRole(state, caller, a.idSite, "view");
  const idsite = siteIdOf(str(a.idSite));
  const isAdmin = caller.superuser || sitesWithRole(state, caller, "admin").includes(idsite);
  let users = isAdmin ? sortedUsers(state) : sortedUsers(state).filter((u) => u.login === caller.login);
  const roleOf = (u: User): string => (u.superuser ? "superuser" : state.access.get(u.login)?.get(idsite)?.role ?? "noaccess");
  const search = str(a.filter_search).toLowerCase();
  if (search) users = users.filter((u) => u.login.toLowerCase().includes(search) || u.email.toLowerCase().includes(search));
  const wanted = str(a.filter_access);
  if (wanted) users = users.filter((u) => (wanted === "some" ? roleOf(u) !== "noaccess" : roleOf(u) === wanted));
  ctx.responseHeaders["X-Matomo-Total-Results"] = String(users.length);
  const offset = phpInt(a.offset);
  const limit = isSet(a.limit) && str(a.limit) !== "" ? phpInt(a.limit) : undefined;
  users = users.slice(offset, limit === undefined ? undefined : offset + limit);
  return users.map((u) => {
    const row = userRow(state, u);
    return {
      login: row.login,
      email: row.email,
      superuser_access: u.superuser,
      date_registered: row.date_registered,
      invited_by: null,
      invite_expired_at: null,
      invite_accept_at: null,
      role: roleOf(u),
      capabilities: u.superuser ? [] : [...(state.access.get(u.login)?.get(idsite)?.capabilities ?? [])],
      invite_status: "active",
      uses_2fa: false,
    };
  });
}

const LOGIN_RE = /^[A-Za-z0-9_.@+-]{2,100}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function addUser(ctx: CallContext, a: Args): void {
  const { state, caller } = ctx;
  if (isSet(a.initialIdSite) && str(a.initialIdSite) !== "") requireSiteRole(state, caller, a.initialIdSite, "admin");
  else requireSuperUser(caller);
  const login = str(a.userLogin);
  if (!LOGIN_RE.test(login)) throw new ApiError("The login must be 2 to 100 characters: letters, digits, and _ - . @ +.");
  if (state.users.has(login)) throw new ApiError(`Username '${login}' already exists.`);
  const email = htmlEntityDecode(str(a.email), "both");
  if (!EMAIL_RE.test(email)) throw new ApiError("The email doesn't have a valid format.");
  if ([...state.users.values()].some((u) => u.email === email)) throw new ApiError(`User with email '${email}' already exists.`);
  const password = str(a.password);
  checkBasicPasswordStrength(password);
  state.users.set(login, { login, email, password, superuser: false, date_registered: formatDateTime(state.clock()) });
  if (isSet(a.initialIdSite) && str(a.initialIdSite) !== "") {
    const id = existingSite(state, str(a.initialIdSite)).idsite;
    accessRows(state, login).set(id, { role: "view", capabilities: new Set() });
  }
}

function deleteUser(ctx: CallContext, a: Args): void {
  const { state, caller } = ctx;
  requireSuperUser(caller);
  const login = str(a.userLogin);
  const user = userOrFail(state, login);
  if (login === "anonymous") throw new ApiError("The anonymous user cannot be deleted.");
  if (user.superuser && [...state.users.values()].filter((u) => u.superuser).length === 1) {
    throw new ApiError("The last user with Super User access cannot be deleted.");
  }
  state.users.delete(login);
  state.access.delete(login);
  for (const [value, t] of state.tokens) if (t.login === login) state.tokens.delete(value);
}

export const usersManager: Module = {
  getUsers: method([["userLogins", ""]], ({ state, caller }, a) => {
    requireSomeAdminAccess(state, caller);
    const wanted = str(a.userLogins) === "" ? undefined : new Set(str(a.userLogins).split(","));
    return visibleUsers(state, caller)
      .filter((u) => !wanted || wanted.has(u.login))
      .map((u) => userRow(state, u));
  }),
  getUsersLogin: method([], ({ state, caller }) => {
    requireSomeAdminAccess(state, caller);
    return visibleUsers(state, caller).map((u) => u.login);
  }),
  getUser: method([["userLogin", REQUIRED]], ({ state, caller }, a) => {
    const login = str(a.userLogin);
    if (!caller.superuser && caller.login !== login) requireSuperUser(caller);
    return userRow(state, userOrFail(state, login));
  }),
  userExists: method([["userLogin", REQUIRED]], ({ state, caller }, a) => {
    if (caller.anonymous) throw noAccess(MSG.needsSomeView);
    return state.users.has(str(a.userLogin));
  }),
  hasSuperUserAccess: method([], ({ caller }) => caller.superuser),
  getUsersHavingSuperUserAccess: method([], ({ state, caller }) => {
    requireSuperUser(caller);
    return sortedUsers(state).filter((u) => u.superuser).map((u) => ({ login: u.login, email: u.email }));
  }),
  getUsersPlusRole: method(
    [["idSite", REQUIRED], ["limit", null], ["offset", 0], ["filter_search", null], ["filter_access", null], ["filter_status", null]],
    usersPlusRole,
  ),
  getUsersAccessFromSite: method([["idSite", REQUIRED]], ({ state, caller }, a) => {
    requireSiteRole(state, caller, a.idSite, "admin");
    const idsite = siteIdOf(str(a.idSite));
    const out = new Map<string, string>();
    for (const [login, rows] of state.access) {
      const row = rows.get(idsite);
      if (!row) continue;
      // One answer per login, built row by row: a capability row overwrites the role (lossy, as in Matomo).
      const caps = [...row.capabilities];
      out.set(login, caps.length > 0 ? caps[caps.length - 1] : row.role!);
    }
    return out;
  }),
  getSitesAccessFromUser: method([["userLogin", REQUIRED]], ({ state, caller }, a) => {
    requireSuperUser(caller);
    const user = userOrFail(state, str(a.userLogin));
    const num = (n: number) => (state.numbersAsStrings ? String(n) : n);
    if (user.superuser) return [...state.sites.keys()].map((id) => ({ site: num(id), access: "admin" }));
    const rows = [...(state.access.get(user.login) ?? new Map<number, SiteAccess>())]
      .filter(([id]) => state.sites.has(id))
      .sort(([x], [y]) => x - y);
    return rows.flatMap(([id, r]) => [
      ...(r.role ? [{ site: num(id), access: r.role }] : []),
      ...[...r.capabilities].map((c) => ({ site: num(id), access: c })),
    ]);
  }),
  getUsersWithSiteAccess: method([["idSite", REQUIRED], ["access", REQUIRED]], ({ state, caller }, a) => {
    requireSiteRole(state, caller, a.idSite, "admin");
    const idsite = siteIdOf(str(a.idSite));
    return sortedUsers(state)
      .filter((u) => state.access.get(u.login)?.get(idsite)?.role === str(a.access))
      .map((u) => userRow(state, u));
  }),
  setUserAccess: method([["userLogin", REQUIRED], ["access", REQUIRED], ["idSites", REQUIRED], ["passwordConfirmation", null]], setUserAccess, ["passwordConfirmation"]),
  addCapabilities: method([["userLogin", REQUIRED], ["capabilities", REQUIRED], ["idSites", REQUIRED]], (ctx, a) => changeCapabilities(ctx, a, true)),
  removeCapabilities: method([["userLogin", REQUIRED], ["capabilities", REQUIRED], ["idSites", REQUIRED]], (ctx, a) => changeCapabilities(ctx, a, false)),
  addUser: method(
    [["userLogin", REQUIRED], ["password", REQUIRED], ["email", REQUIRED], ["_isPasswordHashed", false], ["initialIdSite", null], ["passwordConfirmation", null]],
    addUser,
    ["password", "passwordConfirmation"],
  ),
  deleteUser: method([["userLogin", REQUIRED], ["passwordConfirmation", null]], deleteUser, ["passwordConfirmation"]),
  setSuperUserAccess: method(
    [["userLogin", REQUIRED], ["hasSuperUserAccess", REQUIRED], ["passwordConfirmation", null]],
    ({ state, caller }, a) => {
      requireSuperUser(caller);
      confirmPassword(state, caller, a.passwordConfirmation);
      const user = userOrFail(state, str(a.userLogin));
      if (user.login === "anonymous") throw new ApiError("The anonymous user cannot have Super User access.");
      user.superuser = phpBool(a.hasSuperUserAccess);
      if (user.superuser) state.access.delete(user.login);
    },
    ["passwordConfirmation"],
  ),
  createAppSpecificTokenAuth: method(
    [["userLogin", REQUIRED], ["passwordConfirmation", REQUIRED], ["description", REQUIRED], ["expireDate", null], ["expireHours", 0]],
    createAppSpecificTokenAuth,
    ["passwordConfirmation"],
  ),
  getAvailableRoles: method([], ({ state, caller }) => {
    requireSomeAdminAccess(state, caller);
    return [
      { id: "view", name: "View" },
      { id: "write", name: "Write" },
      { id: "admin", name: "Admin" },
    ];
  }),
  getAvailableCapabilities: method([], ({ state, caller }) => {
    requireSomeAdminAccess(state, caller);
    return CAPABILITIES.map((id) => ({ id, includedInRoles: id === "tagmanager_write" ? ["write", "admin"] : ["admin"] }));
  }),
};
