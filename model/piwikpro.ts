import { z } from "zod";
import { EnvVarName, Identifier, instanceCommonShape, siteCommonShape } from "./common";
import { SiteSelection } from "./matomo";

/**
 * The Piwik PRO part of the desired-state model, in the model's words; backends/piwikpro maps them
 * to Piwik PRO's attributes (camelCase apps, snake_case tracker settings, Tag Manager tags).
 */

export const PiwikProAuth = z.strictObject({
  /** Environment variable holding the API client id. */
  clientIdEnv: EnvVarName.describe("Environment variable holding the API client id."),
  /** Environment variable holding the API client secret. */
  clientSecretEnv: EnvVarName.describe("Environment variable holding the API client secret."),
});

export const PiwikProGeolocation = z.enum(["none", "city", "region", "country", "continent"]);

/** Account-wide tracker settings (Administration > Platform > Privacy); apps must not override them. */
export const PiwikProPrivacy = z.strictObject({
  /** Bytes of the visitor IP masked, 0 (off) to 4. CNIL-IP-MASK-2B: at least 1 (error), 2 recommended (warning below). */
  ipMaskBytes: z.number().int().min(0).max(4).default(2).describe("Bytes of the visitor IP masked, 0 (off) to 4. CNIL-IP-MASK-2B: at least 1 (error), 2 recommended (warning below)."),
  /** Geolocation computed from the masked IP (CNIL-IP-ENRICH-ANON). */
  useMaskedIpForEnrichment: z.boolean().default(true).describe("Geolocation computed from the masked IP (CNIL-IP-ENRICH-ANON)."),
  /** Geolocation precision kept (CNIL-GEO-CITY: no finer than city, so not `none`). */
  geolocation: PiwikProGeolocation.default("city").describe("Geolocation precision kept (CNIL-GEO-CITY: no finer than city, so not `none`)."),
  /** Drop the IP entirely (optional hardening). Absent: not managed. */
  dropIp: z.boolean().optional().describe("Drop the IP entirely (optional hardening). Absent: not managed."),
});
export type PiwikProPrivacy = z.infer<typeof PiwikProPrivacy>;

export const PiwikProRole = z.enum(["view", "edit", "edit-publish", "manage"]);
export type PiwikProRole = z.infer<typeof PiwikProRole>;

export const PiwikProAccess = z.strictObject({
  /** Users by e-mail: their permission on which apps. Any other user with a permission on a managed app is drift. */
  users: z
    .record(z.string().trim().email("expected a user's e-mail address"), z.strictObject({ role: PiwikProRole, sites: SiteSelection }))
    .default({})
    .describe("Users by e-mail: their permission on which apps. Any other user with a permission on a managed app is drift."),
  /** Revoke the permissions of users not declared here (with `--prune`). Off: undeclared permissions are reported as drift, never removed. */
  revokeUndeclared: z.boolean().default(false).describe("Revoke the permissions of users not declared here (with `--prune`). Off: undeclared permissions are reported as drift, never removed."),
});

/** Consent types of Piwik PRO Tag Manager, verbatim. */
export const PiwikProConsentType = z.enum([
  "not_require_consent",
  "analytics",
  "ab_testing_and_personalization",
  "conversion_tracking",
  "marketing_automation",
  "remarketing",
  "user_feedback",
  "custom_consent",
]);
export type PiwikProConsentType = z.infer<typeof PiwikProConsentType>;

