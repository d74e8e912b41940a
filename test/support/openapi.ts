import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020, { ErrorObject, ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { piwikProOpenApiDirectory } from "./contracts";

/**
 * Contract validation against Piwik PRO's published OpenAPI 3.1 documents
 * (../shared/contracts/piwikpro/openapi, one document per path, schemas inlined): is this request
 * one the API declares, and is this answer one it can give? Used on every exchange with the
 * emulator, so that neither the emulator nor the backend can drift from the contract unnoticed.
 *
 * Where the published documents cannot be read literally, this module says so and reads them the
 * way their authors evidently meant (see `alternativesOf` and `undeclaredStatuses`).
 */

/** The documents: `EXEMPT_PIWIKPRO_OPENAPI_DIR`, else `../shared/…` next to the repository. */
export function piwikProOpenApiDir(): string {
  return piwikProOpenApiDirectory();
}

export interface HttpExchange {
  method: string;
  /** The concrete path, without the query string. */
  path: string;
  rawQuery?: string;
  requestHeaders: Record<string, string | string[] | undefined>;
  requestBody?: string;
  status: number;
  responseHeaders: Record<string, string | string[] | undefined>;
  responseBody?: string;
}

export interface ContractViolation {
  side: "request" | "response";
  method: string;
  /** The concrete path. */
  path: string;
  /** The documented operation it was matched to, e.g. `PATCH /api/apps/v2/{app_id}`. */
  operation?: string;
  status?: number;
  message: string;
}

export function formatViolation(v: ContractViolation): string {
  const what = v.side === "request" ? `request ${v.method} ${v.path}` : `response ${v.status} to ${v.method} ${v.path}`;
  return `${what}${v.operation ? ` [${v.operation}]` : ""}: ${v.message}`;
}

export interface ContractOptions {
  /**
   * Statuses any HTTP API may answer although no document declares them: authentication failures
   * (the apps and users documents declare no 401), a missing resource (several operations declare
   * no 404), rate limiting (no document declares 429) and server or gateway errors. When the
   * operation declares the status, its answer is checked against the declaration; when it does not,
   * the answer is accepted unchecked.
   */
  undeclaredStatuses?: readonly number[];
}

export const DEFAULT_UNDECLARED_STATUSES: readonly number[] = [401, 404, 429, 500, 502, 503, 504];

type Json = Record<string, unknown>;

interface Operation {
  file: string;
  template: string;
  method: string;
  /** The operation object of the document. */
  spec: Json;
  /** Path-level and operation-level parameters, merged. */
  parameters: Json[];
  /** Where the operation lives in its document, for cache keys. */
  pointer: string;
}

interface PathEntry {
  file: string;
  template: string;
  regex: RegExp;
  names: string[];
  literalSegments: number;
  item: Json;
}

interface Match {
  operation?: Operation;
  template: string;
  params: Record<string, string>;
}

/** A compiled schema, or the alternatives of a top-level `oneOf` compiled one by one on demand. */
interface Checker {
  check(data: unknown): string[];
}

const loaded = new Map<string, OpenApiContract>();

export class OpenApiContract {
  private readonly paths: PathEntry[] = [];
  private readonly checkers = new Map<string, Checker>();
  /** Compiled schemas by content: the documents repeat the same schemas (a tag's 201 and 200). */
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly ajv: Ajv2020;
  readonly undeclaredStatuses: readonly number[];

  /** Loads (once per directory and process) every `*.json` document of `dir`. */
  static load(dir = piwikProOpenApiDir(), options: ContractOptions = {}): OpenApiContract {
    const key = `${dir}|${(options.undeclaredStatuses ?? DEFAULT_UNDECLARED_STATUSES).join(",")}`;
    let contract = loaded.get(key);
    if (!contract) {
      contract = new OpenApiContract(dir, options);
      loaded.set(key, contract);
    }
    return contract;
  }

  constructor(readonly dir: string, options: ContractOptions = {}) {
    this.undeclaredStatuses = options.undeclaredStatuses ?? DEFAULT_UNDECLARED_STATUSES;
    let files: string[];
    try {
      files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
    } catch (err) {
      throw new Error(`Piwik PRO OpenAPI documents not found in ${dir} (set EXEMPT_PIWIKPRO_OPENAPI_DIR): ${(err as Error).message}`);
    }
    if (files.length === 0) throw new Error(`no OpenAPI document (*.json) in ${dir}`);
    for (const file of files.sort()) {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Json;
      for (const [template, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
        const names: string[] = [];
        const regex = new RegExp(
          "^" +
            template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_, name: string) => {
              names.push(name);
              return "([^/]+)";
            }) +
            "$",
        );
        const literalSegments = template.split("/").filter((s) => s && !s.startsWith("{")).length;
        this.paths.push({ file, template, regex, names, literalSegments, item });
      }
    }
    // `/app/global` is also an instance of `/app/{app_id}`: the most literal template wins.
    this.paths.sort((a, b) => b.literalSegments - a.literalSegments || a.names.length - b.names.length);
    // OpenAPI 3.1 schemas are JSON Schema 2020-12. `strict: false` because the documents carry
    // OpenAPI annotations (`example`) that are not JSON Schema keywords; `unicodeRegExp: false`
    // because their patterns (`^{{…}}$`) are not valid in Unicode mode, only in the PCRE they were
    // written for.
    this.ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat("IETF-language-tag", /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/);
  }

  /** The documented operations, as `METHOD /template`. */
  operations(): string[] {
    const out: string[] = [];
    for (const p of this.paths) for (const m of Object.keys(p.item)) if (isMethod(m)) out.push(`${m.toUpperCase()} ${p.template}`);
    return out;
  }

  match(method: string, concretePath: string): Match | undefined {
    for (const entry of this.paths) {
      const m = entry.regex.exec(concretePath);
      if (!m) continue;
      const params: Record<string, string> = {};
      entry.names.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1]);
      });
      const spec = entry.item[method.toLowerCase()] as Json | undefined;
      if (!spec) return { template: entry.template, params };
      const merged = new Map<string, Json>();
      for (const p of [...((entry.item.parameters as Json[]) ?? []), ...((spec.parameters as Json[]) ?? [])]) merged.set(`${p.in}:${p.name}`, p);
      return {
        template: entry.template,
        params,
        operation: { file: entry.file, template: entry.template, method: method.toUpperCase(), spec, parameters: [...merged.values()], pointer: `${entry.file}#${entry.template}#${method.toLowerCase()}` },
      };
    }
    return undefined;
  }

  validateExchange(ex: HttpExchange): ContractViolation[] {
    return [...this.validateRequest(ex), ...this.validateResponse(ex)];
  }

  validateRequest(ex: HttpExchange): ContractViolation[] {
    const violations: ContractViolation[] = [];
    const match = this.match(ex.method, ex.path);
    const operation = match?.operation ? `${ex.method.toUpperCase()} ${match.template}` : undefined;
    const add = (message: string) => violations.push({ side: "request", method: ex.method, path: ex.path, operation, message });
    if (!match) {
      add("no document declares this path");
      return violations;
    }
    if (!match.operation) {
      add(`${match.template} declares no ${ex.method.toUpperCase()} operation (declared: ${Object.keys(this.pathItem(match.template) ?? {}).filter(isMethod).map((m) => m.toUpperCase()).join(", ")})`);
      return violations;
    }
    const op = match.operation;

    for (const p of op.parameters.filter((p) => p.in === "path")) {
      const value = match.params[p.name as string];
      for (const e of this.checkerFor(`${op.pointer}#path:${p.name}`, p.schema as Json).check(value)) add(`path parameter ${p.name}: ${e}`);
    }

    const query = parseQuery(ex.rawQuery ?? "");
    const declared = new Map(op.parameters.filter((p) => p.in === "query").map((p) => [p.name as string, p]));
    for (const name of query.keys()) if (!declared.has(name)) add(`query parameter '${name}' is not declared (declared: ${[...declared.keys()].join(", ") || "none"})`);
    for (const [name, p] of declared) {
      const values = query.get(name);
      if (!values) {
        if (p.required) add(`query parameter '${name}' is required`);
        continue;
      }
      const schema = (p.schema ?? {}) as Json;
      const checker = this.checkerFor(`${op.pointer}#query:${name}`, schema);
      // Arrays may come repeated or comma-separated; a scalar parameter given several times
      // (`filter[template][]=a&filter[template][]=b`, as Tag Manager documents) is checked per value.
      const candidates = schema.type === "array" ? [values.flatMap((v) => v.split(",")).map((v) => coerce(v, (schema.items ?? {}) as Json))] : values.map((v) => coerce(v, schema));
      for (const candidate of candidates) for (const e of checker.check(candidate)) add(`query parameter '${name}': ${e}`);
    }

    const body = ex.requestBody ?? "";
    const requestBody = op.spec.requestBody as Json | undefined;
    if (!requestBody) {
      if (body.length > 0) add("sends a body, but the operation declares none");
      return violations;
    }
    if (body.length === 0) {
      if (requestBody.required) add("the operation requires a body, none was sent");
      return violations;
    }
    const content = (requestBody.content ?? {}) as Record<string, Json>;
    const sent = header(ex.requestHeaders, "content-type");
    const mediaKey = pickMediaType(Object.keys(content), sent);
    if (mediaKey === undefined) {
      add(`Content-Type '${sent ?? "(none)"}' is not declared (declared: ${Object.keys(content).join(", ")})`);
      return violations;
    }
    const parsed = parseBody(body, mediaKey);
    if ("error" in parsed) {
      add(parsed.error);
      return violations;
    }
    const schema = content[mediaKey].schema as Json | undefined;
    if (schema) for (const e of this.checkerFor(`${op.pointer}#request:${mediaKey}`, schema).check(parsed.value)) add(`body ${e}`);
    return violations;
  }

  validateResponse(ex: HttpExchange): ContractViolation[] {
    const violations: ContractViolation[] = [];
    const match = this.match(ex.method, ex.path);
    // A request to no documented operation is reported on the request side; its answer cannot be judged.
    if (!match?.operation) return violations;
    const op = match.operation;
    const operation = `${ex.method.toUpperCase()} ${match.template}`;
    const add = (message: string) => violations.push({ side: "response", method: ex.method, path: ex.path, operation, status: ex.status, message });
    const responses = (op.spec.responses ?? {}) as Record<string, Json>;
    const key = [String(ex.status), `${String(ex.status)[0]}XX`, "default"].find((k) => k in responses);
    const body = ex.responseBody ?? "";
    if (!key) {
      if (!this.undeclaredStatuses.includes(ex.status)) add(`status ${ex.status} is not declared (declared: ${Object.keys(responses).join(", ")})`);
      return violations;
    }
    const content = responses[key].content as Record<string, Json> | undefined;
    if (!content || Object.keys(content).length === 0) {
      // A status declared without content: no body is described. 204 and 304 cannot have one at all.
      if ((ex.status === 204 || ex.status === 304) && body.length > 0) add(`a ${ex.status} answer must have no body, got ${body.length} bytes`);
      return violations;
    }
    const sent = header(ex.responseHeaders, "content-type");
    const mediaKey = pickMediaType(Object.keys(content), sent);
    if (mediaKey === undefined) {
      add(`Content-Type '${sent ?? "(none)"}' is not declared (declared: ${Object.keys(content).join(", ")})`);
      return violations;
    }
    if (body.length === 0) {
      add(`body is empty, a ${mediaKey} body is declared`);
      return violations;
    }
    const parsed = parseBody(body, mediaKey);
    if ("error" in parsed) {
      add(parsed.error);
      return violations;
    }
    const schema = content[mediaKey].schema as Json | undefined;
    if (schema) for (const e of this.checkerFor(`${op.pointer}#response:${key}:${mediaKey}`, schema).check(parsed.value)) add(`body ${e}`);
    return violations;
  }

  private pathItem(template: string): Json | undefined {
    return this.paths.find((p) => p.template === template)?.item;
  }

  /** Compiles lazily and once: the Tag Manager documents hold megabytes of schemas. */
  private checkerFor(key: string, schema: Json): Checker {
    let checker = this.checkers.get(key);
    if (!checker) {
      const alternatives = alternativesOf(schema);
      checker = alternatives ? this.alternativesChecker(alternatives) : this.plainChecker(schema);
      this.checkers.set(key, checker);
    }
    return checker;
  }

  private compile(schema: Json): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  private plainChecker(schema: Json): Checker {
    let validate: ValidateFunction | undefined;
    return {
      check: (data) => {
        validate ??= this.compile(schema);
        return validate(data) ? [] : describe(validate.errors ?? []);
      },
    };
  }

  /**
   * Accepts data that one of the alternatives accepts; otherwise reports the alternative that came
   * closest (fewest errors), by its title. Alternatives are compiled as they are tried.
   */
  private alternativesChecker(alternatives: Json[]): Checker {
    const compiled: (ValidateFunction | undefined)[] = [];
    const get = (i: number) => (compiled[i] ??= this.compile(alternatives[i]));
    return {
      check: (data) => {
        let best: { index: number; errors: ErrorObject[] } | undefined;
        for (const i of candidatesFor(alternatives, data)) {
          const validate = get(i);
          if (validate(data)) return [];
          const errors = validate.errors ?? [];
          if (!best || errors.length < best.errors.length) best = { index: i, errors: [...errors] };
        }
        if (!best) return ["matches none of the alternatives"];
        const title = (alternatives[best.index].title as string | undefined) ?? `alternative ${best.index + 1}`;
        return describe(best.errors).map((e) => `${e} (closest alternative: "${title}")`);
      },
    };
  }
}

