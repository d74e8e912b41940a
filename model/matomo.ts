import { z } from "zod";
import { EnvVarName, Identifier, instanceCommonShape, siteCommonShape } from "./common";

/**
 * The Matomo part of the desired-state model. Field names are the model's vocabulary; the mapping
 * to Matomo's own parameters lives in backends/matomo and nowhere else.
 */

const ParamList = z.array(z.string().trim().min(1).regex(/^[^,]+$/, "a list entry must not contain a comma (Matomo stores these lists comma-separated)"));

export const MatomoAuth = z.strictObject({
  /** Environment variable holding the token_auth (an app-specific token of a superuser). */
  tokenEnv: EnvVarName.describe("Environment variable holding the token_auth (an app-specific token of a superuser)."),
  /** Environment variable holding the account password: Matomo asks for it to change data retention. Without it, retention is not enforced, and reports say so. */
  passwordEnv: EnvVarName.optional().describe("Environment variable holding the account password: Matomo asks for it to change data retention. Without it, retention is not enforced, and reports say so."),
});

export const MatomoPrivacy = z.strictObject({
  /** Bytes of the visitor IP masked before storage, 0 (off) to 4. CNIL-IP-MASK-2B needs at least 2. */
  ipMaskBytes: z.number().int().min(0).max(4).default(2).describe("Bytes of the visitor IP masked before storage, 0 (off) to 4. CNIL-IP-MASK-2B needs at least 2."),
  /** Geolocation and provider enrichment use the masked IP (CNIL-IP-ENRICH-ANON). Matomo 5's own default is false. */
  useMaskedIpForEnrichment: z.boolean().default(true).describe("Geolocation and provider enrichment use the masked IP (CNIL-IP-ENRICH-ANON). Matomo 5's own default is false."),
  /** Referrer anonymisation (CNIL-REFERRER-ANON needs at least the query string removed). */
  referrer: z.enum(["keep", "exclude_query", "exclude_path", "exclude_all"]).default("exclude_all").describe("Referrer anonymisation (CNIL-REFERRER-ANON needs at least the query string removed)."),
  /** Months of raw data kept; Matomo counts days, months x 30 (25 -> 750 days, within the 758-day limit). `unlimited` turns deletion off. */
  rawDataRetentionMonths: z.union([z.number().int().min(1).max(1200), z.literal("unlimited")]).default(25).describe("Months of raw data kept; Matomo counts days, months x 30 (25 -> 750 days, within the 758-day limit). `unlimited` turns deletion off."),
  /** Pseudonymise the User ID before storage (hardening for CNIL-NO-USERID). */
  anonymizeUserId: z.boolean().default(true).describe("Pseudonymise the User ID before storage (hardening for CNIL-NO-USERID)."),
  /** Pseudonymise ecommerce order ids (CNIL-ECOMMERCE-OFF). */
  anonymizeOrderId: z.boolean().default(true).describe("Pseudonymise ecommerce order ids (CNIL-ECOMMERCE-OFF)."),
  /** Track without any cookie, instance-wide (satisfies CNIL-COOKIE-13M and CNIL-COOKIE-NO-EXTEND). Matomo rewrites matomo.js when this changes. */
  forceCookielessTracking: z.boolean().default(false).describe("Track without any cookie, instance-wide (satisfies CNIL-COOKIE-13M and CNIL-COOKIE-NO-EXTEND). Matomo rewrites matomo.js when this changes."),
  /** Honour the browser's Do-Not-Track signal (CNIL-DNT). Matomo 5's own default is off. */
  doNotTrack: z.boolean().default(true).describe("Honour the browser's Do-Not-Track signal (CNIL-DNT). Matomo 5's own default is off."),
  /** Instance-wide URL query parameters removed from every tracked URL (CNIL-NO-PII-URL). Absent: not managed. */
  globalExcludedQueryParameters: ParamList.optional().describe("Instance-wide URL query parameters removed from every tracked URL (CNIL-NO-PII-URL). Absent: not managed."),
});
export type MatomoPrivacy = z.infer<typeof MatomoPrivacy>;

export const MatomoRole = z.enum(["view", "write", "admin"]);
export type MatomoRole = z.infer<typeof MatomoRole>;

