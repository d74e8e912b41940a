import type { LiveContainer, LiveSite } from "../../engine/types";
import type { MatomoContainer, MatomoPrivacy, MatomoRole, MatomoSite, MatomoTrackerConfiguration } from "../../model/matomo";
import { retentionDays, TRACKER_CONFIGURATION_FIELDS } from "../../model/matomo";
import { csv, type ParamValue, type Params } from "./encoding";

/**
 * The only place that knows Matomo's field names. Reading turns Matomo's JSON into the model's
 * words (lists as arrays, flags as booleans, numbers whether they came as ints or strings);
 * writing turns the model into the parameters Matomo's setters take.
 */

// ---------------------------------------------------------------------------------------------
// Reading primitives: PHP 8.1+ with PDO gives ints, older stacks and mysqli give strings.

export function readInt(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return parseInt(value, 10);
  return undefined;
}

export function readBool(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === 1 || value === "1" || value === "true") return true;
  if (value === 0 || value === "0" || value === "false" || value === "") return false;
  return undefined;
}

export function readString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

/** Matomo stores lists comma-joined; an option never set reads `false`. */
export function readList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => readString(v)?.trim() ?? "").filter((v) => v !== "");
  const text = readString(value);
  if (!text) return [];
  return text
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Sites

export const KEEP_URL_FRAGMENTS = ["global", "keep", "remove"] as const;
export type KeepUrlFragments = (typeof KEEP_URL_FRAGMENTS)[number];

/** An answer whose shape is not what Matomo answers; callers turn it into a MatomoError naming the call. */
export class ShapeError extends Error {}

/**
 * A site row of `getSitesWithAdminAccess&fetchAliasUrls=1` (or `getSiteFromId` plus its URLs) in
 * the model's words. `urls` is the main URL, then the aliases in the order Matomo gives them
 * (sorted, not as declared). A site without URLs has `main_url: ""` and reads `urls: []`.
 */
export function matomoSiteToLive(raw: unknown, aliasUrls?: unknown): LiveSite {
  if (!isRecord(raw)) throw new ShapeError(`expected a site object, got ${raw === null ? "null" : Array.isArray(raw) ? "a list" : typeof raw}`);
  const id = readInt(raw.idsite);
  if (id === undefined) throw new ShapeError(`a site row has no numeric idsite (${JSON.stringify(raw.idsite)})`);
  const name = readString(raw.name) ?? "";
  const main = readString(raw.main_url) ?? "";
  const aliases = Array.isArray(aliasUrls ?? raw.alias_urls) ? ((aliasUrls ?? raw.alias_urls) as unknown[]).map((u) => readString(u) ?? "") : [];
  const urls: string[] = [];
  for (const u of [main, ...aliases]) if (u !== "" && !urls.includes(u)) urls.push(u);
  const keep = readInt(raw.keep_url_fragment);
  const settings: Record<string, unknown> = {
    name,
    urls,
    excludeUnknownUrls: readBool(raw.exclude_unknown_urls) ?? false,
    excludedQueryParameters: readList(raw.excluded_parameters),
    excludedIps: readList(raw.excluded_ips),
    excludedUserAgents: readList(raw.excluded_user_agents),
    excludedReferrers: readList(raw.excluded_referrers),
    ecommerce: readBool(raw.ecommerce) ?? false,
    siteSearch: readBool(raw.sitesearch) ?? false,
    searchKeywordParameters: readList(raw.sitesearch_keyword_parameters),
    searchCategoryParameters: readList(raw.sitesearch_category_parameters),
    timezone: readString(raw.timezone),
    currency: readString(raw.currency),
    group: readString(raw.group) ?? "",
    keepUrlFragments: keep !== undefined && keep >= 0 && keep <= 2 ? KEEP_URL_FRAGMENTS[keep] : "global",
  };
  return { productId: String(id), name, urls, settings, access: {}, productType: readString(raw.type) };
}

function keepUrlFragmentsParam(value: unknown): number | undefined {
  const i = KEEP_URL_FRAGMENTS.indexOf(value as KeepUrlFragments);
  return i >= 0 ? i : undefined;
}

/**
 * Parameters of `addSite` (no live site) or `updateSite` (with the live site). updateSite empties
 * every list field it is not sent, so the write is always the full state: the declared values of
 * managed fields over the live values of the fields the declaration leaves unmanaged. On add, an
 * unmanaged field is left out and Matomo's instance default applies.
 */
