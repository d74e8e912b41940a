import { NO_ACCESS } from "../../engine/diff";
import type { LiveTag } from "../../engine/types";
import type { PiwikProApp, PiwikProTag } from "../../model/piwikpro";
import type { AppAttributes, PermissionAttributes, TagAttributes, TagListAttributes, TrackerAttributes } from "./responses";

/**
 * The only place that knows Piwik PRO's names: app attributes (camelCase), tracker settings
 * (snake_case), Tag Manager tag attributes and access-control permissions, each mapped to and from
 * the model's words. Everything else in the backend speaks the model.
 */

// ---------------------------------------------------------------------------------------- apps

/**
 * Defaults the apps documents declare for attributes an answer may leave out (a real account's
 * app has been seen without some keys). An absent attribute holds the product's default.
 */
const APP_DEFAULTS = {
  excludeUnknownUrls: false,
  eCommerceTracking: true,
  gdpr: true,
  gdprDataAnonymization: true,
  gdprDataAnonymizationMode: "session_cookie_id",
  excludedUrlParams: [] as string[],
} as const;

export type WithoutConsent = PiwikProApp["withoutConsent"];

/**
 * What Piwik PRO collects from visitors who gave no consent.
 * UNCONFIRMED (cookieless): `no_device_storage` is "collect data without using cookies" and
 * `session_cookie_id` is "collect data using a 30-minute cookie"; inferred from the enum names and
 * the help centre's wording, stated by no Piwik PRO source.
 */
export function withoutConsentOf(attributes: Pick<AppAttributes, "gdprDataAnonymization" | "gdprDataAnonymizationMode">): string {
  const anonymization = attributes.gdprDataAnonymization ?? APP_DEFAULTS.gdprDataAnonymization;
  if (!anonymization) return "nothing";
  const mode = attributes.gdprDataAnonymizationMode ?? APP_DEFAULTS.gdprDataAnonymizationMode;
  if (mode === "no_device_storage") return "cookieless";
  if (mode === "session_cookie_id") return "session-cookie";
  // A mode this client does not know is shown as it is, so the plan says what it found.
  return `unknown mode '${mode}'`;
}

/** The attributes that say `withoutConsent`. `nothing` leaves the mode alone: it means nothing then. */
export function withoutConsentAttributes(value: WithoutConsent): Record<string, unknown> {
  if (value === "nothing") return { gdprDataAnonymization: false };
  return { gdprDataAnonymization: true, gdprDataAnonymizationMode: value === "cookieless" ? "no_device_storage" : "session_cookie_id" };
}

/** An app's attributes as the model's site settings (LiveSite.settings). */
export function appSettingsOf(attributes: AppAttributes): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    excludeUnknownUrls: attributes.excludeUnknownUrls ?? APP_DEFAULTS.excludeUnknownUrls,
    askConsent: attributes.gdpr ?? APP_DEFAULTS.gdpr,
    withoutConsent: withoutConsentOf(attributes),
    excludedQueryParameters: attributes.excludedUrlParams ?? [...APP_DEFAULTS.excludedUrlParams],
    ecommerce: attributes.eCommerceTracking ?? APP_DEFAULTS.eCommerceTracking,
  };
  if (attributes.timezone !== undefined) settings.timezone = attributes.timezone;
  if (attributes.currency !== undefined) settings.currency = attributes.currency;
  return settings;
}

/** Each model site field the engine diffs, and the app attributes that carry it. */
const APP_FIELD_WRITERS: Readonly<Record<string, (app: PiwikProApp) => Record<string, unknown> | undefined>> = {
  name: (app) => ({ name: app.name }),
  urls: (app) => ({ urls: [...app.urls] }),
  excludeUnknownUrls: (app) => ({ excludeUnknownUrls: app.excludeUnknownUrls }),
  askConsent: (app) => ({ gdpr: app.askConsent }),
  withoutConsent: (app) => withoutConsentAttributes(app.withoutConsent),
  excludedQueryParameters: (app) => (app.excludedQueryParameters === undefined ? undefined : { excludedUrlParams: [...app.excludedQueryParameters] }),
  ecommerce: (app) => ({ eCommerceTracking: app.ecommerce }),
  timezone: (app) => (app.timezone === undefined ? undefined : { timezone: app.timezone }),
  currency: (app) => (app.currency === undefined ? undefined : { currency: app.currency }),
};