export const SiteSelection = z.union([z.literal("all"), z.array(Identifier).min(1, "list at least one site key, or write `all`")]);
export type SiteSelection = z.infer<typeof SiteSelection>;

export const MatomoUserAccess = z.strictObject({
  role: MatomoRole.describe("The role on the listed sites: view, write or admin."),
  /** Site keys of this instance, or `all` (every declared site). */
  sites: SiteSelection.describe("Site keys of this instance, or `all` (every declared site)."),
});

export const MatomoAccess = z.strictObject({
  /** Anonymous `view` (public statistics, TRANSPARENCY-PUBLIC-STATS) on every site of the instance. A site may override it. */
  publicStats: z.boolean().default(false).describe("Anonymous `view` (public statistics, TRANSPARENCY-PUBLIC-STATS) on every site of the instance. A site may override it."),
  /** Who may view or change which sites. Any other user with access to a managed site is drift. Superusers are not listed. */
  users: z.record(z.string().trim().min(1).regex(/^[^\s,]+$/, "expected a Matomo login"), MatomoUserAccess).default({}).describe("Who may view or change which sites. Any other user with access to a managed site is drift. Superusers are not listed."),
  /** Revoke the access of users not declared here (with `--prune`). Off: undeclared access is reported as drift, never removed. */
  revokeUndeclared: z.boolean().default(false).describe("Revoke the access of users not declared here (with `--prune`). Off: undeclared access is reported as drift, never removed."),
});
export type MatomoAccess = z.infer<typeof MatomoAccess>;

/** Privacy-relevant parameters of a Tag Manager "Matomo Configuration" variable. */
export const MatomoTrackerConfiguration = z.strictObject({
  /** Recognise visitors across domains with pk_vid (CNIL-NO-CROSS-DOMAIN). */
  enableCrossDomainLinking: z.boolean().default(false).describe("Recognise visitors across domains with pk_vid (CNIL-NO-CROSS-DOMAIN)."),
  /** A User ID expression; any value links analytics to accounts (CNIL-NO-USERID). */
  userId: z.string().default("").describe("A User ID expression; any value links analytics to accounts (CNIL-NO-USERID)."),
  /** Track without cookies (satisfies CNIL-COOKIE-13M and CNIL-COOKIE-NO-EXTEND). */
  disableCookies: z.boolean().default(false).describe("Track without cookies (satisfies CNIL-COOKIE-13M and CNIL-COOKIE-NO-EXTEND)."),
  /** Wait for consent before tracking at all. An exempt site normally leaves this off. */
  requireConsent: z.boolean().default(false).describe("Wait for consent before tracking at all. An exempt site normally leaves this off."),
  /** Wait for consent before setting cookies. */
  requireCookieConsent: z.boolean().default(false).describe("Wait for consent before setting cookies."),
  /** Honour Do-Not-Track in the tracker (CNIL-DNT). */
  enableDoNotTrack: z.boolean().default(true).describe("Honour Do-Not-Track in the tracker (CNIL-DNT)."),
  /** Visitor cookie lifetime in days (CNIL-COOKIE-13M: at most 393). Absent: the tracker's default of 393 days. */
  visitorCookieDays: z.number().int().min(1).max(3650).optional().describe("Visitor cookie lifetime in days (CNIL-COOKIE-13M: at most 393). Absent: the tracker's default of 393 days."),
  /** Cookie domain; must stay the site's own domain (CNIL-NO-CROSS-SITE-ID). Absent: the page's domain. */
  cookieDomain: z.string().optional().describe("Cookie domain; must stay the site's own domain (CNIL-NO-CROSS-SITE-ID). Absent: the page's domain."),
  /** Send cookies over HTTPS only. */
  secureCookie: z.boolean().default(true).describe("Send cookies over HTTPS only."),
});
export type MatomoTrackerConfiguration = z.infer<typeof MatomoTrackerConfiguration>;
/** The tracker settings Exempt reconciles in a "Matomo Configuration" variable, in declaration order. */
export const TRACKER_CONFIGURATION_FIELDS = Object.keys(MatomoTrackerConfiguration.shape) as Array<keyof MatomoTrackerConfiguration>;