/**
 * The Tag Manager tag documents describe a request or answer as a `oneOf` of one alternative per
 * template, but every alternative lists all templates in its `template` enum, so a valid Piwik PRO
 * tag with empty `template_options` also matches the video templates' alternatives and fails
 * `oneOf` as written. A top-level `oneOf` is therefore read as "one of these alternatives accepts
 * it". Nested `oneOf`s (nullable values) are exclusive as written and are kept.
 */
function alternativesOf(schema: Json): Json[] | undefined {
  if (!Array.isArray(schema.oneOf)) return undefined;
  const structural = Object.keys(schema).filter((k) => !["oneOf", "description", "title", "example", "examples"].includes(k));
  return structural.length === 0 ? (schema.oneOf as Json[]) : undefined;
}

/**
 * Which template each Tag Manager alternative is about, by its title (the alternatives cannot say
 * it themselves, see `alternativesOf`). A tag that names its template is judged only by that
 * template's alternatives, so that a Piwik PRO tag missing its required options is not let through
 * by, say, the free-form "Abandoned tag" alternative. Untitled or unknown alternatives stay
 * candidates for every template.
 */
const TEMPLATE_OF_ALTERNATIVE: Readonly<Record<string, string>> = {
  "Custom tag (asynchronous)": "custom_tag",
  "Custom tag (synchronous) [DEPRECATED]": "custom_tag",
  "Custom content": "custom_content",
  "Custom popup": "custom_popup",
  "Piwik PRO tag": "piwik",
  "Piwik PRO Custom Dimensions tag": "piwik_custom_dimension",
  "Piwik PRO Custom Event tag": "piwik_event",
  "Piwik PRO Goal Conversion tag": "piwik_goal_conversion",
  "Piwik PRO Virtual Page View tag": "piwik_virtual_page_view",
  "Adroll tag": "adroll",
  "Bing Ads tag": "bing_ads",
  "Crazy Egg tag": "crazy_egg",
  "Floodlight Sales (item_sold) tag": "doubleclick_floodlight",
  "Floodlight Sales (transactions) tag": "doubleclick_floodlight",
  "Floodlight Counter (session) tag": "doubleclick_floodlight",
  "Floodlight Counter (standard_method) tag": "doubleclick_floodlight",
  "Floodlight Counter (unique_method) tag": "doubleclick_floodlight",
  "Meta pixel tag": "facebook_retargeting_pixel",
  "Google Ads Remarketing tag": "google_adwords",
  "Google Ads Tracking Conversion tag": "google_adwords",
  "DoubleClick Conversion tag [DEPRECATED]": "google_adwords",
  "Google Analytics tag": "google_analytics",
  "Hotjar tag": "hot_jar",
  "HubSpot tag": "hub_spot",
  "LinkedIn tag": "linkedin",
  "Marketo tag": "marketo",
  "Mautic tag": "mautic",
  "Qualaroo tag": "qualaroo",
  "SALESmanago tag": "sales_manago",
  "Salesforce Pardot tag": "salesforce_pardot",
  "Video HTML5 tag": "video_html5",
  "Video YouTube tag": "video_youtube",
  "Heatmaps tag": "heatmaps",
  "Abandoned tag": "abandoned",
  "Ecommerce Order": "ecommerce_order",
  "Ecommerce Add to cart": "ecommerce_add_to_cart",
  "Ecommerce Remove from cart": "ecommerce_remove_from_cart",
  "Ecommerce Product detail view": "ecommerce_product_detail_view",
  "Ecommerce Cart update": "ecommerce_cart_update",
  "Cookie Information CMP Integration tag": "cookie_information_cmp_integration",
  "A/B Tasty tag [DEPRECATED]": "ab_tasty",
  "Clicktale tag [DEPRECATED]": "click_tale",
  "Optimizely tag [DEPRECATED]": "optimizely",
  "Visual Website Optimizer tag [DEPRECATED]": "visual_website_optimizer",
};

