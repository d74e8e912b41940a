/**
 * TagManager's API: containers, versions and releases, and the variables, triggers and tags of
 * a version, in the shapes and orders the recordings show.
 *
 * Partial updates behave as recorded: `updateContainer` without description empties it;
 * `updateContainerVariable` without parameters resets them to the defaults (an `idSite` sent as
 * "3" then reads back as the integer 3); `updateContainerTag` without fire triggers or a Matomo
 * configuration fails validation. Container ids are random 8-character strings.
 */
import { Arg, Args, CallContext, Module, REQUIRED, isSet, method, str } from "./api";
import { requireCapability, requireSiteRole, siteIdOf } from "./auth";
import { ApiError } from "./errors";
import { PhpArray, PhpValue, isPhpArray, phpInt, phpList, phpToPlain } from "./php";
import { MatomoState, existingSite, formatDateTime, formatPrettyDate } from "./state";
import {
  Container, ENVIRONMENTS, Release, Tag, TagManagerState, Trigger, Variable, Version,
  addTag, addTrigger, addVariable, containersOfSite, createContainer, createVersion, deleteContainer, findContainer, findVersion,
  publish, releasesOf, tagsOf, triggersOf, variablesOf,
} from "./tm-model";
import { TemplateKind, availableTypes, findTemplate, readParameters, storeParameters } from "./tm-templates";

// ---------------------------------------------------------------------------------------------
// Shapes

const dates = (o: { created_date: string; updated_date: string }) => ({
  created_date: o.created_date,
  updated_date: o.updated_date,
  created_date_pretty: formatPrettyDate(o.created_date),
  updated_date_pretty: formatPrettyDate(o.updated_date),
});

function versionRow(v: Version): Record<string, unknown> {
  return {
    idcontainerversion: v.id, idcontainer: v.idcontainer, idsite: v.idsite, status: "active", revision: v.revision,
    name: v.name, description: v.description, ...dates(v),
  };
}

function releaseRow(r: Release): Record<string, unknown> {
  return {
    idcontainerrelease: r.id, idcontainer: r.idcontainer, idcontainerversion: r.idcontainerversion, idsite: r.idsite,
    status: "active", environment: r.environment, release_login: r.release_login, release_date: r.release_date,
    release_date_pretty: formatPrettyDate(r.release_date),
  };
}

function containerRow(tm: TagManagerState, c: Container): Record<string, unknown> {
  const releases = releasesOf(tm, c);
  return {
    idcontainer: c.idcontainer, idsite: c.idsite, context: c.context, name: c.name, description: c.description,
    ignoreGtmDataLayer: c.ignoreGtmDataLayer, status: "active", ...dates(c),
    versions: c.versionIds.map((id) => {
      const v = tm.versions.get(id)!;
      return { ...versionRow(v), environments: releases.filter((r) => r.idcontainerversion === id).map((r) => r.environment) };
    }),
    releases: releases.map((r) => ({ ...releaseRow(r), version_name: tm.versions.get(r.idcontainerversion)?.name ?? "" })),
    draft: versionRow(tm.versions.get(c.draftId)!),
  };
}

function versionWithReleases(tm: TagManagerState, c: Container, v: Version): Record<string, unknown> {
  return { ...versionRow(v), releases: releasesOf(tm, c).filter((r) => r.idcontainerversion === v.id).map(releaseRow) };
}

function templateCtx(state: MatomoState, idsite: number) {
  return { matomoUrl: state.matomoUrl, idSite: idsite };
}

function typed(state: MatomoState, kind: TemplateKind, e: Variable | Trigger | Tag) {
  const t = findTemplate(kind, e.type);
  if (!t) return { parameters: e.parameters, typeMetadata: null };
  return readParameters(kind, t, e.parameters, templateCtx(state, e.idsite));
}