export const PiwikProTag = z.strictObject({
  /** The tag's name; identifies it on the live side unless `tagId` is declared. */
  name: z.string().trim().min(1).describe("The tag's name; identifies it on the live side unless `tagId` is declared."),
  /** Tag Manager template, e.g. piwik, custom_tag, hot_jar. Cannot change after creation. */
  template: z.string().regex(/^[a-z0-9_]+$/, "expected a Tag Manager template name such as piwik").describe("Tag Manager template, e.g. piwik, custom_tag, hot_jar. Cannot change after creation."),
  /** Consent type; the Piwik PRO tag must be `analytics` (CNIL-TAG-CONSENT-ANALYTICS). Default: analytics. */
  consentType: PiwikProConsentType.default("analytics").describe("Consent type; the Piwik PRO tag must be `analytics` (CNIL-TAG-CONSENT-ANALYTICS). Default: analytics."),
  /** Piwik PRO's tag id (uuid), when known. */
  tagId: z.string().uuid().optional().describe("Piwik PRO's tag id (uuid), when known."),
  active: z.boolean().default(true).describe("Whether the tag is active."),
  /** Template options sent as is (e.g. { cross_domain_tracking: false }); absent: not managed. */
  templateOptions: z.record(z.string(), z.unknown()).optional().describe("Template options sent as is (e.g. { cross_domain_tracking: false }); absent: not managed."),
});
export type PiwikProTag = z.infer<typeof PiwikProTag>;

export const PiwikProApp = z.strictObject({
  ...siteCommonShape,
  /** Piwik PRO's app id (uuid); when declared it identifies the app instead of its main URL. */
  appId: z.string().uuid("expected Piwik PRO's app id (a UUID)").optional().describe("Piwik PRO's app id (uuid); when declared it identifies the app instead of its main URL."),
  /** Track only URLs of this app (CNIL-SINGLE-PUBLISHER). Piwik PRO's own default is false. */
  excludeUnknownUrls: z.boolean().default(true).describe("Track only URLs of this app (CNIL-SINGLE-PUBLISHER). Piwik PRO's own default is false."),
  /** Ask visitors for consent (Consent Manager on for this app). */
  askConsent: z.boolean().default(true).describe("Ask visitors for consent (Consent Manager on for this app)."),
  /** What is collected without consent: `cookieless` (no device storage, the CNIL guide's setting), `session-cookie`, or `nothing`. */
  withoutConsent: z.enum(["cookieless", "session-cookie", "nothing"]).default("cookieless").describe("What is collected without consent: `cookieless` (no device storage, the CNIL guide's setting), `session-cookie`, or `nothing`."),
  /** URL parameters removed before storage (CNIL-NO-PII-URL). Absent: not managed (Piwik PRO pre-fills click ids). */
  excludedQueryParameters: z.array(z.string().trim().min(1)).optional().describe("URL parameters removed before storage (CNIL-NO-PII-URL). Absent: not managed (Piwik PRO pre-fills click ids)."),
  /** Ecommerce analytics (CNIL-ECOMMERCE-OFF); Piwik PRO's own default is true. */
  ecommerce: z.boolean().default(false).describe("Ecommerce analytics (CNIL-ECOMMERCE-OFF); Piwik PRO's own default is true."),
  timezone: z.string().trim().min(1).optional().describe("IANA timezone of reports. Absent: not managed."),
  currency: z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 currency code such as EUR").optional().describe("ISO currency code. Absent: not managed."),
  /** Tags of the app's Tag Manager, by key. Live tags not declared here are reported, never deleted. */
  tags: z.record(Identifier, PiwikProTag).default({}).describe("Tags of the app's Tag Manager, by key. Live tags not declared here are reported, never deleted."),
  /** Publish Tag Manager changes (and wait for the operation to complete). */
  publishTags: z.boolean().default(true).describe("Publish Tag Manager changes (and wait for the operation to complete)."),
});
export type PiwikProApp = z.infer<typeof PiwikProApp>;
export type PiwikProAppInput = z.input<typeof PiwikProApp>;

export const PiwikProInstance = z.strictObject({
  kind: z.literal("piwikpro").describe("The product: piwikpro (a Piwik PRO account)."),
  ...instanceCommonShape,
  auth: PiwikProAuth.describe("API client credentials: names of environment variables, never values."),
  privacy: PiwikProPrivacy.prefault({}).describe("Account-wide tracker settings; apps must not override them."),
  access: PiwikProAccess.prefault({}).describe("Who may view or change which apps."),
  sites: z.record(Identifier, PiwikProApp).default({}).describe("The apps of this account, by site key."),
});
export type PiwikProInstance = z.infer<typeof PiwikProInstance>;
export type PiwikProInstanceInput = z.input<typeof PiwikProInstance>;