function candidatesFor(alternatives: Json[], data: unknown): number[] {
  const all = alternatives.map((_, i) => i);
  const template = (data as { data?: { attributes?: { template?: unknown } } } | null)?.data?.attributes?.template;
  if (typeof template !== "string") return all;
  const matching = all.filter((i) => {
    const of = TEMPLATE_OF_ALTERNATIVE[alternatives[i].title as string];
    return of === undefined || of === template;
  });
  return matching.length > 0 ? matching : all;
}

function describe(errors: ErrorObject[]): string[] {
  const lines = errors
    // Alternatives that failed are explained by their own errors; the summary line adds nothing.
    .filter((e) => !(["oneOf", "anyOf"].includes(e.keyword) && errors.length > 1))
    .map((e) => {
      const at = e.instancePath || "/";
      const p = e.params as Record<string, unknown>;
      if (e.keyword === "additionalProperties") return `${at} must NOT have additional property '${String(p.additionalProperty)}'`;
      if (e.keyword === "enum") return `${at} ${e.message}: ${JSON.stringify(p.allowedValues)}`;
      if (e.keyword === "required") return `${at} must have required property '${String(p.missingProperty)}'`;
      return `${at} ${e.message}`;
    });
  const unique = [...new Set(lines)];
  return unique.length > 12 ? [...unique.slice(0, 12), `… and ${unique.length - 12} more`] : unique;
}

