/**
 * The emulated Matomo database, in memory: what a fresh 5.1.2 install with Tag Manager holds
 * (superuser `admin`, the `anonymous` user, site 1 from the installer) and what the API adds.
 * Everything is indexed by id, because the benchmark reads fleets of 10,000 sites.
 */
import { ApiError, MSG } from "./errors";
import { MatomoOptionStore } from "./options";
import { TagManagerState, newTagManagerState } from "./tm-model";

export interface Site {
  idsite: number;
  /** Stored HTML-escaped, as Matomo sanitizes input; the JSON renderer decodes it. */
  name: string;
  main_url: string;
  ts_created: string;
  ecommerce: number;
  sitesearch: number;
  sitesearch_keyword_parameters: string;
  sitesearch_category_parameters: string;
  timezone: string;
  currency: string;
  exclude_unknown_urls: number;
  excluded_ips: string;
  excluded_parameters: string;
  excluded_user_agents: string;
  excluded_referrers: string;
  group: string;
  type: string;
  keep_url_fragment: number;
  creator_login: string;
  /** The site's other URLs (the `site_url` rows besides the main URL). */
  aliases: string[];
}

export interface User {
  login: string;
  email: string;
  password: string;
  superuser: boolean;
  date_registered: string;
}

export interface Token {
  value: string;
  login: string;
  description: string;
  /** The `secure_only` column: the token is refused unless it came in a POST body. */
  secureOnly: boolean;
  dateCreated: string;
  /** Epoch milliseconds, or null for no expiry. */
  expiresAt: number | null;
}

/** A user's rights on one site: a role and extra capabilities (rows of Matomo's `access` table). */
export interface SiteAccess {
  role?: "view" | "write" | "admin";
  capabilities: Set<string>;
}

export interface MatomoState {
  readonly superuserLogin: string;
  readonly clock: () => Date;
  /** Set once the server listens, when derived from the listen address. */
  matomoUrl: string;
  readonly version: string;
  readonly numbersAsStrings: boolean;
  sites: Map<number, Site>;
  nextSiteId: number;
  users: Map<string, User>;
  tokens: Map<string, Token>;
  /** login -> idsite -> access; rows may point at sites that do not exist (a recorded Matomo bug). */
  access: Map<string, Map<number, SiteAccess>>;
  /** SitesManager's instance-wide settings (the `option` rows other than the privacy ones). */
  globals: Map<string, string>;
  /** Privacy settings: the option rows privacy.json records, behind a swappable store. */
  options: MatomoOptionStore;
  tm: TagManagerState;
  /** Failed authentications per client IP, as epoch milliseconds (Login plugin's brute_force_log). */
  failedLogins: Map<string, number[]>;
}

export function formatDateTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace("T", " ");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Tag Manager's `*_pretty` dates: "Nov 22, 2026 10:35:49" (shown in UTC; see README). */
export function formatPrettyDate(datetime: string): string {
  // Asked for every date of every container, version, tag, trigger and variable of an answer, and
  // most are the same few seconds: remembered (a pure function of its text; the memo is bounded).
  let pretty = prettyDates.get(datetime);
  if (pretty === undefined) {
    const [date, time] = datetime.split(" ");
    const [y, m, d] = date.split("-").map((x) => parseInt(x, 10));
    pretty = `${MONTHS[m - 1]} ${d}, ${y} ${time}`;
    if (prettyDates.size >= 10_000) prettyDates.clear();
    prettyDates.set(datetime, pretty);
  }
  return pretty;
}

const prettyDates = new Map<string, string>();

export interface FreshInstallOptions {
  token: string;
  password: string;
  clock: () => Date;
  matomoUrl: string;
  version: string;
  numbersAsStrings: boolean;
  options: MatomoOptionStore;
}

/** The database right after the installer ran (and Tag Manager was activated). */
export function freshInstall(o: FreshInstallOptions): MatomoState {
  const installed = o.clock();
  const at = (secondsBefore: number) => formatDateTime(new Date(installed.getTime() - secondsBefore * 1000));
  const state: MatomoState = {
    superuserLogin: "admin",
    clock: o.clock,
    matomoUrl: o.matomoUrl,
    version: o.version,
    numbersAsStrings: o.numbersAsStrings,
    sites: new Map(),
    nextSiteId: 1,
    users: new Map(),
    tokens: new Map(),
    access: new Map(),
    globals: new Map(),
    options: o.options,
    tm: newTagManagerState(),
    failedLogins: new Map(),
  };
  // The installer creates `anonymous` first, then the superuser, then the first website.
  state.users.set("anonymous", { login: "anonymous", email: "anonymous@example.org", password: "", superuser: false, date_registered: at(6) });
  state.users.set("admin", { login: "admin", email: "admin@example.org", password: o.password, superuser: true, date_registered: at(2) });
  state.tokens.set(o.token, { value: o.token, login: "admin", description: "installer", secureOnly: false, dateCreated: at(2), expiresAt: null });
  return state;
}

/** The site row the installer writes: "First Site", created by `anonymous`, before anyone logged in. */
export function installerSite(state: MatomoState): Site {
  return {
    idsite: state.nextSiteId++,
    name: "First Site",
    main_url: "https://first.example.org",
    ts_created: formatDateTime(state.clock()),
    ecommerce: 0,
    sitesearch: 1,
    sitesearch_keyword_parameters: "",
    sitesearch_category_parameters: "",
    timezone: "UTC",
    currency: "USD",
    exclude_unknown_urls: 0,
    excluded_ips: "",
    excluded_parameters: "",
    excluded_user_agents: "",
    excluded_referrers: "",
    group: "",
    type: "website",
    keep_url_fragment: 0,
    creator_login: "anonymous",
    aliases: [],
  };
}

/** The site an idSite names, or Matomo's "unexpected website" error quoting the value as sent. */
export function existingSite(state: MatomoState, raw: unknown): Site {
  const text = raw === null || raw === undefined ? "" : String(raw);
  const site = /^\d+$/.test(text) ? state.sites.get(parseInt(text, 10)) : undefined;
  if (!site) throw new ApiError(MSG.unexpectedWebsite(text));
  return site;
}