export const MatomoDeclaredTag = z.strictObject({
  /** The tag's name in the container. */
  name: z.string().trim().min(1).describe("The tag's name in the container."),
  /** Tag Manager tag type, e.g. Matomo, CustomHtml. */
  type: z.string().trim().min(1).describe("Tag Manager tag type, e.g. Matomo, CustomHtml."),
  /** Whether the tag fires before consent. On an exempt site only the Matomo tag may (CNIL-NO-UNCONSENTED-TAGS). */
  firesWithoutConsent: z.boolean().default(false).describe("Whether the tag fires before consent. On an exempt site only the Matomo tag may (CNIL-NO-UNCONSENTED-TAGS)."),
});
export type MatomoDeclaredTag = z.infer<typeof MatomoDeclaredTag>;

export const MatomoContainer = z.strictObject({
  /** The container's name; identifies it on the live side unless `idContainer` is declared. */
  name: z.string().trim().min(1).default("Default Container").describe("The container's name; identifies it on the live side unless `idContainer` is declared."),
  /** Matomo's container id (8 characters), when known. */
  idContainer: z.string().regex(/^[A-Za-z0-9]{8}$/, "expected Matomo's 8-character container id").optional().describe("Matomo's container id (8 characters), when known."),
  /** The "Matomo Configuration" variable of the container, reconciled field by field. */
  matomoConfiguration: MatomoTrackerConfiguration.prefault({}).describe("The \"Matomo Configuration\" variable of the container, reconciled field by field."),
  /** Tags the container holds besides the Matomo tag, declared so the pack can judge them. */
  tags: z.record(Identifier, MatomoDeclaredTag).default({}).describe("Tags the container holds besides the Matomo tag, declared so the pack can judge them."),
  /** Publish a new version to the `live` environment when something changed. */
  publishLive: z.boolean().default(true).describe("Publish a new version to the `live` environment when something changed."),
});
export type MatomoContainer = z.infer<typeof MatomoContainer>;

/** Premium or optional features that need consent; declared so the pack can refuse them on exempt sites. */
export const MeasurementFeatures = z.strictObject({
  heatmaps: z.boolean().default(false).describe("Heatmaps (CNIL-NO-HSR: consent needed)."),
  sessionRecordings: z.boolean().default(false).describe("Session recordings (CNIL-NO-HSR: consent needed)."),
  abTesting: z.boolean().default(false).describe("A/B tests and personalisation (CNIL-NO-COHORTS: consent needed)."),
  marketingCampaigns: z.boolean().default(false).describe("Campaign and acquisition reporting (CNIL-NO-MARKETING: consent needed)."),
  /** The visitor log and visitor profiles (visit-level data, CNIL-AGGREGATE-ONLY). */
  visitorLog: z.boolean().default(false).describe("The visitor log and visitor profiles (visit-level data, CNIL-AGGREGATE-ONLY)."),
});
export type MeasurementFeatures = z.infer<typeof MeasurementFeatures>;

