import type { Context } from "./context";
import { PlatformError, invalidForm, platformErrors, refuse } from "./errors";
import { isUuid, newId } from "./ids";
import { jsonApi, noContent, platformResource, readDocument } from "./jsonapi";
import { readPlatformList, sortBy } from "./paging";
import type { App, PiwikProState } from "./state";
import { timestamp } from "./time";
import { openContainer } from "./containers";

type Kind = "string" | "boolean" | "integer" | "strings" | readonly string[];

/**
 * Several app attributes have a tracker-settings twin (`excludeUnknownUrls` / `exclude_unknown_urls`,
 * `excludedUrlParams` / `url_query_parameter_to_exclude_from_url`, …). Whether the product stores
 * them as one value is UNCONFIRMED; the emulator keeps them apart (only `urls`, documented as
 * created with the app, is shared), so a client that writes one and reads the other finds out here
 * rather than against a live account.
 *
 * The editable app attributes with the defaults the apps documents declare. `timezone` has no
 * documented default (UNCONFIRMED: `UTC`, the documents' example); `currency` defaults to `USD`
 * because its description says reports show US dollars by default.
 */
export const APP_ATTRIBUTES: Readonly<Record<string, { kind: Kind; default?: unknown }>> = {
  name: { kind: "string" },
  urls: { kind: "strings" },
  timezone: { kind: "string", default: "UTC" },
  currency: { kind: "string", default: "USD" },
  excludeUnknownUrls: { kind: "boolean", default: false },
  keepUrlFragment: { kind: "boolean", default: true },
  eCommerceTracking: { kind: "boolean", default: true },
  siteSearchTracking: { kind: "boolean", default: true },
  siteSearchQueryParams: { kind: "strings", default: ["q", "query", "s", "search", "searchword", "keyword"] },
  siteSearchCategoryParams: { kind: "strings", default: [] },
  delay: { kind: "integer", default: 500 },
  excludedIps: { kind: "strings", default: [] },
  excludedUrlParams: { kind: "strings", default: [] },
  excludedUserAgents: { kind: "strings", default: [] },
  gdpr: { kind: "boolean", default: true },
  gdprUserModeEnabled: { kind: "boolean", default: false },
  privacyCookieDomainsEnabled: { kind: "boolean", default: false },
  privacyCookieExpirationPeriod: { kind: "integer", default: 31536000 },
  privacyCookieDomains: { kind: "strings", default: [] },
  gdprLocationRecognition: { kind: "boolean", default: false },
  gdprDataAnonymization: { kind: "boolean", default: true },
  sharepointIntegration: { kind: "boolean", default: false },
  gdprDataAnonymizationMode: { kind: ["no_device_storage", "session_cookie_id"], default: "session_cookie_id" },
  privacyUseCookies: { kind: "boolean", default: true },
  privacyUseFingerprinting: { kind: "boolean", default: true },
  // UNCONFIRMED what "Enable CNIL integration" does: stored and answered back, with no effect.
  cnil: { kind: "boolean", default: false },
  sessionIdStrictPrivacyMode: { kind: "boolean", default: false },
  realTimeDashboards: { kind: "boolean", default: false },
};

const APP_TYPES = ["web", "sharepoint"];
const TIMEZONES = new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
const APP_TYPE = "ppms/app";

export function listApps(ctx: Context) {
  const permission = ctx.query.get("permission");
  const extra: PlatformError[] =
    permission !== undefined && !["view", "edit", "publish", "manage"].includes(permission)
      ? [{ code: "error.default", title: `Invalid query parameter 'permission' - available options are [view,edit,publish,manage] - got '${permission}'`, source: { parameter: "permission" } }]
      : [];
  const { offset, limit, sort, search } = readPlatformList(ctx.query, ["name", "addedAt", "updatedAt"], "-addedAt", extra);
  // The credentials belong to an owner, who holds every permission: `permission` filters nothing.
  const needle = search.toLowerCase();
  const matching = [...ctx.state.apps.values()].filter((a) => !needle || String(a.attributes.name).toLowerCase().includes(needle) || a.id === search);
  const sorted = sortBy(matching, sort, (a, field) => (field === "name" ? String(a.attributes.name).toLowerCase() : field === "addedAt" ? a.addedAt : a.updatedAt));
  return jsonApi(200, {
    meta: { total: matching.length },
    // List items carry only the name and the two dates; a client must GET each app for the rest.
    data: sorted.slice(offset, offset + limit).map((a) => ({
      type: APP_TYPE,
      id: a.id,
      attributes: { name: a.attributes.name, addedAt: timestamp(a.addedAt), updatedAt: timestamp(a.updatedAt) },
    })),
  });
}

export function getApp(ctx: Context) {
  return jsonApi(200, { data: renderApp(ctx.state, findApp(ctx.state, ctx.params.app_id)) });
}

