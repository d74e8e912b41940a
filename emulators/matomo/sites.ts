/**
 * SitesManager: websites, their URLs and exclusions, and the instance-wide defaults.
 *
 * The behaviours the recordings pin down: `updateSite` keeps omitted scalars but empties every
 * omitted list field (Matomo explodes a missing value into [""]); `urls` given as one string is one
 * URL, commas included; a URL without scheme gets `http://`; a site may have no URL at all; 0/1
 * flags accept only "0" and "1"; unknown types are accepted; errors about a missing site quote
 * the id as sent, followed by " .".
 */
import { Arg, Args, CallContext, Module, REQUIRED, isSet, method, str } from "./api";
import { requireSiteRole, requireSomeAdminAccess, requireSomeViewAccess, requireSuperUser, roleOn, sitesWithRole } from "./auth";
import { ApiError, MSG } from "./errors";
import { currencyName, isValidCurrency, isValidTimezone, timezoneName, allCurrencies } from "./geo";
import { PhpValue, htmlEntityDecode, isPhpArray, phpBool, phpInt, phpList } from "./php";
import { phpUrlDecode } from "./request";
import { MatomoState, Site, existingSite, formatDateTime } from "./state";
import { createDefaultContainer } from "./tagmanager";
import { deleteContainersOfSite } from "./tm-model";

// ---------------------------------------------------------------------------------------------
// Reading

function num(state: MatomoState, n: number): number | string {
  return state.numbersAsStrings ? String(n) : n;
}

/** The site as the API shows it; `creator_login` only to superusers, `alias_urls` on request. */
export function siteRow(state: MatomoState, s: Site, forSuperUser: boolean, withAliases = false): Record<string, unknown> {
  const row: Record<string, unknown> = {
    idsite: num(state, s.idsite),
    name: s.name,
    main_url: s.main_url,
    ts_created: s.ts_created,
    ecommerce: num(state, s.ecommerce),
    sitesearch: num(state, s.sitesearch),
    sitesearch_keyword_parameters: s.sitesearch_keyword_parameters,
    sitesearch_category_parameters: s.sitesearch_category_parameters,
    timezone: s.timezone,
    currency: s.currency,
    exclude_unknown_urls: num(state, s.exclude_unknown_urls),
    excluded_ips: s.excluded_ips,
    excluded_parameters: s.excluded_parameters,
    excluded_user_agents: s.excluded_user_agents,
    excluded_referrers: s.excluded_referrers,
    group: s.group,
    type: s.type,
    keep_url_fragment: num(state, s.keep_url_fragment),
  };
  if (forSuperUser) row.creator_login = s.creator_login;
  row.timezone_name = timezoneName(s.timezone);
  row.currency_name = currencyName(s.currency);
  if (withAliases) row.alias_urls = siteUrls(s);
  return row;
}

/** Main URL first, then the other URLs in sorted order (as observed twice in sites.json). */
export function siteUrls(s: Site): string[] {
  return [s.main_url, ...s.aliases];
}

// ---------------------------------------------------------------------------------------------
// Validation

const MEASURABLE = "WebsiteMeasurable";
function settingNotAllowed(title: string): ApiError {
  return new ApiError(`${title}: The value for the "${title}" field in the "${MEASURABLE}" plugin is not allowed`);
}

const TITLES = {
  exclude_unknown_urls: "Only track visits and actions when the action URL starts with one of the above URLs.",
  keep_url_fragment: "Keep Page URL fragments when tracking Page URLs",
  sitesearch: "Site Search",
  ecommerce: "Ecommerce",
};

/** A 0/1 (or 0/1/2) setting: only those digit strings pass; "true" does not. */
function flag(a: Arg, allowed: number[], title: string): number | undefined {
  if (!isSet(a)) return undefined;
  const s = str(a).trim();
  if (!/^\d+$/.test(s) || !allowed.includes(parseInt(s, 10))) throw settingNotAllowed(title);
  return parseInt(s, 10);
}