export const MatomoSite = z.strictObject({
  ...siteCommonShape,
  /** Matomo's idSite; when declared it identifies the site instead of its main URL. */
  idSite: z.number().int().min(1).optional().describe("Matomo's idSite; when declared it identifies the site instead of its main URL."),
  /** Track only URLs of this site (CNIL-SINGLE-PUBLISHER). */
  excludeUnknownUrls: z.boolean().default(true).describe("Track only URLs of this site (CNIL-SINGLE-PUBLISHER)."),
  /** URL query parameters removed before storage (CNIL-NO-PII-URL). */
  excludedQueryParameters: ParamList.default([]).describe("URL query parameters removed before storage (CNIL-NO-PII-URL)."),
  /** IPs excluded from tracking (e.g. the publisher's own network). */
  excludedIps: ParamList.default([]).describe("IPs excluded from tracking (e.g. the publisher's own network)."),
  excludedUserAgents: ParamList.default([]).describe("User agents excluded from tracking."),
  excludedReferrers: ParamList.default([]).describe("Referrers excluded from the referrer reports."),
  /** Ecommerce analytics (CNIL-ECOMMERCE-OFF). */
  ecommerce: z.boolean().default(false).describe("Ecommerce analytics (CNIL-ECOMMERCE-OFF)."),
  /** Site search tracking. Absent: not managed. */
  siteSearch: z.boolean().optional().describe("Site search tracking. Absent: not managed."),
  searchKeywordParameters: ParamList.optional().describe("URL parameters that carry a site-search keyword. Absent: not managed."),
  searchCategoryParameters: ParamList.optional().describe("URL parameters that carry a site-search category. Absent: not managed."),
  /** IANA timezone of reports. Absent: not managed (a new site gets the instance default). */
  timezone: z.string().trim().min(1).optional().describe("IANA timezone of reports. Absent: not managed (a new site gets the instance default)."),
  /** ISO currency code. Absent: not managed. */
  currency: z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 currency code such as EUR").optional().describe("ISO currency code. Absent: not managed."),
  /** Matomo's site group. Absent: not managed. */
  group: z.string().optional().describe("Matomo's site group. Absent: not managed."),
  /** Keep the #fragment of URLs: `global` follows the instance setting. Absent: not managed. */
  keepUrlFragments: z.enum(["global", "keep", "remove"]).optional().describe("Keep the #fragment of URLs: `global` follows the instance setting. Absent: not managed."),
  /** Anonymous view for this site; overrides `access.publicStats` of the instance. */
  publicStats: z.boolean().optional().describe("Anonymous view for this site; overrides `access.publicStats` of the instance."),
  features: MeasurementFeatures.prefault({}).describe("Features that need consent, declared so the pack can judge them (plugins are not read through the API)."),
  tagManager: z
    .strictObject({ containers: z.record(Identifier, MatomoContainer).default({}).describe("Containers by key.") })
    .optional()
    .describe("Tag Manager containers to reconcile. Absent: Tag Manager is not managed for this site."),
});
export type MatomoSite = z.infer<typeof MatomoSite>;
export type MatomoSiteInput = z.input<typeof MatomoSite>;

export const MatomoDatabaseObserver = z.strictObject({
  /** mariadb or mysql (the same wire protocol). */
  engine: z.enum(["mariadb", "mysql"]).default("mariadb").describe("mariadb or mysql (the same wire protocol)."),
  host: z.string().trim().min(1).default("127.0.0.1").describe("Database host."),
  port: z.number().int().min(1).max(65535).default(3306).describe("Database port."),
  database: z.string().trim().min(1).default("matomo").describe("Matomo's database name."),
  /** Environment variable holding the read-only user's name. */
  userEnv: EnvVarName.describe("Environment variable holding the read-only user's name."),
  /** Environment variable holding its password. */
  passwordEnv: EnvVarName.describe("Environment variable holding its password."),
  /** Matomo's table prefix. */
  tablePrefix: z.string().regex(/^[A-Za-z0-9_]*$/, "expected a table prefix of letters, digits and '_'").default("matomo_").describe("Matomo's table prefix."),
  /** Connect over a Unix socket instead of host:port. */
  socketPath: z.string().optional().describe("Connect over a Unix socket instead of host:port."),
});
export type MatomoDatabaseObserver = z.infer<typeof MatomoDatabaseObserver>;

export const MatomoInstance = z.strictObject({
  kind: z.literal("matomo").describe("The product: matomo (self-hosted or Matomo Cloud)."),
  ...instanceCommonShape,
  auth: MatomoAuth.describe("Where the credentials come from: names of environment variables, never values."),
  privacy: MatomoPrivacy.prefault({}).describe("Instance-wide privacy settings (Matomo keeps them per instance, not per site)."),
  access: MatomoAccess.prefault({}).describe("Public statistics and who may view or change which sites."),
  /** A read-only view of Matomo's option table, to observe the privacy settings the API cannot read. */
  observer: z.strictObject({ database: MatomoDatabaseObserver }).optional().describe("A read-only view of Matomo's option table, to observe the privacy settings the API cannot read."),
  sites: z.record(Identifier, MatomoSite).default({}).describe("The sites measured by this instance, by site key."),
});
export type MatomoInstance = z.infer<typeof MatomoInstance>;
export type MatomoInstanceInput = z.input<typeof MatomoInstance>;

export const MATOMO_RETENTION_DAYS_PER_MONTH = 30;

/** The day count Matomo is given for a retention in months (25 -> 750), or undefined for `unlimited`. */
export function retentionDays(months: number | "unlimited"): number | undefined {
  return months === "unlimited" ? undefined : months * MATOMO_RETENTION_DAYS_PER_MONTH;
}
