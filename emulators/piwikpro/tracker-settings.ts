import { findApp } from "./apps";
import type { Context } from "./context";
import { PlatformError, Refusal, invalidForm, platformErrors, refuse } from "./errors";
import { isUuid } from "./ids";
import { jsonApi, noContent, platformResource, readDocument } from "./jsonapi";
import type { App, PiwikProState } from "./state";
import { timestamp } from "./time";

type Spec =
  | { kind: "boolean"; initial: boolean }
  | { kind: "strings"; initial: string[] }
  | { kind: "choice"; choices: readonly (string | number)[]; initial: string | number; label: string }
  | { kind: "range"; min: number; max: number; initial: number };

const strings = (...initial: string[]): Spec => ({ kind: "strings", initial });
const flag = (initial: boolean): Spec => ({ kind: "boolean", initial });

/**
 * Tracker settings (v2) with the "Initial global value" each description of the documents gives.
 * Global and per-app settings share this set; per app adds `urls`. Enums are exact: the
 * geolocation levels are capitalised except `none`.
 */
export const TRACKER_SETTINGS: Readonly<Record<string, Spec>> = {
  anonymize_visitor_geolocation_level: { kind: "choice", choices: ["none", "City", "Region", "Country", "Continent"], initial: "none", label: "geolocation anonymization level" },
  anonymize_visitor_ip_level: { kind: "choice", choices: [0, 1, 2, 3, 4], initial: 0, label: "anonymization level" },
  campaign_content_params: strings("pk_content", "utm_content"),
  campaign_id_params: strings("pk_cid", "utm_id"),
  campaign_keyword_params: strings("pk_medium", "utm_medium"),
  campaign_medium_params: strings("pk_medium", "utm_medium"),
  campaign_name_params: strings("pk_campaign", "piwik_campaign", "pk_cpn", "utm_campaign"),
  campaign_source_params: strings("pk_source", "utm_source"),
  create_new_visit_when_campaign_changes: flag(false),
  create_new_visit_when_website_referrer_changes: flag(false),
  enable_fingerprinting_across_websites: flag(false),
  set_ip_tracking: flag(true),
  exclude_crawlers: flag(true),
  exclude_unknown_urls: flag(false),
  excluded_ips: strings(),
  excluded_user_agents: strings(),
  fingerprint_based_on_anonymized_ip: flag(false),
  keep_url_fragment: flag(true),
  session_limit_exceeded_action: { kind: "choice", choices: ["split_and_exclude", "just_split"], initial: "split_and_exclude", label: "session limit exceeded action" },
  session_max_duration_seconds: { kind: "range", min: 1, max: 43200, initial: 43200 },
  session_max_event_count: { kind: "range", min: 1, max: 65535, initial: 5000 },
  site_search_category_params: strings(),
  site_search_query_params: strings("q", "query", "s", "search", "searchword", "keyword"),
  strip_site_search_query_parameters: flag(false),
  tracking_fingerprint_disabled: flag(false),
  trust_visitors_cookies: flag(false),
  use_session_hash: flag(true),
  use_anonymous_session_hash: flag(true),
  url_query_parameter_to_exclude_from_url: strings(
    "gclid", "fbclid", "fb_xd_fragment", "fb_comment_id", "phpsessid", "jsessionid", "sessionid", "aspsessionid", "doing_wp_cron", "sid", "pk_vid",
  ),
};

export function initialGlobalSettings(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(TRACKER_SETTINGS).map(([k, s]) => [k, structuredClone(s.initial)]));
}

export function getGlobalSettings(ctx: Context) {
  const { state } = ctx;
  return jsonApi(200, {
    data: { type: "tracker/settings/app/global", id: "global", attributes: { ...structuredClone(state.trackerGlobal), updated_at: timestamp(state.trackerGlobalUpdatedAt) } },
  });
}

export function updateGlobalSettings(ctx: Context) {
  const { state } = ctx;
  const resource = readSettingsDocument(ctx, "tracker/settings/app/global");
  if (resource.id !== "global") refuse(platformErrors(400, [invalidForm(`Invalid id "${resource.id}", expected "global"`, "/data/id")]));
  const errors = checkSettings(resource.attributes, false);
  if (errors.length) refuse(platformErrors(400, errors));
  Object.assign(state.trackerGlobal, structuredClone(resource.attributes));
  state.trackerGlobalUpdatedAt = ctx.now;
  return noContent();
}

/**
 * The effective settings of an app: its overrides over the global settings. UNCONFIRMED: the
 * documents do not say whether the product marks inherited values; it does not here, as in the
 * documented response shape.
 */
export function getAppSettings(ctx: Context) {
  const { state } = ctx;
  const app = trackedApp(ctx);
  return jsonApi(200, { data: { type: "tracker/settings/app", id: app.id, attributes: effectiveSettings(state, app) } });
}