/** Comma lists as Matomo stores them: trimmed, empty entries and duplicates dropped. */
function csv(a: Arg): string {
  const items: string[] = [];
  for (const v of isPhpArray(a as PhpValue) ? phpList(a as PhpValue) : str(a).split(",")) {
    const t = String(v).trim();
    if (t !== "" && !items.includes(t)) items.push(t);
  }
  return items.join(",");
}

const IPV4 = /^(\d{1,3}|\*)(\.(\d{1,3}|\*)){3}(\/\d{1,2})?$/;
const IPV6 = /^[0-9a-fA-F:]+(\/\d{1,3})?$/;

function checkIps(list: string): void {
  for (const ip of list ? list.split(",") : []) {
    const v4 = IPV4.test(ip) && ip.split("/")[0].split(".").every((p) => p === "*" || parseInt(p, 10) <= 255);
    if (!v4 && !(IPV6.test(ip) && ip.includes(":"))) {
      throw new ApiError(`The IP to exclude "${ip}" does not have a valid IP format (eg. 1.2.3.4, 1.2.3.*, or 1.2.3.4/5).`);
    }
  }
}

/** SitesManager's URL cleaning: no empties, urldecode, no trailing slash, `http://` when no scheme, no duplicates. */
export function cleanUrls(a: Arg): string[] {
  const urls: string[] = [];
  for (const v of phpList(a as PhpValue)) {
    if (typeof v !== "string" || v === "" || v === "0") continue;
    let url = htmlEntityDecode(phpUrlDecode(v), "both");
    if (url.endsWith("/")) url = url.slice(0, -1);
    if (!url.startsWith("http")) url = "http://" + url;
    url = url.trim();
    if (!/^(([A-Za-z][A-Za-z0-9+.-]*)?:)?\/\/(.*)$/s.test(url)) throw new ApiError(`The url '${url}' is not a valid URL.`);
    if (!urls.includes(url)) urls.push(url);
  }
  return urls;
}

function setUrls(s: Site, urls: string[]): void {
  s.main_url = urls[0] ?? "";
  s.aliases = urls.slice(1).filter((u) => u !== s.main_url).sort();
}

function checkTimezone(tz: string): void {
  if (!isValidTimezone(tz)) throw new ApiError(`The timezone "${tz}" is not valid. Please enter a valid timezone.`);
}

function checkCurrency(c: string): void {
  if (!isValidCurrency(c)) throw new ApiError(`The currency "${c}" is not valid. Please enter a valid currency symbol (eg. USD, EUR, etc.)`);
}