export function isAppField(field: string): boolean {
  return field in APP_FIELD_WRITERS;
}

/** Only the attributes of the fields that changed: a PATCH sends what it changes, nothing else. */
export function appAttributesFor(app: PiwikProApp, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) Object.assign(out, APP_FIELD_WRITERS[field]?.(app) ?? {});
  return out;
}

/** Every declared attribute, for a create: a new app starts right, not with Piwik PRO's defaults. */
export function appAttributesForCreate(app: PiwikProApp): Record<string, unknown> {
  return appAttributesFor(app, Object.keys(APP_FIELD_WRITERS));
}

export const APP_TYPE = "ppms/app";

// --------------------------------------------------------------------------- tracker settings

/** Model privacy field → tracker setting (the same names globally and per app). */
export const PRIVACY_SETTINGS = {
  ipMaskBytes: "anonymize_visitor_ip_level",
  // UNCONFIRMED (enrichment): matched on the description "geolocation calculation is based on anonymized IP".
  useMaskedIpForEnrichment: "fingerprint_based_on_anonymized_ip",
  geolocation: "anonymize_visitor_geolocation_level",
  dropIp: "set_ip_tracking",
} as const satisfies Record<string, keyof TrackerAttributes>;

export type PrivacyField = keyof typeof PRIVACY_SETTINGS;
export const PRIVACY_FIELDS = Object.keys(PRIVACY_SETTINGS) as PrivacyField[];

export function isPrivacyField(field: string): field is PrivacyField {
  return field in PRIVACY_SETTINGS;
}

/** `City` ↔ `city`: the tracker capitalises every level but `none`. */
function geolocationToModel(level: string): string {
  return level === "none" ? "none" : level.charAt(0).toLowerCase() + level.slice(1);
}

function geolocationToTracker(level: string): string {
  return level === "none" ? "none" : level.charAt(0).toUpperCase() + level.slice(1);
}

/** The privacy fields a tracker-settings answer holds, in model words; absent settings are listed. */
export function privacyOf(attributes: TrackerAttributes): { privacy: Record<string, unknown>; missing: PrivacyField[] } {
  const privacy: Record<string, unknown> = {};
  const missing: PrivacyField[] = [];
  const put = (field: PrivacyField, value: unknown) => (value === undefined ? missing.push(field) : (privacy[field] = value));
  put("ipMaskBytes", attributes.anonymize_visitor_ip_level);
  put("useMaskedIpForEnrichment", attributes.fingerprint_based_on_anonymized_ip);
  put("geolocation", attributes.anonymize_visitor_geolocation_level === undefined ? undefined : geolocationToModel(attributes.anonymize_visitor_geolocation_level));
  // The tracker says whether to keep the IP; the model says whether to drop it.
  put("dropIp", attributes.set_ip_tracking === undefined ? undefined : !attributes.set_ip_tracking);
  return { privacy, missing };
}

/** Model privacy values → tracker-setting attributes, for a PATCH of the global settings. */
export function trackerAttributesFor(privacy: Partial<Record<PrivacyField, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(privacy) as Array<[PrivacyField, unknown]>) {
    if (value === undefined) continue;
    const setting = PRIVACY_SETTINGS[field];
    if (field === "geolocation") out[setting] = geolocationToTracker(String(value));
    else if (field === "dropIp") out[setting] = !value;
    else out[setting] = value;
  }
  return out;
}

/**
 * An app's privacy overrides: the effective per-app values that differ from the account's.
 * UNCONFIRMED (inheritance): the per-app answer gives effective values without saying which are
 * inherited, so an override equal to the global value cannot be seen (and changes nothing today).
 */