export function updateAppSettings(ctx: Context) {
  const { state } = ctx;
  const app = trackedApp(ctx);
  const resource = readSettingsDocument(ctx, "tracker/settings/app");
  if (String(resource.id).toLowerCase() !== app.id) {
    refuse(platformErrors(400, [invalidForm(`The resource object's id (${resource.id}) does not match url's lookup id (${app.id})`, "/data/id")]));
  }
  const errors = checkSettings(resource.attributes, true);
  if (errors.length) refuse(platformErrors(400, errors));
  const { urls, ...settings } = structuredClone(resource.attributes);
  // The app's URLs are one value, edited from the apps API or from here ("created when a new website is added").
  if (urls !== undefined) {
    app.attributes.urls = urls;
    app.updatedAt = ctx.now;
  }
  const overrides = state.trackerOverrides.get(app.id) ?? { values: {}, updatedAt: ctx.now };
  Object.assign(overrides.values, settings);
  overrides.updatedAt = ctx.now;
  state.trackerOverrides.set(app.id, overrides);
  return noContent();
}

/** Removes an app's override of one setting, so the global value applies again. */
export function resetAppSetting(ctx: Context) {
  const { state } = ctx;
  const app = trackedApp(ctx);
  const setting = ctx.params.setting;
  if (setting === "urls") {
    // UNCONFIRMED: `urls` is in the documented enum but has no global value to fall back to.
    refuse(platformErrors(400, [{ code: "error.default", title: `Setting "urls" has no global value and cannot be reset`, source: { parameter: "setting" } }]));
  }
  if (!(setting in TRACKER_SETTINGS)) {
    refuse(platformErrors(400, [{ code: "error.default", title: `"${setting}" is not a valid tracker setting`, source: { parameter: "setting" } }]));
  }
  const overrides = state.trackerOverrides.get(app.id);
  if (overrides && setting in overrides.values) {
    delete overrides.values[setting];
    overrides.updatedAt = ctx.now;
  }
  return noContent();
}

export function effectiveSettings(state: PiwikProState, app: App): Record<string, unknown> {
  const overrides = state.trackerOverrides.get(app.id);
  const updatedAt = Math.max(app.addedAt, overrides?.updatedAt ?? 0);
  return {
    ...structuredClone(state.trackerGlobal),
    ...structuredClone(overrides?.values ?? {}),
    urls: structuredClone(app.attributes.urls),
    updated_at: timestamp(updatedAt),
  };
}

/**
 * The tracker documents require `detail` and `source` on every error of a refused PATCH, where the
 * platform's generic JSON:API checks give only a title: the tracker service fills them in.
 */
function readSettingsDocument(ctx: Context, type: string) {
  try {
    return platformResource(readDocument("tracker", ctx.req), type, true);
  } catch (err) {
    if (!(err instanceof Refusal) || typeof err.response.body !== "string") throw err;
    const { errors } = JSON.parse(err.response.body) as { errors: PlatformError[] };
    refuse(platformErrors(err.response.status, errors.map((e) => ({ ...e, detail: e.detail ?? e.title, source: e.source ?? { pointer: "" } }))));
  }
}

function trackedApp(ctx: Context): App {
  const id = ctx.params.app_id;
  // Documented wording (tracker documents), which differs from the users service's "a valid UUID".
  if (!isUuid(id)) refuse(platformErrors(400, [{ code: "error.default", title: `"${id}" is not valid UUID.` }]));
  return findApp(ctx.state, id);
}

/**
 * Validates settings one by one and reports all problems together, in the documented shape
 * (status, code, title "Invalid form", detail, pointer under /data/attributes). Unknown settings
 * are refused (UNCONFIRMED: the product may ignore them; refusing catches misspelt names).
 */
function checkSettings(attributes: Record<string, unknown>, perApp: boolean): PlatformError[] {
  const errors: PlatformError[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    const pointer = `/data/attributes/${key}`;
    if (perApp && key === "urls") {
      if (!Array.isArray(value) || !value.every((u) => typeof u === "string" && u.trim() !== "")) errors.push(invalidForm("This value should be of type array of non-empty strings.", pointer));
      else if (value.length === 0) errors.push(invalidForm("This value should not be blank.", pointer, "error.not-blank"));
      continue;
    }
    const spec = TRACKER_SETTINGS[key];
    if (!spec) {
      errors.push(invalidForm(key === "updated_at" ? "This value is read-only." : "This field was not expected.", pointer));
      continue;
    }
    switch (spec.kind) {
      case "boolean":
        if (typeof value !== "boolean") errors.push(invalidForm("This value should be of type bool.", pointer));
        break;
      case "strings":
        if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) errors.push(invalidForm("This value should be of type array of strings.", pointer));
        break;
      case "choice":
        if (!spec.choices.includes(value as string | number)) {
          errors.push(invalidForm(`Invalid ${spec.label} '${String(value)}', available are: [${spec.choices.join(", ")}]`, pointer));
        }
        break;
      case "range":
        if (!Number.isInteger(value)) errors.push(invalidForm("This value should be of type int.", pointer));
        else if ((value as number) < spec.min || (value as number) > spec.max) errors.push(invalidForm(`This value should be between ${spec.min} and ${spec.max}.`, pointer));
        break;
    }
  }
  return errors;
}