function variableRow(state: MatomoState, v: Variable, forExport = false): Record<string, unknown> {
  const { parameters, typeMetadata } = typed(state, "variables", v);
  const head = forExport
    ? { idvariable: v.id, type: v.type, name: v.name, description: v.description }
    : { idvariable: v.id, idcontainerversion: v.idcontainerversion, idsite: v.idsite, type: v.type, name: v.name, description: v.description, status: v.status };
  const row: Record<string, unknown> = { ...head, parameters, lookup_table: v.lookup_table, default_value: v.default_value, ...dates(v) };
  if (!forExport) row.typeMetadata = typeMetadata;
  return row;
}

function triggerRow(state: MatomoState, t: Trigger, forExport = false): Record<string, unknown> {
  const { parameters, typeMetadata } = typed(state, "triggers", t);
  const head = forExport
    ? { idtrigger: t.id, type: t.type, name: t.name, description: t.description }
    : { idtrigger: t.id, idcontainerversion: t.idcontainerversion, idsite: t.idsite, type: t.type, name: t.name, description: t.description, status: t.status };
  const row: Record<string, unknown> = { ...head, parameters, conditions: t.conditions, ...dates(t) };
  if (!forExport) row.typeMetadata = typeMetadata;
  return row;
}

function tagRow(state: MatomoState, t: Tag, forExport = false): Record<string, unknown> {
  const { parameters, typeMetadata } = typed(state, "tags", t);
  const head = forExport
    ? { idtag: t.id, type: t.type, name: t.name, description: t.description }
    : { idtag: t.id, idcontainerversion: t.idcontainerversion, idsite: t.idsite, type: t.type, name: t.name, description: t.description, status: t.status };
  const row: Record<string, unknown> = {
    ...head, parameters, fire_trigger_ids: t.fire_trigger_ids, block_trigger_ids: t.block_trigger_ids, fire_limit: t.fire_limit,
    priority: t.priority, fire_delay: t.fire_delay, start_date: t.start_date, end_date: t.end_date, ...dates(t),
  };
  if (!forExport) row.typeMetadata = typeMetadata;
  return row;
}

// ---------------------------------------------------------------------------------------------
// Checks

/** Writes need the `tagmanager_write` capability (superusers have every capability on every site). */
function requireWrite(ctx: CallContext, rawIdSite: Arg, capability = "tagmanager_write"): void {
  if (ctx.caller.superuser) return;
  requireCapability(ctx.state, ctx.caller, siteIdOf(str(rawIdSite)), capability);
}

function siteOf(ctx: CallContext, a: Args): number {
  return existingSite(ctx.state, str(a.idSite)).idsite;
}

function containerOf(ctx: CallContext, a: Args): Container {
  return findContainer(ctx.state.tm, siteIdOf(str(a.idSite)), str(a.idContainer));
}

function versionOf(ctx: CallContext, a: Args): { c: Container; v: Version } {
  const c = containerOf(ctx, a);
  return { c, v: findVersion(ctx.state.tm, c, str(a.idContainerVersion)) };
}

function checkName(name: string): void {
  if (name.trim() === "") throw new ApiError("Name: A value needs to be provided.");
  if (name.length > 255) throw new ApiError("Name: The value is too long, it can have at most 255 characters.");
}

function templateOrFail(kind: TemplateKind, type: string) {
  const t = findTemplate(kind, type);
  const noun = kind === "variables" ? "variable" : kind === "triggers" ? "trigger" : "tag";
  if (!t) throw new ApiError(`The ${noun} "${type}" is not supported`);
  return t;
}

function now(ctx: CallContext): string {
  return formatDateTime(ctx.state.clock());
}

const plainArray = (a: Arg): unknown => (isPhpArray(a as PhpValue) ? phpToPlain(a) : []);

const FIRE_LIMITS = [
  { id: "unlimited", name: "Unlimited" },
  { id: "once_page", name: "Once per page" },
  { id: "once_24hours", name: "Once every 24 hours" },
  { id: "once_lifetime", name: "Once in a lifetime" },
];