function startDateOf(a: Arg, now: Date): string {
  if (!isSet(a) || str(a) === "") return formatDateTime(now);
  const s = str(a).trim();
  if (s === "today") return formatDateTime(now).slice(0, 10) + " 00:00:00";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m || Number.isNaN(Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`))) throw new ApiError(`The date '${s}' is not a valid date (expected YYYY-MM-DD).`);
  return `${m[1]}-${m[2]}-${m[3]} 00:00:00`;
}

/**
 * Applies the measurable settings in the order WebsiteMeasurable validates them (the recordings
 * show exclude_unknown_urls checked before ecommerce). `undefined` leaves a value unchanged.
 */
function applySettings(s: Site, a: Args): void {
  if (isSet(a.urls)) setUrls(s, cleanUrls(a.urls));
  const euu = flag(a.excludeUnknownUrls, [0, 1], TITLES.exclude_unknown_urls);
  if (euu !== undefined) s.exclude_unknown_urls = euu;
  // updateSite passes `explode(',', $x ?? '')` on: an omitted list is written as empty.
  const ips = csv(a.excludedIps);
  checkIps(ips);
  s.excluded_ips = ips;
  s.excluded_parameters = csv(a.excludedQueryParameters);
  s.excluded_user_agents = csv(a.excludedUserAgents);
  s.excluded_referrers = csv(a.excludedReferrers);
  const kuf = flag(a.keepURLFragments, [0, 1, 2], TITLES.keep_url_fragment);
  if (kuf !== undefined) s.keep_url_fragment = kuf;
  const search = flag(a.siteSearch, [0, 1], TITLES.sitesearch);
  if (search !== undefined) s.sitesearch = search;
  s.sitesearch_keyword_parameters = csv(a.searchKeywordParameters);
  s.sitesearch_category_parameters = csv(a.searchCategoryParameters);
  const ecommerce = flag(a.ecommerce, [0, 1], TITLES.ecommerce);
  if (ecommerce !== undefined) s.ecommerce = ecommerce;
}

const SITE_FIELDS = [
  ["urls", null], ["ecommerce", null], ["siteSearch", null], ["searchKeywordParameters", null], ["searchCategoryParameters", null],
  ["excludedIps", null], ["excludedQueryParameters", null], ["timezone", null], ["currency", null], ["group", null], ["startDate", null],
  ["excludedUserAgents", null], ["keepURLFragments", null], ["type", null], ["settingValues", null], ["excludeUnknownUrls", null],
  ["excludedReferrers", null],
] as const;

function defaultTimezone(state: MatomoState): string {
  return state.globals.get("SitesManager_DefaultTimezone") ?? "UTC";
}
function defaultCurrency(state: MatomoState): string {
  return state.globals.get("SitesManager_DefaultCurrency") ?? "USD";
}

// ---------------------------------------------------------------------------------------------
// Writing

function addSite(ctx: CallContext, a: Args): number {
  const { state, caller } = ctx;
  requireSuperUser(caller);
  const name = str(a.siteName);
  if (name.trim() === "") throw new ApiError("The website name can't be empty.");
  const timezone = str(a.timezone).trim() || defaultTimezone(state);
  checkTimezone(timezone);
  const currency = str(a.currency).trim() || defaultCurrency(state);
  checkCurrency(currency);
  const now = state.clock();
  const site: Site = {
    idsite: 0, name, main_url: "", ts_created: startDateOf(a.startDate, now), ecommerce: 0, sitesearch: 1,
    sitesearch_keyword_parameters: "", sitesearch_category_parameters: "", timezone, currency, exclude_unknown_urls: 0,
    excluded_ips: "", excluded_parameters: "", excluded_user_agents: "", excluded_referrers: "",
    group: caller.superuser ? str(a.group) : "", type: str(a.type) || "website", keep_url_fragment: 0,
    creator_login: caller.login, aliases: [],
  };
  applySettings(site, a);
  site.idsite = state.nextSiteId++;
  state.sites.set(site.idsite, site);
  // Tag Manager gives every new website (not other measurable types) its Default Container.
  if (site.type === "website") createDefaultContainer(state, site.idsite, caller.login);
  return site.idsite;
}

function updateSite(ctx: CallContext, a: Args): void {
  const { state, caller } = ctx;
  requireSiteRole(state, caller, a.idSite, "admin");
  const id = phpInt(str(a.idSite));
  const site = state.sites.get(id);
  if (!site) throw new ApiError(MSG.siteNotFound(str(a.idSite)));
  const next: Site = { ...site, aliases: [...site.aliases] };
  if (isSet(a.siteName)) {
    if (str(a.siteName).trim() === "") throw new ApiError("The website name can't be empty.");
    next.name = str(a.siteName);
  }
  if (isSet(a.timezone) && str(a.timezone) !== "") {
    checkTimezone(str(a.timezone).trim());
    next.timezone = str(a.timezone).trim();
  }
  if (isSet(a.currency) && str(a.currency) !== "") {
    checkCurrency(str(a.currency).trim());
    next.currency = str(a.currency).trim();
  }
  if (isSet(a.group) && caller.superuser) next.group = str(a.group);
  if (isSet(a.type) && str(a.type) !== "") next.type = str(a.type);
  if (isSet(a.startDate) && str(a.startDate) !== "") next.ts_created = startDateOf(a.startDate, state.clock());
  applySettings(next, a);
  state.sites.set(id, next);
}

function deleteSite(ctx: CallContext, a: Args): void {
  const { state, caller } = ctx;
  requireSuperUser(caller);
  const id = phpInt(str(a.idSite));
  if (!state.sites.has(id)) throw new ApiError(MSG.siteNotFound(str(a.idSite)));
  if (state.sites.size === 1) {
    throw new ApiError("It is not possible to delete this website as it is the only registered website. Add a new website first, then delete this one.");
  }
  state.sites.delete(id);
  for (const rows of state.access.values()) rows.delete(id);
  deleteContainersOfSite(state.tm, id);
}

function changeAliases(ctx: CallContext, a: Args, replace: boolean): number {
  const { state, caller } = ctx;
  requireSiteRole(state, caller, a.idSite, "admin");
  const site = existingSite(state, a.idSite);
  const urls = cleanUrls(a.urls).filter((u) => u !== site.main_url);
  if (replace) {
    site.aliases = [...urls].sort();
    return urls.length;
  }
  const added = urls.filter((u) => !site.aliases.includes(u));
  site.aliases = [...site.aliases, ...added].sort();
  return added.length;
}

// ---------------------------------------------------------------------------------------------
// Lists

function truthyArg(a: Arg): boolean {
  return typeof a === "boolean" ? a : phpBool(a);
}

function matchesPattern(s: Site, pattern: string): boolean {
  const p = pattern.toLowerCase();
  return (
    s.name.toLowerCase().includes(p) ||
    s.main_url.toLowerCase().includes(p) ||
    s.aliases.some((u) => u.toLowerCase().includes(p)) ||
    s.group.toLowerCase().includes(p) ||
    String(s.idsite) === pattern
  );
}

function listSites(ctx: CallContext, ids: number[], a: Args): Record<string, unknown>[] {
  const { state, caller } = ctx;
  const exclude = new Set(phpList(a.sitesToExclude as PhpValue).map((x) => phpInt(x)));
  const pattern = isSet(a.pattern) && a.pattern !== false ? str(a.pattern) : "";
  const withAliases = truthyArg(a.fetchAliasUrls ?? false);
  const rows: Record<string, unknown>[] = [];
  for (const id of ids) {
    if (exclude.has(id)) continue;
    const s = state.sites.get(id)!;
    if (pattern !== "" && !matchesPattern(s, pattern)) continue;
    rows.push(siteRow(state, s, caller.superuser, withAliases));
  }
  const limit = isSet(a.limit) && a.limit !== false ? phpInt(a.limit) : 0;
  return limit > 0 ? rows.slice(0, limit) : rows;
}

function ids(state: MatomoState, list: number[]): (number | string)[] {
  return list.map((n) => num(state, n));
}

function exactRole(ctx: CallContext, role: "view" | "write"): number[] {
  const rows = ctx.state.access.get(ctx.caller.login);
  if (ctx.caller.superuser || !rows) return [];
  return [...rows].filter(([id, x]) => x.role === role && ctx.state.sites.has(id)).map(([id]) => id).sort((p, q) => p - q);
}

/** `http://`, `https://`, `www.` and a trailing slash do not matter when matching a site by URL. */
function urlKey(url: string): string {
  return url.toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, "").replace(/^www\./, "").replace(/\/$/, "");
}

// ---------------------------------------------------------------------------------------------
// Instance-wide settings

function globalGetter(option: string, access: "view" | "admin", unset: unknown) {
  return method([], (ctx: CallContext) => {
    if (access === "view") requireSomeViewAccess(ctx.state, ctx.caller);
    else requireSomeAdminAccess(ctx.state, ctx.caller);
    return ctx.state.globals.get(option) ?? unset;
  });
}

function globalListSetter(param: string, option: string, result: true | undefined, validate?: (list: string) => void) {
  return method([[param, REQUIRED]], (ctx: CallContext, a: Args) => {
    requireSuperUser(ctx.caller);
    const list = csv(a[param]);
    validate?.(list);
    ctx.state.globals.set(option, list);
    return result;
  });
}

/** Parameters Matomo always strips from tracked URLs (config `url_query_parameter_to_exclude_from_url`). */
const ALWAYS_EXCLUDED_PARAMETERS =
  "gclid,fbclid,msclkid,twclid,wbraid,gbraid,yclid,fb_xd_fragment,fb_comment_id,phpsessid,jsessionid,sessionid,aspsessionid,doing_wp_cron,sid,pk_vid".split(",");

export const sitesManager: Module = {
  addSite: method([["siteName", REQUIRED], ...SITE_FIELDS], addSite),
  updateSite: method([["idSite", REQUIRED], ["siteName", null], ...SITE_FIELDS], updateSite),
  deleteSite: method([["idSite", REQUIRED], ["passwordConfirmation", null]], deleteSite),
  getSiteFromId: method([["idSite", REQUIRED]], ({ state, caller }, a) => {
    requireSiteRole(state, caller, a.idSite, "view");
    return siteRow(state, existingSite(state, a.idSite), caller.superuser);
  }),
  getSiteUrlsFromId: method([["idSite", REQUIRED]], ({ state, caller }, a) => {
    requireSiteRole(state, caller, a.idSite, "view");
    const site = state.sites.get(phpInt(str(a.idSite)));
    return site ? siteUrls(site) : [];
  }),
  getSitesWithAdminAccess: method(
    [["fetchAliasUrls", false], ["pattern", false], ["limit", false], ["sitesToExclude", []]],
    (ctx, a) => listSites(ctx, sitesWithRole(ctx.state, ctx.caller, "admin"), a),
  ),
  getSitesWithAtLeastViewAccess: method([["limit", false]], (ctx, a) => listSites(ctx, sitesWithRole(ctx.state, ctx.caller, "view"), a)),
  getSitesIdWithAdminAccess: method([], ({ state, caller }) => ids(state, sitesWithRole(state, caller, "admin"))),
  getSitesIdWithAtLeastViewAccess: method([], ({ state, caller }) => ids(state, sitesWithRole(state, caller, "view"))),
  getSitesIdWithViewAccess: method([], (ctx) => ids(ctx.state, exactRole(ctx, "view"))),
  getSitesIdWithWriteAccess: method([], (ctx) => ids(ctx.state, exactRole(ctx, "write"))),
  getAllSites: method([], ({ state, caller }) => {
    requireSuperUser(caller);
    // Keyed by idsite: a list under the default row limit, an object with filter_limit=-1 (ResponseBuilder).
    return new Map([...state.sites.values()].map((s) => [String(s.idsite), siteRow(state, s, true)]));
  }),
  getAllSitesId: method([], ({ state, caller }) => {
    requireSuperUser(caller);
    return ids(state, [...state.sites.keys()]);
  }),
  getSitesIdFromSiteUrl: method([["url", REQUIRED]], ({ state, caller }, a) => {
    const key = urlKey(htmlEntityDecode(str(a.url), "both"));
    const rows: Record<string, unknown>[] = [];
    for (const s of state.sites.values()) {
      if (!caller.superuser && roleOn(state, caller, s.idsite) === 0) continue;
      if (siteUrls(s).some((u) => u !== "" && urlKey(u) === key)) rows.push({ idsite: num(state, s.idsite) });
    }
    return rows;
  }),
  addSiteAliasUrls: method([["idSite", REQUIRED], ["urls", REQUIRED]], (ctx, a) => changeAliases(ctx, a, false)),
  setSiteAliasUrls: method([["idSite", REQUIRED], ["urls", []]], (ctx, a) => changeAliases(ctx, a, true)),
  getExcludedQueryParameters: method([["idSite", REQUIRED]], ({ state, caller }, a) => {
    requireSiteRole(state, caller, a.idSite, "view");
    const site = existingSite(state, a.idSite);
    const all = [site.excluded_parameters, state.globals.get("SitesManager_ExcludedQueryParameters") ?? ""]
      .flatMap((x) => (x ? x.split(",") : []))
      .concat(ALWAYS_EXCLUDED_PARAMETERS);
    return [...new Set(all)];
  }),
  getExcludedIpsGlobal: globalGetter("SitesManager_ExcludedIpsGlobal", "admin", false),
  setGlobalExcludedIps: globalListSetter("excludedIps", "SitesManager_ExcludedIpsGlobal", true, checkIps),
  getExcludedQueryParametersGlobal: globalGetter("SitesManager_ExcludedQueryParameters", "view", false),
  setGlobalExcludedQueryParameters: globalListSetter("excludedQueryParameters", "SitesManager_ExcludedQueryParameters", true),
  getExcludedUserAgentsGlobal: globalGetter("SitesManager_ExcludedUserAgentsGlobal", "admin", false),
  setGlobalExcludedUserAgents: globalListSetter("excludedUserAgents", "SitesManager_ExcludedUserAgentsGlobal", undefined),
  getExcludedReferrersGlobal: globalGetter("SitesManager_ExcludedReferrersGlobal", "admin", ""),
  setGlobalExcludedReferrers: globalListSetter("excludedReferrers", "SitesManager_ExcludedReferrersGlobal", undefined),
  getKeepURLFragmentsGlobal: method([], ({ state, caller }) => {
    requireSomeViewAccess(state, caller);
    return state.globals.get("SitesManager_KeepURLFragmentsGlobal") === "1";
  }),
  setKeepURLFragmentsGlobal: method([["enabled", REQUIRED]], ({ state, caller }, a) => {
    requireSuperUser(caller);
    state.globals.set("SitesManager_KeepURLFragmentsGlobal", phpBool(a.enabled) ? "1" : "0");
  }),
  getSearchKeywordParametersGlobal: globalGetter("SitesManager_SearchKeywordParameters", "view", "q,query,s,search,searchword,k,keyword"),
  getSearchCategoryParametersGlobal: globalGetter("SitesManager_SearchCategoryParameters", "view", ""),
  setGlobalSearchParameters: method([["searchKeywordParameters", REQUIRED], ["searchCategoryParameters", REQUIRED]], ({ state, caller }, a) => {
    requireSuperUser(caller);
    state.globals.set("SitesManager_SearchKeywordParameters", csv(a.searchKeywordParameters));
    state.globals.set("SitesManager_SearchCategoryParameters", csv(a.searchCategoryParameters));
    return true;
  }),
  getDefaultTimezone: method([], ({ state, caller }) => {
    requireSomeAdminAccess(state, caller);
    return defaultTimezone(state);
  }),
  setDefaultTimezone: method([["defaultTimezone", REQUIRED]], ({ state, caller }, a) => {
    requireSuperUser(caller);
    checkTimezone(str(a.defaultTimezone));
    state.globals.set("SitesManager_DefaultTimezone", str(a.defaultTimezone));
    return true;
  }),
  getDefaultCurrency: method([], ({ state, caller }) => {
    requireSomeAdminAccess(state, caller);
    return defaultCurrency(state);
  }),
  setDefaultCurrency: method([["defaultCurrency", REQUIRED]], ({ state, caller }, a) => {
    requireSuperUser(caller);
    checkCurrency(str(a.defaultCurrency));
    state.globals.set("SitesManager_DefaultCurrency", str(a.defaultCurrency));
    return true;
  }),
  getCurrencyList: method([], ({ state, caller }) => {
    requireSomeViewAccess(state, caller);
    return allCurrencies();
  }),
};