export function siteWriteParams(desired: MatomoSite, live?: LiveSite): Record<string, ParamValue> {
  const s = live?.settings ?? {};
  const liveList = (field: string): string[] | undefined => (live ? readList(s[field]) : undefined);
  const pick = <T>(declared: T | undefined, field: string): T | undefined => (declared !== undefined ? declared : live ? (s[field] as T | undefined) : undefined);
  const searchKeywords = desired.searchKeywordParameters ?? liveList("searchKeywordParameters");
  const searchCategories = desired.searchCategoryParameters ?? liveList("searchCategoryParameters");
  return {
    siteName: desired.name,
    urls: desired.urls,
    ecommerce: desired.ecommerce,
    siteSearch: pick(desired.siteSearch, "siteSearch"),
    searchKeywordParameters: searchKeywords === undefined ? undefined : csv(searchKeywords),
    searchCategoryParameters: searchCategories === undefined ? undefined : csv(searchCategories),
    excludedIps: csv(desired.excludedIps),
    excludedQueryParameters: csv(desired.excludedQueryParameters),
    timezone: pick(desired.timezone, "timezone"),
    currency: pick(desired.currency, "currency"),
    // An empty group reads as "not sent" to Matomo (unchanged): a group cannot be cleared this way.
    group: pick(desired.group, "group"),
    excludedUserAgents: csv(desired.excludedUserAgents),
    keepURLFragments: keepUrlFragmentsParam(pick(desired.keepUrlFragments, "keepUrlFragments")),
    excludeUnknownUrls: desired.excludeUnknownUrls,
    excludedReferrers: csv(desired.excludedReferrers),
  };
}

// ---------------------------------------------------------------------------------------------
// Access

export const ROLES: readonly MatomoRole[] = ["view", "write", "admin"];
export const NO_ACCESS = "noaccess";
export const ANONYMOUS = "anonymous";

/** A row's access, if it is a role. Capability rows (`tagmanager_write`, ...) are not roles. */
export function roleOf(access: unknown): MatomoRole | undefined {
  return ROLES.includes(access as MatomoRole) ? (access as MatomoRole) : undefined;
}

/** `getSitesAccessFromUser` rows → idSite → role. */
export function readSitesAccess(rows: unknown): Map<string, MatomoRole> {
  const out = new Map<string, MatomoRole>();
  if (!Array.isArray(rows)) return out;
  for (const row of rows) {
    if (!isRecord(row)) continue;
    const id = readInt(row.site ?? row.idsite);
    const role = roleOf(row.access);
    if (id === undefined || !role) continue;
    // A stronger role wins if the table holds several rows for one site.
    const prev = out.get(String(id));
    if (!prev || ROLES.indexOf(role) > ROLES.indexOf(prev)) out.set(String(id), role);
  }
  return out;
}

export interface MatomoUser {
  login: string;
  superuser: boolean;
}