function triggerIds(v: Version, raw: Arg, title: string, required: boolean): number[] {
  const none = Array.isArray(raw) ? raw.length === 0 : isPhpArray(raw as PhpValue) && (raw as PhpArray).size === 0;
  if (!isSet(raw) || raw === "" || none) {
    if (required) throw new ApiError(`${title}: A value needs to be provided.`);
    return [];
  }
  if (!isPhpArray(raw as PhpValue)) throw new ApiError(`${title}: the triggers have to be given as an array.`);
  return phpList(raw as PhpValue).map((x, i) => {
    const id = phpInt(x);
    if (!v.triggerIds.includes(id)) throw new ApiError(`${title}: there is no trigger with id "${str(x as Arg)}" (position ${i}).`);
    return id;
  });
}

function numberIn(raw: Arg, title: string, max: number): number {
  const s = str(raw).trim();
  if (!/^\d+$/.test(s) || parseInt(s, 10) > max) throw new ApiError(`${title}: The value must be a number between 0 and ${max}.`);
  return parseInt(s, 10);
}

function dateOrNull(raw: Arg, title: string): string | null {
  if (!isSet(raw) || str(raw) === "") return null;
  const s = str(raw);
  if (Number.isNaN(Date.parse(s.replace(" ", "T") + (s.length <= 10 ? "" : "Z")))) throw new ApiError(`${title}: The value is not a valid date.`);
  return s;
}

/** The tag fields both add and update validate, in Tag Manager's order. */
function tagFields(v: Version, a: Args) {
  checkName(str(a.name));
  const fire_trigger_ids = triggerIds(v, a.fireTriggerIds, "Fire Trigger", true);
  const block_trigger_ids = triggerIds(v, a.blockTriggerIds, "Block Trigger", false);
  const fire_limit = str(a.fireLimit);
  if (!FIRE_LIMITS.some((f) => f.id === fire_limit)) throw new ApiError("Fire limit: The value is not allowed.");
  const fire_delay = numberIn(a.fireDelay, "Fire delay", 16777215);
  const priority = numberIn(a.priority, "Priority", 65535);
  const start_date = dateOrNull(a.startDate, "Start date");
  const end_date = dateOrNull(a.endDate, "End date");
  if (start_date && end_date && Date.parse(end_date) < Date.parse(start_date)) throw new ApiError("The start date needs to be before the end date.");
  return { fire_trigger_ids, block_trigger_ids, fire_limit, fire_delay, priority, start_date, end_date };
}

function isReferenced(tm: TagManagerState, v: Version, name: string): boolean {
  const ref = `{{${name}}}`;
  const uses = (params: Map<string, unknown>) => [...params.values()].some((x) => (typeof x === "string" ? x : JSON.stringify(x)).includes(ref));
  return [...tagsOf(tm, v), ...triggersOf(tm, v), ...variablesOf(tm, v)].some((e) => uses(e.parameters));
}

function renameReferences(tm: TagManagerState, v: Version, from: string, to: string): void {
  const [a, b] = [`{{${from}}}`, `{{${to}}}`];
  for (const e of [...tagsOf(tm, v), ...triggersOf(tm, v), ...variablesOf(tm, v)]) {
    for (const [k, x] of e.parameters) if (typeof x === "string" && x.includes(a)) e.parameters.set(k, x.split(a).join(b));
  }
}

// ---------------------------------------------------------------------------------------------
// The Default Container

const DEFAULT_CONTAINER_DESCRIPTION = "This container was auto generated when the website was created.";

/**
 * What Tag Manager does for every new website: a "Default Container" with a Matomo Configuration
 * variable, a Pageview trigger and a Matomo Analytics tag in its draft, a version
 * "0.1.0 - Auto generated", and the draft released to `live` (that is what 5.1.2 released).
 */