export function privacyOverridesOf(appSettings: TrackerAttributes, global: Record<string, unknown>): Record<string, unknown> {
  const { privacy } = privacyOf(appSettings);
  const overrides: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(privacy)) {
    if (field in global && JSON.stringify(global[field]) !== JSON.stringify(value)) overrides[field] = value;
  }
  return overrides;
}

/** The tracker setting to DELETE to reset one model privacy field of an app to the global value. */
export function trackerSettingOf(field: PrivacyField): string {
  return PRIVACY_SETTINGS[field];
}

export const GLOBAL_SETTINGS_TYPE = "tracker/settings/app/global";

// --------------------------------------------------------------------------------------- tags

export const TAG_TYPE = "tag";

export function liveTagOf(id: string, attributes: TagListAttributes | TagAttributes): LiveTag {
  const tag: LiveTag = {
    tagId: id,
    name: attributes.name,
    template: attributes.template,
    consentType: attributes.consent_type,
    active: attributes.is_active,
  };
  if (attributes.is_published !== undefined) tag.published = attributes.is_published;
  if ("template_options" in attributes && attributes.template_options !== undefined) {
    // Piwik PRO fills these in itself and refuses them on create: they are not the user's settings.
    const { tracker_domains: _d, tracker_php_url: _p, tracker_js_url: _j, tracker_site_id: _s, ...options } = attributes.template_options as Record<string, unknown>;
    tag.templateOptions = options;
  }
  return tag;
}

/**
 * The rule pack judges `template_options` of the Piwik PRO tag (user_id, cookie_domain,
 * cross_domain_tracking, visitor_cookie_timeout); the tag list leaves them out, so only these tags
 * are read one by one.
 */
export function tagNeedsFullRead(attributes: TagListAttributes): boolean {
  return attributes.template === "piwik";
}

/**
 * A new tag. Piwik PRO's template requires `template_options` (`{}` is allowed); other templates
 * get them only when declared, since some templates have none and refuse unknown attributes.
 */
export function tagCreateAttributes(tag: PiwikProTag): Record<string, unknown> {
  const attributes: Record<string, unknown> = {
    name: tag.name,
    template: tag.template,
    consent_type: tag.consentType,
    is_active: tag.active,
  };
  if (tag.templateOptions !== undefined) attributes.template_options = { ...tag.templateOptions };
  else if (tag.template === "piwik") attributes.template_options = {};
  return attributes;
}

/** The edits the engine plans on a tag; `template` is never sent (Piwik PRO cannot change it). */
export function tagUpdateAttributes(change: { consentType?: string; active?: boolean }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (change.consentType !== undefined) out.consent_type = change.consentType;
  if (change.active !== undefined) out.is_active = change.active;
  return out;
}

// -------------------------------------------------------------------------------- permissions

export const PERMISSION_TYPE = "app/permission/user";

const PERMISSION_RANK = ["no-access", "view", "edit", "edit-publish", "manage"];

/** Model role (view, edit, edit-publish, manage, or the engine's `noaccess`) → Piwik PRO permission. */
export function permissionOf(role: string): string {
  return role === NO_ACCESS ? "no-access" : role;
}

export function roleOf(permission: string): string {
  return permission === "no-access" ? NO_ACCESS : permission;
}

/**
 * A user's direct permission on an app. The documents require `permissions` but never define it,
 * and leave the documented `permission` optional: the latter is used when present, else the
 * highest of the former.
 */
export function directPermissionOf(attributes: PermissionAttributes): string {
  if (attributes.permission !== undefined) return attributes.permission;
  const list = typeof attributes.permissions === "string" ? [attributes.permissions] : attributes.permissions ?? [];
  return list.reduce((best, p) => (PERMISSION_RANK.indexOf(p) > PERMISSION_RANK.indexOf(best) ? p : best), "no-access");
}

export function isOwnerRole(role: string | undefined): boolean {
  return role === "OWNER";
}
