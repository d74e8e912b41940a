/**
 * Tag Manager templates (variable, trigger and tag types): their metadata, and how a template
 * stores parameters on write and fills them on read.
 *
 * The three types the recordings show (MatomoConfiguration, PageView, Matomo) carry Matomo's own
 * metadata, copied from the answers in data/tm-templates.json. A few more common types exist so
 * tests can declare them; their metadata is the emulator's own, shorter than Matomo's (README).
 */
import recorded from "./data/tm-templates.json";
import { ApiError } from "./errors";
import { PhpValue, isPhpArray, phpEmpty, phpToPlain } from "./php";

export type TemplateKind = "variables" | "triggers" | "tags";

export interface TemplateParameter {
  name: string;
  title: string;
  value: unknown;
  defaultValue: unknown;
  type: string;
  uiControl: string;
  availableValues: Record<string, string> | null;
  [more: string]: unknown;
}

export interface Template {
  id: string;
  name: string;
  parameters: TemplateParameter[];
  [more: string]: unknown;
}

function param(name: string, title: string, defaultValue: unknown, type: string, uiControl: string, description: string): TemplateParameter {
  return {
    name, title, value: null, defaultValue, type, uiControl,
    uiControlAttributes: [], availableValues: null, description, inlineHelp: null, introduction: null, condition: null, fullWidth: false,
  };
}

function template(id: string, name: string, description: string, category: string, parameters: TemplateParameter[]): Template {
  return { id, name, description, category, icon: "", help: "", order: 9999, contexts: ["web"], hasAdvancedSettings: true, isCustomTemplate: false, parameters };
}

const EXTRA: Record<TemplateKind, Record<string, Template>> = {
  variables: {
    Constant: template("Constant", "Constant", "A fixed value.", "Others", [param("constantValue", "Value", "", "string", "text", "The value of this variable.")]),
  },
  triggers: {
    DomReady: template("DomReady", "DOM Ready", "When the HTML is parsed.", "Pageview", []),
    WindowLoaded: template("WindowLoaded", "Window Loaded", "When the page has loaded.", "Pageview", []),
    CustomEvent: template("CustomEvent", "Custom Event", "When an event is pushed to the data layer.", "Others", [
      param("eventName", "Event Name", "", "string", "text", "The name of the event."),
    ]),
  },
  tags: {
    CustomHtml: template("CustomHtml", "Custom HTML", "Any HTML, for example a third-party script.", "Custom", [
      param("customHtml", "Custom HTML", "", "string", "textarea", "The HTML to embed."),
      param("htmlPosition", "Position", "bodyEnd", "string", "select", "Where to embed it."),
    ]),
  },
};
EXTRA.tags.CustomHtml.parameters[1].availableValues = { headStart: "Head Start", headEnd: "Head End", bodyStart: "Body Start", bodyEnd: "Body End" };

const RECORDED = recorded as unknown as Record<TemplateKind, Record<string, Template>>;

/** Parameters a template cannot do without (their defaults are empty or must be given). */
const REQUIRED: Record<string, string[]> = {
  "tags/Matomo": ["matomoConfig"],
  "tags/CustomHtml": ["customHtml"],
  "variables/MatomoConfiguration": ["matomoUrl", "idSite"],
};

export function findTemplate(kind: TemplateKind, type: string): Template | undefined {
  if (Object.prototype.hasOwnProperty.call(RECORDED[kind], type)) return RECORDED[kind][type];
  if (Object.prototype.hasOwnProperty.call(EXTRA[kind], type)) return EXTRA[kind][type];
  return undefined;
}

export function availableTypes(kind: TemplateKind): Template[] {
  return [...Object.values(RECORDED[kind]), ...Object.values(EXTRA[kind])];
}

/** Defaults that depend on where the object lives (MatomoConfiguration points at this Matomo and this site). */
export interface TemplateContext {
  matomoUrl: string;
  idSite: number;
}

function defaultOf(kind: TemplateKind, t: Template, p: TemplateParameter, ctx: TemplateContext): unknown {
  if (kind === "variables" && t.id === "MatomoConfiguration") {
    if (p.name === "matomoUrl") return ctx.matomoUrl;
    if (p.name === "idSite") return ctx.idSite;
  }
  return p.defaultValue;
}

function notAllowed(title: string): ApiError {
  return new ApiError(`${title}: The value for the "${title}" field in the "TagManager" plugin is not allowed`);
}

/** Validates and casts one sent value the way a template setting does (booleans accept only 0/1). */
function castParameter(p: TemplateParameter, v: PhpValue | boolean): unknown {
  if (p.type === "boolean") {
    if (v === true || v === "1") return true;
    if (v === false || v === "0" || v === "") return false;
    throw notAllowed(p.title);
  }
  if (p.type === "array") {
    if (isPhpArray(v)) return phpToPlain(v);
    if (v === "") return [];
    throw notAllowed(p.title);
  }
  if (isPhpArray(v) || typeof v === "boolean") throw notAllowed(p.title);
  if (p.uiControl === "select" && p.availableValues && !Object.prototype.hasOwnProperty.call(p.availableValues, v)) throw notAllowed(p.title);
  if (p.type === "integer" && v !== "" && !/^-?\d+$/.test(v.trim())) throw notAllowed(p.title);
  return v;
}

/**
 * What Tag Manager stores: only the template's parameters, in template order, each cast by its
 * type; unknown names are dropped silently. A required parameter left empty fails with
 * "<title>: A value needs to be provided.".
 */
export function storeParameters(kind: TemplateKind, t: Template, sent: PhpValue | undefined, ctx: TemplateContext): Map<string, unknown> {
  const given = isPhpArray(sent) ? sent : new Map<string, PhpValue>();
  const stored = new Map<string, unknown>();
  const required = REQUIRED[`${kind}/${t.id}`] ?? [];
  for (const p of t.parameters) {
    const v = given.get(p.name);
    const effective = v !== undefined ? castParameter(p, v) : defaultOf(kind, t, p, ctx);
    if (v !== undefined) stored.set(p.name, effective);
    if (required.includes(p.name) && phpEmpty(effective)) throw new ApiError(`${p.title}: A value needs to be provided.`);
  }
  return stored;
}

/**
 * What a read shows: the stored parameters first, then every missing one with its default, in
 * template order. A stored value that PHP's `empty()` calls empty (false, "", "0", []) is shown
 * as the default too, as Tag Manager's enrich step does; the stored value itself is kept.
 */
export function readParameters(kind: TemplateKind, t: Template, stored: Map<string, unknown>, ctx: TemplateContext): { parameters: Map<string, unknown>; typeMetadata: Template } {
  const parameters = new Map(stored);
  const metaParams: TemplateParameter[] = [];
  for (const p of t.parameters) {
    const def = defaultOf(kind, t, p, ctx);
    const v = stored.get(p.name);
    let shown: unknown;
    if (!phpEmpty(v)) shown = v;
    else {
      shown = def;
      parameters.set(p.name, def);
    }
    metaParams.push({ ...p, value: shown, defaultValue: def });
  }
  return { parameters, typeMetadata: { ...t, parameters: metaParams } };
}