export function createDefaultContainer(state: MatomoState, idsite: number, login: string): Container {
  const tm = state.tm;
  const at = formatDateTime(state.clock());
  const taken = new Set(containersOfSite(tm, idsite).map((c) => c.name));
  let name = "Default Container";
  for (let i = 1; taken.has(name) && i <= 50; i++) name = `Default Container ${i}`;
  const c = createContainer(tm, idsite, "web", name, DEFAULT_CONTAINER_DESCRIPTION, 0, at);
  const draft = tm.versions.get(c.draftId)!;
  const ctx = templateCtx(state, idsite);
  const base = { description: "", status: "active" as const, created_date: at, updated_date: at };
  addVariable(tm, draft, {
    ...base, type: "MatomoConfiguration", name: "Matomo Configuration",
    parameters: storeParameters("variables", findTemplate("variables", "MatomoConfiguration")!, undefined, ctx), lookup_table: [], default_value: "",
  });
  const trigger = addTrigger(tm, draft, { ...base, type: "PageView", name: "Pageview", parameters: new Map(), conditions: [] });
  addTag(tm, draft, {
    ...base, type: "Matomo", name: "Matomo Analytics",
    parameters: storeParameters("tags", findTemplate("tags", "Matomo")!, new Map([["matomoConfig", "{{Matomo Configuration}}"]]), ctx),
    fire_trigger_ids: [trigger.id], block_trigger_ids: [], fire_limit: "unlimited", priority: 999, fire_delay: 0, start_date: null, end_date: null,
  });
  createVersion(tm, c, draft, "0.1.0 - Auto generated", "", at);
  publish(tm, c, draft, "live", login, at);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Methods

const SITE = ["idSite", REQUIRED] as const;
const CONTAINER = ["idContainer", REQUIRED] as const;
const VERSION = ["idContainerVersion", REQUIRED] as const;

function embedCode(state: MatomoState, c: Container, environment: string): string {
  const base = state.matomoUrl.startsWith("//") ? `http:${state.matomoUrl}` : state.matomoUrl;
  const file = environment === "live" ? `container_${c.idcontainer}.js` : `container_${c.idcontainer}_${environment}.js`;
  const src = `${base.replace(/\/?$/, "/")}js/${file}`;
  return (
    "<!-- Matomo Tag Manager -->\n<script>\n  var _mtm = window._mtm = window._mtm || [];\n" +
    "  _mtm.push({'mtm.startTime': (new Date().getTime()), 'event': 'mtm.Start'});\n  (function() {\n" +
    "    var d=document, g=d.createElement('script'), s=d.getElementsByTagName('script')[0];\n" +
    `    g.async=true; g.src='${src}'; s.parentNode.insertBefore(g,s);\n  })();\n</script>\n<!-- End Matomo Tag Manager -->`
  );
}

function checkEnvironment(environment: string): void {
  if (!ENVIRONMENTS.some((e) => e.id === environment)) throw new ApiError(`The environment "${environment}" does not exist.`);
}

export const tagManager: Module = {
  getAvailableContexts: method([], () => [{ id: "web", name: "Web" }]),
  getAvailableEnvironments: method([], () => ENVIRONMENTS),
  getAvailableEnvironmentsWithPublishCapability: method([SITE], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const canLive = ctx.caller.superuser || ctx.state.access.get(ctx.caller.login)?.get(siteIdOf(str(a.idSite)))?.role === "admin";
    return ENVIRONMENTS.filter((e) => canLive || e.id !== "live");
  }),
  getAvailableTagFireLimits: method([], () => FIRE_LIMITS),
  getAvailableTagTypesInContext: method([["idContext", REQUIRED]], () => availableTypes("tags").map((t) => ({ id: t.id, name: t.name }))),
  getAvailableTriggerTypesInContext: method([["idContext", REQUIRED]], () => availableTypes("triggers").map((t) => ({ id: t.id, name: t.name }))),
  getAvailableVariableTypesInContext: method([["idContext", REQUIRED]], () => availableTypes("variables").map((t) => ({ id: t.id, name: t.name }))),

  getContainers: method([SITE], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    return containersOfSite(ctx.state.tm, siteIdOf(str(a.idSite))).map((c) => containerRow(ctx.state.tm, c));
  }),
  getContainer: method([SITE, CONTAINER], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    return containerRow(ctx.state.tm, containerOf(ctx, a));
  }),
  addContainer: method(
    [SITE, ["context", REQUIRED], ["name", REQUIRED], ["description", ""], ["ignoreGtmDataLayer", 0], ["isTagFireLimitAllowedInPreviewMode", 0], ["activelySyncGtmDataLayer", 0]],
    (ctx, a) => {
      requireWrite(ctx, a.idSite);
      const idsite = siteOf(ctx, a);
      checkName(str(a.name));
      // The context is not validated: 5.1.2 accepted "android" although only "web" is listed.
      return createContainer(ctx.state.tm, idsite, str(a.context), str(a.name), str(a.description), phpInt(a.ignoreGtmDataLayer) ? 1 : 0, now(ctx)).idcontainer;
    },
  ),
  updateContainer: method(
    [SITE, CONTAINER, ["name", REQUIRED], ["description", ""], ["ignoreGtmDataLayer", 0], ["isTagFireLimitAllowedInPreviewMode", 0], ["activelySyncGtmDataLayer", 0]],
    (ctx, a) => {
      requireWrite(ctx, a.idSite);
      const c = containerOf(ctx, a);
      checkName(str(a.name));
      if (containersOfSite(ctx.state.tm, c.idsite).some((x) => x !== c && x.name === str(a.name))) throw new ApiError("This name is already in use.");
      c.name = str(a.name);
      c.description = str(a.description);
      c.ignoreGtmDataLayer = phpInt(a.ignoreGtmDataLayer) ? 1 : 0;
      c.updated_date = now(ctx);
    },
  ),
  deleteContainer: method([SITE, CONTAINER], (ctx, a) => {
    requireWrite(ctx, a.idSite);
    deleteContainer(ctx.state.tm, containerOf(ctx, a));
  }),
  createDefaultContainerForSite: method([SITE], (ctx, a) => {
    requireWrite(ctx, a.idSite);
    return createDefaultContainer(ctx.state, siteOf(ctx, a), ctx.caller.login).idcontainer;
  }),
  getContainerEmbedCode: method([SITE, CONTAINER, ["environment", REQUIRED]], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const c = containerOf(ctx, a);
    checkEnvironment(str(a.environment));
    return embedCode(ctx.state, c, str(a.environment));
  }),

  getContainerVersions: method([SITE, CONTAINER], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const c = containerOf(ctx, a);
    return c.versionIds.map((id) => versionWithReleases(ctx.state.tm, c, ctx.state.tm.versions.get(id)!));
  }),
  getContainerVersion: method([SITE, CONTAINER, VERSION], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const { c, v } = versionOf(ctx, a);
    return versionWithReleases(ctx.state.tm, c, v);
  }),
  createContainerVersion: method([SITE, CONTAINER, ["name", REQUIRED], ["description", ""], ["idContainerVersion", null]], (ctx, a) => {
    requireWrite(ctx, a.idSite);
    const c = containerOf(ctx, a);
    const from = isSet(a.idContainerVersion) && str(a.idContainerVersion) !== "" ? findVersion(ctx.state.tm, c, str(a.idContainerVersion)) : ctx.state.tm.versions.get(c.draftId)!;
    checkName(str(a.name));
    return createVersion(ctx.state.tm, c, from, str(a.name), str(a.description), now(ctx)).id;
  }),
  updateContainerVersion: method([SITE, CONTAINER, VERSION, ["name", REQUIRED], ["description", ""]], (ctx, a) => {
    requireWrite(ctx, a.idSite);
    const { c, v } = versionOf(ctx, a);
    checkName(str(a.name));
    if (c.versionIds.some((id) => id !== v.id && ctx.state.tm.versions.get(id)!.name === str(a.name))) throw new ApiError("This name is already in use.");
    v.name = str(a.name);
    v.description = str(a.description);
    v.updated_date = now(ctx);
  }),
  deleteContainerVersion: method([SITE, CONTAINER, VERSION], (ctx, a) => {
    requireWrite(ctx, a.idSite);
    const { c, v } = versionOf(ctx, a);
    if (v.id === c.draftId) throw new ApiError("The draft version of a container cannot be deleted.");
    c.versionIds = c.versionIds.filter((id) => id !== v.id);
    c.releaseIds = c.releaseIds.filter((id) => ctx.state.tm.releases.get(id)!.idcontainerversion !== v.id);
  }),
  publishContainerVersion: method([SITE, CONTAINER, VERSION, ["environment", REQUIRED]], (ctx, a) => {
    const environment = str(a.environment);
    requireWrite(ctx, a.idSite, environment === "live" ? "tagmanager_publish_live_container" : "tagmanager_write");
    const { c, v } = versionOf(ctx, a);
    return publish(ctx.state.tm, c, v, environment, ctx.caller.login, now(ctx)).id;
  }),
  exportContainerVersion: method([SITE, CONTAINER, ["idContainerVersion", null]], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const c = containerOf(ctx, a);
    const tm = ctx.state.tm;
    const v = isSet(a.idContainerVersion) && str(a.idContainerVersion) !== "" ? findVersion(tm, c, str(a.idContainerVersion)) : tm.versions.get(c.draftId)!;
    return {
      idcontainer: c.idcontainer, idsite: c.idsite, context: c.context, name: c.name, description: c.description,
      ignoreGtmDataLayer: c.ignoreGtmDataLayer, ...dates(c), revision: v.revision,
      version: {
        name: v.name, description: v.description, revision: v.revision, created_date: v.created_date,
        created_date_pretty: formatPrettyDate(v.created_date), updated_date: v.updated_date, updated_date_pretty: formatPrettyDate(v.updated_date),
      },
      tags: tagsOf(tm, v).map((t) => tagRow(ctx.state, t, true)),
      triggers: triggersOf(tm, v).map((t) => triggerRow(ctx.state, t, true)),
      variables: variablesOf(tm, v).map((x) => variableRow(ctx.state, x, true)),
    };
  }),

  // Variables
  getContainerVariables: method([SITE, CONTAINER, VERSION], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const { v } = versionOf(ctx, a);
    return variablesOf(ctx.state.tm, v).map((x) => variableRow(ctx.state, x));
  }),
  getContainerVariable: method([SITE, CONTAINER, VERSION, ["idVariable", REQUIRED]], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const { v } = versionOf(ctx, a);
    const x = ctx.state.tm.variables.get(phpInt(a.idVariable));
    return x && v.variableIds.includes(x.id) ? variableRow(ctx.state, x) : false;
  }),
  addContainerVariable: method(
    [SITE, CONTAINER, VERSION, ["type", REQUIRED], ["name", REQUIRED], ["parameters", []], ["defaultValue", false], ["lookupTable", []], ["description", ""]],
    (ctx, a) => {
      requireWrite(ctx, a.idSite);
      const { v } = versionOf(ctx, a);
      checkName(str(a.name));
      const t = templateOrFail("variables", str(a.type));
      const parameters = storeParameters("variables", t, a.parameters as PhpValue, templateCtx(ctx.state, v.idsite));
      const at = now(ctx);
      return addVariable(ctx.state.tm, v, {
        type: t.id, name: str(a.name), description: str(a.description), status: "active", parameters,
        lookup_table: plainArray(a.lookupTable), default_value: a.defaultValue === false ? "" : a.defaultValue, created_date: at, updated_date: at,
      }).id;
    },
    ["parameters", "lookupTable"],
  ),
  updateContainerVariable: method(
    [SITE, CONTAINER, VERSION, ["idVariable", REQUIRED], ["name", REQUIRED], ["parameters", []], ["defaultValue", null], ["lookupTable", []], ["description", ""]],
    (ctx, a) => {
      requireWrite(ctx, a.idSite);
      const { v } = versionOf(ctx, a);
      checkName(str(a.name));
      const x = ctx.state.tm.variables.get(phpInt(a.idVariable));
      if (!x || !v.variableIds.includes(x.id)) return; // Tag Manager updates nothing and reports success
      const name = str(a.name);
      if (name !== x.name && variablesOf(ctx.state.tm, v).some((y) => y.name === name)) throw new ApiError("This name is already in use.");
      const t = templateOrFail("variables", x.type);
      x.parameters = storeParameters("variables", t, a.parameters as PhpValue, templateCtx(ctx.state, v.idsite));
      x.default_value = a.defaultValue;
      x.lookup_table = plainArray(a.lookupTable);
      x.description = str(a.description);
      x.updated_date = now(ctx);
      if (x.name !== name) {
        const old = x.name;
        x.name = name;
        renameReferences(ctx.state.tm, v, old, name);
      }
    },
    ["parameters", "lookupTable"],
  ),
  deleteContainerVariable: method([SITE, CONTAINER, VERSION, ["idVariable", REQUIRED]], (ctx, a) => {
    requireWrite(ctx, a.idSite);
    const { v } = versionOf(ctx, a);
    const x = ctx.state.tm.variables.get(phpInt(a.idVariable));
    if (!x || !v.variableIds.includes(x.id)) return;
    if (isReferenced(ctx.state.tm, v, x.name)) throw new ApiError(`The variable "${x.name}" is still used by a tag, trigger or variable; remove those uses first.`);
    v.variableIds = v.variableIds.filter((id) => id !== x.id);
  }),

  // Triggers
  getContainerTriggers: method([SITE, CONTAINER, VERSION], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const { v } = versionOf(ctx, a);
    return triggersOf(ctx.state.tm, v).map((x) => triggerRow(ctx.state, x));
  }),
  getContainerTrigger: method([SITE, CONTAINER, VERSION, ["idTrigger", REQUIRED]], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const { v } = versionOf(ctx, a);
    const x = ctx.state.tm.triggers.get(phpInt(a.idTrigger));
    return x && v.triggerIds.includes(x.id) ? triggerRow(ctx.state, x) : false;
  }),
  addContainerTrigger: method(
    [SITE, CONTAINER, VERSION, ["type", REQUIRED], ["name", REQUIRED], ["parameters", []], ["conditions", []], ["description", ""]],
    (ctx, a) => {
      requireWrite(ctx, a.idSite);
      const { v } = versionOf(ctx, a);
      checkName(str(a.name));
      const t = templateOrFail("triggers", str(a.type));
      const parameters = storeParameters("triggers", t, a.parameters as PhpValue, templateCtx(ctx.state, v.idsite));
      const at = now(ctx);
      return addTrigger(ctx.state.tm, v, {
        type: t.id, name: str(a.name), description: str(a.description), status: "active", parameters,
        conditions: plainArray(a.conditions), created_date: at, updated_date: at,
      }).id;
    },
    ["parameters", "conditions"],
  ),
  updateContainerTrigger: method(
    [SITE, CONTAINER, VERSION, ["idTrigger", REQUIRED], ["name", REQUIRED], ["parameters", []], ["conditions", []], ["description", ""]],
    (ctx, a) => {
      requireWrite(ctx, a.idSite);
      const { v } = versionOf(ctx, a);
      checkName(str(a.name));
      const x = ctx.state.tm.triggers.get(phpInt(a.idTrigger));
      if (!x || !v.triggerIds.includes(x.id)) return;
      const name = str(a.name);
      if (name !== x.name && triggersOf(ctx.state.tm, v).some((y) => y.name === name)) throw new ApiError("This name is already in use.");
      x.parameters = storeParameters("triggers", templateOrFail("triggers", x.type), a.parameters as PhpValue, templateCtx(ctx.state, v.idsite));
      x.conditions = plainArray(a.conditions);
      x.description = str(a.description);
      x.name = name;
      x.updated_date = now(ctx);
    },
    ["parameters", "conditions"],
  ),
  deleteContainerTrigger: method([SITE, CONTAINER, VERSION, ["idTrigger", REQUIRED]], (ctx, a) => {
    requireWrite(ctx, a.idSite);
    const { v } = versionOf(ctx, a);
    const id = phpInt(a.idTrigger);
    if (!v.triggerIds.includes(id)) return;
    if (tagsOf(ctx.state.tm, v).some((t) => t.fire_trigger_ids.includes(id) || t.block_trigger_ids.includes(id))) {
      throw new ApiError("This trigger is still used by a tag; change those tags first.");
    }
    v.triggerIds = v.triggerIds.filter((x) => x !== id);
  }),

  // Tags
  getContainerTags: method([SITE, CONTAINER, VERSION], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const { v } = versionOf(ctx, a);
    return tagsOf(ctx.state.tm, v).map((x) => tagRow(ctx.state, x));
  }),
  getContainerTag: method([SITE, CONTAINER, VERSION, ["idTag", REQUIRED]], (ctx, a) => {
    requireSiteRole(ctx.state, ctx.caller, a.idSite, "view");
    const { v } = versionOf(ctx, a);
    const x = ctx.state.tm.tags.get(phpInt(a.idTag));
    return x && v.tagIds.includes(x.id) ? tagRow(ctx.state, x) : false;
  }),
  addContainerTag: method(
    [
      SITE, CONTAINER, VERSION, ["type", REQUIRED], ["name", REQUIRED], ["parameters", []], ["fireTriggerIds", []], ["blockTriggerIds", []],
      ["fireLimit", "unlimited"], ["fireDelay", 0], ["priority", 999], ["startDate", null], ["endDate", null], ["description", ""], ["status", ""],
    ],
    (ctx, a) => {
      requireWrite(ctx, a.idSite);
      const { v } = versionOf(ctx, a);
      const fields = tagFields(v, a);
      const t = templateOrFail("tags", str(a.type));
      const parameters = storeParameters("tags", t, a.parameters as PhpValue, templateCtx(ctx.state, v.idsite));
      const at = now(ctx);
      const status = str(a.status) === "paused" ? "paused" : "active";
      return addTag(ctx.state.tm, v, { ...fields, type: t.id, name: str(a.name), description: str(a.description), status, parameters, created_date: at, updated_date: at }).id;
    },
    ["parameters"],
  ),
  updateContainerTag: method(
    [
      SITE, CONTAINER, VERSION, ["idTag", REQUIRED], ["name", REQUIRED], ["parameters", []], ["fireTriggerIds", []], ["blockTriggerIds", []],
      ["fireLimit", "unlimited"], ["fireDelay", 0], ["priority", 999], ["startDate", null], ["endDate", null], ["description", ""],
    ],
    (ctx, a) => {
      requireWrite(ctx, a.idSite);
      const { v } = versionOf(ctx, a);
      const fields = tagFields(v, a);
      const x = ctx.state.tm.tags.get(phpInt(a.idTag));
      if (!x || !v.tagIds.includes(x.id)) return;
      const parameters = storeParameters("tags", templateOrFail("tags", x.type), a.parameters as PhpValue, templateCtx(ctx.state, v.idsite));
      const name = str(a.name);
      if (name !== x.name && v.tagIds.some((id) => ctx.state.tm.tags.get(id)!.name === name)) throw new ApiError("This name is already in use.");
      Object.assign(x, fields, { parameters, name, description: str(a.description), updated_date: now(ctx) });
    },
    ["parameters"],
  ),
  deleteContainerTag: method([SITE, CONTAINER, VERSION, ["idTag", REQUIRED]], (ctx, a) => {
    requireWrite(ctx, a.idSite);
    const { v } = versionOf(ctx, a);
    v.tagIds = v.tagIds.filter((id) => id !== phpInt(a.idTag));
  }),
  pauseContainerTag: method([SITE, CONTAINER, VERSION, ["idTag", REQUIRED]], (ctx, a) => setTagStatus(ctx, a, "paused")),
  resumeContainerTag: method([SITE, CONTAINER, VERSION, ["idTag", REQUIRED]], (ctx, a) => setTagStatus(ctx, a, "active")),
};

function setTagStatus(ctx: CallContext, a: Args, status: "active" | "paused"): boolean {
  requireWrite(ctx, a.idSite);
  const { v } = versionOf(ctx, a);
  const x = ctx.state.tm.tags.get(phpInt(a.idTag));
  if (!x || !v.tagIds.includes(x.id)) return false;
  x.status = status;
  x.updated_date = now(ctx);
  return true;
}