export function readUsers(rows: unknown): MatomoUser[] {
  if (!Array.isArray(rows)) throw new ShapeError("UsersManager.getUsers did not answer a list");
  const out: MatomoUser[] = [];
  for (const row of rows) {
    if (!isRecord(row)) continue;
    const login = readString(row.login);
    if (!login) continue;
    out.push({ login, superuser: readBool(row.superuser_access) ?? false });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Privacy (instance-wide; setters only, no getters over HTTP)

/** Model privacy fields written by `setAnonymizeIpSettings` (one call: omitted fields reset). */
export const ANONYMIZE_FIELDS = ["ipMaskBytes", "useMaskedIpForEnrichment", "referrer", "anonymizeUserId", "anonymizeOrderId", "forceCookielessTracking"] as const;
/** Every privacy field Matomo's HTTP API cannot read back. */
export const UNOBSERVABLE_PRIVACY_FIELDS = [...ANONYMIZE_FIELDS, "doNotTrack", "rawDataRetentionMonths"] as const;

export function anonymizeIpParams(privacy: MatomoPrivacy): Params {
  return {
    // A mask of 0 bytes is "anonymisation off": Matomo has a separate switch for it.
    anonymizeIPEnable: privacy.ipMaskBytes > 0,
    maskLength: privacy.ipMaskBytes,
    useAnonymizedIpForVisitEnrichment: privacy.useMaskedIpForEnrichment,
    anonymizeUserId: privacy.anonymizeUserId,
    anonymizeOrderId: privacy.anonymizeOrderId,
    // Always sent: an omitted referrer setting is reset to "keep" by Matomo.
    anonymizeReferrer: privacy.referrer === "keep" ? "" : privacy.referrer,
    forceCookielessTracking: privacy.forceCookielessTracking,
  };
}

export function doNotTrackMethod(enabled: boolean): string {
  return enabled ? "PrivacyManager.activateDoNotTrack" : "PrivacyManager.deactivateDoNotTrack";
}

/** `setDeleteLogsSettings`: Matomo counts days (months × 30); `unlimited` turns deletion off. */
export function deleteLogsParams(months: MatomoPrivacy["rawDataRetentionMonths"], password: string): Params {
  const days = retentionDays(months);
  return days === undefined ? { enableDeleteLogs: false, passwordConfirmation: password } : { enableDeleteLogs: true, deleteLogsOlderThan: days, passwordConfirmation: password };
}

// ---------------------------------------------------------------------------------------------
// Tag Manager

export const MATOMO_CONFIGURATION_TYPE = "MatomoConfiguration";
export const MATOMO_CONFIGURATION_NAME = "Matomo Configuration";

/** A variable as exported, kept raw so a write can send back the parameters Exempt does not manage. */
export interface RawVariable {
  idVariable: number;
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  lookupTable: unknown[];
  defaultValue: unknown;
}

/** The privacy-relevant parameters of a MatomoConfiguration variable, in the model's words. */
export function trackerConfigFromParameters(p: Record<string, unknown>): Partial<MatomoTrackerConfiguration> {
  const out: Partial<MatomoTrackerConfiguration> = {};
  const flag = (key: string) => readBool(p[key]);
  const set = <K extends keyof MatomoTrackerConfiguration>(k: K, v: MatomoTrackerConfiguration[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set("enableCrossDomainLinking", flag("enableCrossDomainLinking"));
  set("userId", readString(p.userId) ?? (p.userId === undefined ? undefined : ""));
  set("disableCookies", flag("disableCookies"));
  set("requireConsent", flag("requireConsent"));
  set("requireCookieConsent", flag("requireCookieConsent"));
  set("enableDoNotTrack", flag("enableDoNotTrack"));
  // The cookie lifetime only applies when its switch is on; otherwise the tracker's 393 days do.
  if (flag("customCookieTimeOutEnable")) set("visitorCookieDays", readInt(p.customCookieTimeOut));
  const domain = readString(p.cookieDomain);
  if (domain) set("cookieDomain", domain);
  set("secureCookie", flag("setSecureCookie"));
  return out;
}

/** Model fields whose live value differs from the declared one (absent = the tracker default). */
export function trackerConfigDifferences(desired: MatomoTrackerConfiguration, live: Partial<MatomoTrackerConfiguration> | undefined): string[] {
  const l = live ?? {};
  const norm = (k: keyof MatomoTrackerConfiguration, v: unknown) => (k === "cookieDomain" && v === "" ? undefined : k === "userId" && v === undefined ? "" : v);
  return TRACKER_CONFIGURATION_FIELDS.filter((k) => norm(k, desired[k]) !== norm(k, l[k]));
}

/** A live parameter value as something the form encoder can send back unchanged. */
export function toParamValue(value: unknown): ParamValue {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(toParamValue);
  if (isRecord(value)) {
    const out: Record<string, ParamValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toParamValue(v);
    return out;
  }
  return undefined;
}

/**
 * The full `parameters` of a MatomoConfiguration variable: the live ones (all of them:
 * updateContainerVariable without a parameter resets it to its default) with the managed ones
 * replaced by the declaration.
 */
export function trackerParameters(desired: MatomoTrackerConfiguration, live: Record<string, unknown> | undefined, defaults: { matomoUrl: string; idSite: string }): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(live ?? {})) out[k] = toParamValue(v);
  if (out.matomoUrl === undefined || out.matomoUrl === "") out.matomoUrl = defaults.matomoUrl;
  if (out.idSite === undefined || out.idSite === "") out.idSite = defaults.idSite;
  out.enableCrossDomainLinking = desired.enableCrossDomainLinking;
  out.userId = desired.userId;
  out.disableCookies = desired.disableCookies;
  out.requireConsent = desired.requireConsent;
  out.requireCookieConsent = desired.requireCookieConsent;
  out.enableDoNotTrack = desired.enableDoNotTrack;
  out.customCookieTimeOutEnable = desired.visitorCookieDays !== undefined;
  if (desired.visitorCookieDays !== undefined) out.customCookieTimeOut = desired.visitorCookieDays;
  out.cookieDomain = desired.cookieDomain ?? "";
  out.setSecureCookie = desired.secureCookie;
  return out;
}

/** A container of `TagManager.getContainers`, with its draft's export when read. */
export interface ReadContainer {
  live: LiveContainer;
  /** The MatomoConfiguration variable of the draft, raw, when the draft was exported. */
  variable?: RawVariable;
  /** True when the draft was exported (tags and variable are known). */
  exported: boolean;
}

export function readContainer(raw: unknown, exported?: unknown): ReadContainer {
  if (!isRecord(raw)) throw new ShapeError("a container is not an object");
  const idContainer = readString(raw.idcontainer);
  if (!idContainer) throw new ShapeError("a container has no idcontainer");
  const draft = isRecord(raw.draft) ? readInt(raw.draft.idcontainerversion) : undefined;
  const releases = Array.isArray(raw.releases) ? raw.releases.filter(isRecord) : [];
  const liveRelease = releases.find((r) => r.environment === "live");
  const live: LiveContainer = {
    idContainer,
    name: readString(raw.name) ?? "",
    draftVersionId: draft ?? 0,
    liveVersionId: liveRelease ? readInt(liveRelease.idcontainerversion) : undefined,
    tags: [],
  };
  if (!isRecord(exported)) return { live, exported: false };
  const tags = Array.isArray(exported.tags) ? exported.tags.filter(isRecord) : [];
  live.tags = tags.map((t) => ({
    id: readString(t.idtag) ?? "",
    name: readString(t.name) ?? "",
    type: readString(t.type) ?? "",
    fireTriggerIds: (Array.isArray(t.fire_trigger_ids) ? t.fire_trigger_ids : []).map(readInt).filter((n): n is number => n !== undefined),
  }));
  const variables = (Array.isArray(exported.variables) ? exported.variables.filter(isRecord) : []).filter((v) => v.type === MATOMO_CONFIGURATION_TYPE);
  const chosen = chooseConfigurationVariable(variables, tags);
  if (!chosen) return { live, exported: true };
  const variable: RawVariable = {
    idVariable: readInt(chosen.idvariable) ?? 0,
    name: readString(chosen.name) ?? "",
    description: readString(chosen.description) ?? "",
    parameters: isRecord(chosen.parameters) ? chosen.parameters : {},
    lookupTable: Array.isArray(chosen.lookup_table) ? chosen.lookup_table : [],
    defaultValue: chosen.default_value,
  };
  live.matomoConfiguration = { idVariable: variable.idVariable, name: variable.name, settings: trackerConfigFromParameters(variable.parameters) };
  return { live, variable, exported: true };
}

/**
 * The variable that configures tracking: the one a Matomo tag points at (`{{Name}}`), else the
 * one named "Matomo Configuration", else the first of its type.
 */
function chooseConfigurationVariable(variables: Record<string, unknown>[], tags: Record<string, unknown>[]): Record<string, unknown> | undefined {
  for (const tag of tags) {
    if (tag.type !== "Matomo" || !isRecord(tag.parameters)) continue;
    const ref = /^\{\{(.+)\}\}$/.exec(readString(tag.parameters.matomoConfig) ?? "")?.[1];
    const hit = ref ? variables.find((v) => v.name === ref) : undefined;
    if (hit) return hit;
  }
  return variables.find((v) => v.name === MATOMO_CONFIGURATION_NAME) ?? variables[0];
}

/** The live container a declaration means: by declared id, else by name. */
export function matchContainer<T extends { live: LiveContainer }>(declared: MatomoContainer, candidates: readonly T[]): T | undefined {
  if (declared.idContainer) return candidates.find((c) => c.live.idContainer === declared.idContainer);
  const name = declared.name.trim();
  return candidates.find((c) => c.live.name.trim() === name);
}