export function createApp(ctx: Context) {
  const { state, now } = ctx;
  const resource = platformResource(readDocument("apps", ctx.req), APP_TYPE, false);
  const { id: requestedId, appType, ...attributes } = resource.attributes;
  const errors: PlatformError[] = [];
  if (appType !== undefined && !APP_TYPES.includes(appType as string)) {
    errors.push(invalidForm(`AppType "${String(appType)}" is not supported (supported are sharepoint, web)`, "/appType"));
  }
  if (requestedId !== undefined && !isUuid(requestedId)) errors.push(invalidForm(`"${String(requestedId)}" is not a valid UUID.`, "/id"));
  for (const required of ["name", "urls"]) {
    if (attributes[required] === undefined) errors.push(invalidForm("This value should not be blank.", `/${required}`, "error.not-blank"));
  }
  errors.push(...checkAttributes(attributes));
  if (errors.length) refuse(platformErrors(400, errors));
  if (typeof requestedId === "string" && state.apps.has(requestedId.toLowerCase())) {
    refuse(platformErrors(400, [{ code: "error.default", title: `App with id: "${requestedId}" already exists` }]));
  }
  if (state.apps.size >= state.maxApps) {
    refuse(platformErrors(409, [{ code: "apps.error.apps-limit-reached", title: "Limit of apps has been reached" }]));
  }
  const defaults = Object.fromEntries(
    Object.entries(APP_ATTRIBUTES)
      .filter(([, spec]) => spec.default !== undefined)
      .map(([key, spec]) => [key, structuredClone(spec.default)]),
  );
  const app: App = {
    id: typeof requestedId === "string" ? requestedId.toLowerCase() : newId(),
    appType: (appType as App["appType"] | undefined) ?? "web",
    attributes: { ...defaults, ...structuredClone(attributes) },
    addedAt: now,
    updatedAt: now,
  };
  state.apps.set(app.id, app);
  // A Tag Manager container comes with every app. No document describes default tags for a new
  // app, so it starts with none (UNCONFIRMED: the product's UI may add a Piwik PRO tag).
  state.tags.set(app.id, new Map());
  state.containers.set(app.id, openContainer(state.owner.id, now));
  return jsonApi(201, { data: renderApp(state, app) });
}

export function updateApp(ctx: Context) {
  const app = findApp(ctx.state, ctx.params.app_id);
  const resource = platformResource(readDocument("apps", ctx.req), APP_TYPE, true);
  if (resource.id !== app.id) {
    // The apps documents declare no 409 for PATCH (the users documents do), so a mismatch is a 400 here.
    refuse(
      platformErrors(400, [
        { code: "error", title: "Invalid resource id", detail: `The resource object's id (${resource.id}) does not match url's lookup id (${app.id})`, source: { pointer: "/data" } },
      ]),
    );
  }
  const errors = checkAttributes(resource.attributes);
  if (errors.length) refuse(platformErrors(400, errors));
  Object.assign(app.attributes, structuredClone(resource.attributes));
  app.updatedAt = ctx.now;
  return noContent();
}

export function deleteApp(ctx: Context) {
  const { state } = ctx;
  const app = findApp(state, ctx.params.app_id);
  state.apps.delete(app.id);
  state.trackerOverrides.delete(app.id);
  state.tags.delete(app.id);
  state.containers.delete(app.id);
  state.permissions.delete(app.id);
  for (const [id, op] of state.operations) if (op.appId === app.id) state.operations.delete(id);
  return noContent();
}

export function findApp(state: PiwikProState, id: string | undefined): App {
  const app = id === undefined ? undefined : state.apps.get(id.toLowerCase());
  // UNCONFIRMED: the body of the documented 404 (none is documented); the users service's wording.
  if (!app) refuse(platformErrors(404, [{ code: "error.default", title: `App with id: ${id} does not exist` }]));
  return app;
}

export function renderApp(state: PiwikProState, app: App) {
  return {
    type: APP_TYPE,
    id: app.id,
    attributes: {
      organization: state.organization,
      appType: app.appType,
      addedAt: timestamp(app.addedAt),
      updatedAt: timestamp(app.updatedAt),
      ...structuredClone(app.attributes),
    },
  };
}

/**
 * Checks editable attributes the way the platform's forms do. Attributes the form does not know,
 * read-only ones included, are refused (UNCONFIRMED: the wording and that they are refused rather
 * than ignored; refusing catches a client that sends back what it read).
 */
function checkAttributes(attributes: Record<string, unknown>): PlatformError[] {
  const errors: PlatformError[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    const spec = APP_ATTRIBUTES[key];
    const pointer = `/${key}`;
    if (!spec) {
      errors.push(invalidForm("This form should not contain extra fields.", pointer));
      continue;
    }
    const problem = kindProblem(spec.kind, value);
    if (problem) {
      errors.push(invalidForm(problem, pointer));
      continue;
    }
    if (key === "name") {
      if ((value as string).trim() === "") errors.push(invalidForm("This value should not be blank.", pointer, "error.not-blank"));
      else if ((value as string).length > 90) errors.push(invalidForm("This value is too long. It should have 90 characters or less.", pointer));
    }
    // UNCONFIRMED: that an app needs at least one URL (tracking and exact URL matching rely on them).
    if (key === "urls" && (value as string[]).length === 0) errors.push(invalidForm("This value should not be blank.", pointer, "error.not-blank"));
    if (key === "urls" && (value as string[]).some((u) => u.trim() === "")) errors.push(invalidForm("This value should not be blank.", pointer, "error.not-blank"));
    if (key === "timezone" && !TIMEZONES.has(value as string)) errors.push(invalidForm("This value is not a valid timezone.", pointer));
    if (key === "currency" && !/^[A-Z]{3}$/.test(value as string)) errors.push(invalidForm("This value is not a valid currency.", pointer));
    if ((key === "delay" || key === "privacyCookieExpirationPeriod") && (value as number) < 0) {
      errors.push(invalidForm("This value should be greater than or equal to 0.", pointer));
    }
  }
  return errors;
}

function kindProblem(kind: Kind, value: unknown): string | undefined {
  if (Array.isArray(kind)) return typeof value === "string" && kind.includes(value) ? undefined : "The value you selected is not a valid choice.";
  switch (kind) {
    case "string":
      return typeof value === "string" ? undefined : "This value is not valid.";
    case "boolean":
      return typeof value === "boolean" ? undefined : "This value is not valid.";
    case "integer":
      return Number.isInteger(value) ? undefined : "This value is not valid.";
    case "strings":
      return Array.isArray(value) && value.every((v) => typeof v === "string") ? undefined : "This value is not valid.";
  }
  return undefined;
}