function isMethod(m: string): boolean {
  return ["get", "put", "post", "delete", "patch", "head", "options", "trace"].includes(m);
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

function essence(mediaType: string): string {
  return mediaType.split(";")[0].trim().toLowerCase();
}

/** The declared media type a Content-Type satisfies (parameters such as charset ignored). */
function pickMediaType(declared: string[], sent: string | undefined): string | undefined {
  if (!sent) return undefined;
  const got = essence(sent);
  return (
    declared.find((d) => essence(d) === got) ??
    declared.find((d) => essence(d) === "*/*") ??
    declared.find((d) => essence(d).endsWith("/*") && got.startsWith(essence(d).slice(0, -1)))
  );
}

function parseBody(body: string, mediaType: string): { value: unknown } | { error: string } {
  const type = essence(mediaType);
  if (type === "application/x-www-form-urlencoded") return { value: Object.fromEntries(new URLSearchParams(body)) };
  if (type === "*/*" || type === "application/json" || type.endsWith("+json")) {
    try {
      return { value: JSON.parse(body) };
    } catch {
      return { error: `body is not valid JSON: ${body.slice(0, 80)}` };
    }
  }
  return { value: body };
}

/** Query parameters by name (`name[]` read as more values of `name`), decoded, in order. */
function parseQuery(rawQuery: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of rawQuery.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    let name = safeDecode((eq >= 0 ? pair.slice(0, eq) : pair).replace(/\+/g, " "));
    if (name.endsWith("[]")) name = name.slice(0, -2);
    const value = safeDecode((eq >= 0 ? pair.slice(eq + 1) : "").replace(/\+/g, " "));
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

/** Query values are text; the schema says what they stand for. */
function coerce(value: string, schema: Json): unknown {
  const type = schema.type;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
