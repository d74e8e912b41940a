/**
 * Rendering of API answers byte for byte as Matomo 5.1.2 on PHP 8.2 wrote them: PHP
 * `json_encode` (escaped slashes, `\uXXXX` for non-ASCII, an empty array as `[]`), the JSON
 * renderer's decoding of HTML entities in every string, the XML renderer, and the 100-row default
 * limit that Matomo's API controller applies to list results.
 */
import { htmlEntityDecode, htmlSpecialChars, phpIsNumeric } from "./php";

/** What an API method returns: undefined for PHP `void`, JS arrays for lists, objects or Maps for associative arrays. */
export type ApiValue = unknown;

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";
export const XML_CONTENT_TYPE = "text/xml; charset=utf-8";
export const TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";

const XML_HEADER = '<?xml version="1.0" encoding="utf-8" ?>\n';
const KNOWN_RENDERERS = ["console", "csv", "html", "json", "original", "rss", "tsv", "xml"];
/** The API controller's `API_datatable_default_limit`. */
export const DEFAULT_FILTER_LIMIT = "100";

/**
 * PHP `json_encode` with Matomo's flags (none): JSON.stringify already writes PHP's escapes for
 * quotes, backslashes and control characters (lower-case hex), so only `/` and non-ASCII
 * characters need rewriting. Empty objects become `[]`, because PHP has only one empty array.
 */
export function phpJsonEncode(value: unknown, decodeEntities = false): string {
  // Most answers are plain JSON already (no Map, no empty object, no entity to decode): then the
  // replacer below would change nothing, and JSON.stringify runs much faster without one.
  if (isPlainJson(value, decodeEntities, 0)) {
    const plain = JSON.stringify(value);
    return plain === undefined ? "null" : phpEscapes(plain);
  }
  const json = JSON.stringify(value, function (this: unknown, _key: string, v: unknown) {
    if (typeof v === "string") return decodeEntities && v.indexOf("&") >= 0 ? htmlEntityDecode(v, "both") : v;
    if (v instanceof Map) return mapToJson(v);
    if (v !== null && typeof v === "object" && !Array.isArray(v) && isEmptyObject(v as object)) return [];
    return v;
  });
  if (json === undefined) return "null";
  return phpEscapes(json);
}

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * `/` as `\/` and every character past ASCII as `\uXXXX` (lower-case hex). Slashes are replaced
 * without a callback (URLs are full of them); the rest only when there is any.
 */
function phpEscapes(json: string): string {
  const slashed = json.replaceAll("/", "\\/");
  return NON_ASCII.test(slashed) ? slashed.replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")) : slashed;
}

/**
 * What `JSON.parse(phpJsonEncode(value, decodeEntities))` gives, built directly: a bulk request
 * decodes every sub-request's JSON answer (as Matomo does), and writing then reading megabytes of
 * text was most of the emulator's time on a fleet's bulk reads. Each step is JSON.stringify's
 * (toJSON, then what phpJsonEncode's replacer does, then the value), and the result is what
 * JSON.parse makes of that text (no -0, NaN and Infinity as null, holes and functions as null in
 * lists, undefined and functions left out of objects).
 */
export function phpJsonValue(value: unknown, decodeEntities = false): unknown {
  const v = jsonValue(value, "", decodeEntities);
  return v === undefined ? null : v;
}

function jsonValue(value: unknown, key: string, decodeEntities: boolean): unknown {
  let v = value;
  if (v !== null && (typeof v === "object" || typeof v === "bigint") && typeof (v as { toJSON?: unknown }).toJSON === "function") v = (v as { toJSON(k: string): unknown }).toJSON(key);
  if (typeof v === "string") v = decodeEntities && v.indexOf("&") >= 0 ? htmlEntityDecode(v, "both") : v;
  else if (v instanceof Map) v = mapToJson(v);
  else if (v !== null && typeof v === "object" && !Array.isArray(v) && isEmptyObject(v as object)) v = [];
  // Boxed primitives are unwrapped by their internal slot, as JSON.stringify does (not by prototype).
  if (v !== null && typeof v === "object") {
    const tag = Object.prototype.toString.call(v);
    if (tag === "[object Number]") v = Number(v);
    else if (tag === "[object String]") v = String(v);
    else if (tag === "[object Boolean]") v = Boolean.prototype.valueOf.call(v);
  }
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v + 0 : null;
  if (typeof v === "bigint") throw new TypeError("Do not know how to serialize a BigInt");
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = jsonValue(v[i], String(i), decodeEntities);
      out[i] = item === undefined ? null : item;
    }
    return out;
  }
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) {
      const item = jsonValue(o[k], k, decodeEntities);
      if (item === undefined) continue;
      // JSON.parse makes "__proto__" an own key, as any other.
      if (k === "__proto__") Object.defineProperty(out, k, { value: item, enumerable: true, writable: true, configurable: true });
      else out[k] = item;
    }
    return out;
  }
  return undefined;
}

/** JSON.parse(renderValue(value, { kind: "json" }).body), without the text. */
export function jsonAnswerValue(value: ApiValue): unknown {
  if (value === undefined || value === null) return { result: "success", message: "ok" };
  if (typeof value !== "object") return phpJsonValue({ value }, true);
  return phpJsonValue(value, true);
}

/** JSON.parse(renderError(message, status, { kind: "json" }).body), without the text. */
export function jsonErrorValue(message: string): unknown {
  return phpJsonValue({ result: "error", message: formatValueXml(message).replace(/\r\n|\n/g, " ") });
}

/**
 * True when phpJsonEncode's replacer would leave every value as it is: only null, booleans,
 * numbers, strings (without `&` when entities are decoded), arrays and non-empty objects of the
 * plain Object prototype, nothing with toJSON, nested at most 64 deep (deeper is left to the
 * general path). Anything else, and functions or undefined, which JSON.stringify handles alike
 * either way, but are rare enough not to bother: answered false.
 */
function isPlainJson(v: unknown, decodeEntities: boolean, depth: number): boolean {
  if (v === null || typeof v === "boolean" || typeof v === "number") return true;
  if (typeof v === "string") return !decodeEntities || v.indexOf("&") < 0;
  if (typeof v !== "object" || depth > 64) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!isPlainJson(v[i], decodeEntities, depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype || typeof (v as { toJSON?: unknown }).toJSON === "function") return false;
  let keys = 0;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) return false;
    keys++;
    if (!isPlainJson((v as Record<string, unknown>)[k], decodeEntities, depth + 1)) return false;
  }
  return keys > 0;
}

function isEmptyObject(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * A PHP array with keys 0..n-1 in order is a JSON list; anything else is a JSON object. (A JS
 * object lists integer-like keys first and in ascending order; the emulator never builds a map
 * whose integer-like keys are out of that order, so this is where it stops caring.)
 */
function mapToJson(m: Map<unknown, unknown>): unknown {
  let i = 0;
  let sequential = true;
  for (const k of m.keys()) if (String(k) !== String(i++)) sequential = false;
  if (sequential) return [...m.values()];
  const o: Record<string, unknown> = {};
  for (const [k, v] of m) o[String(k)] = v;
  return o;
}

/** Matomo's `formatValueXml`, which error messages also go through: why `"` shows as `&quot;` in JSON errors. */
export function formatValueXml(value: string): string {
  if (phpIsNumeric(value)) return value;
  return htmlSpecialChars(htmlEntityDecode(value, "double"), "double");
}

export interface RenderedBody {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export type OutputFormat = { kind: "json"; callback?: string } | { kind: "xml" } | { kind: "invalid"; name: string } | { kind: "unsupported"; name: string };

/** `format` is case-insensitive and defaults to XML, as in Matomo. */
export function outputFormatOf(format: string | undefined, callback?: string): OutputFormat {
  const name = (format ?? "xml").toLowerCase();
  if (name === "json") return callback !== undefined && /^[0-9a-zA-Z_.]*$/.test(callback) && callback !== "" ? { kind: "json", callback } : { kind: "json" };
  if (name === "xml") return { kind: "xml" };
  if (KNOWN_RENDERERS.includes(name)) return { kind: "unsupported", name };
  return { kind: "invalid", name };
}

export interface ListFilters {
  filterLimit?: string;
  filterOffset?: string;
  filterPattern?: string;
  filterColumn?: unknown;
}

/** `Common::getRequestVar(..., 'integer')`: a value that is not an integer string falls back to the default. */
function intParam(v: string | undefined, fallback: number): number {
  if (v === undefined || v === "") return fallback;
  return /^-?\d+$/.test(v.trim()) && String(parseInt(v, 10)) === v.trim() ? parseInt(v, 10) : fallback;
}

/**
 * ResponseBuilder's treatment of array results: when the first key is numeric, the pattern filter
 * and `filter_limit`/`filter_offset` apply, and slicing re-indexes (which turns an id-keyed map
 * into a list).
 */
export function applyListFilters(value: ApiValue, f: ListFilters): ApiValue {
  let firstKeyNumeric = false;
  if (Array.isArray(value)) firstKeyNumeric = value.length > 0;
  else if (value instanceof Map && value.size > 0) firstKeyNumeric = phpIsNumeric(String(value.keys().next().value));
  if (!firstKeyNumeric) return value;
  let list: unknown[] | Map<unknown, unknown> = value as unknown[] | Map<unknown, unknown>;
  const columns = f.filterColumn;
  if (f.filterPattern !== undefined && f.filterPattern !== "" && columns !== undefined) {
    const cols = (columns instanceof Map ? [...columns.values()] : [columns]).map(String);
    let re: RegExp | undefined;
    try {
      re = new RegExp(f.filterPattern, "i");
    } catch {
      re = undefined;
    }
    const keep = (row: unknown) =>
      re !== undefined && row !== null && typeof row === "object" && cols.some((c) => re!.test(String((row as Record<string, unknown>)[c] ?? "")));
    list = Array.isArray(list) ? list.filter(keep) : new Map([...list].filter(([, r]) => keep(r)));
  }
  let limit: number | null = intParam(f.filterLimit, -1);
  const offset = intParam(f.filterOffset, 0);
  if (limit >= 0 || offset > 0) {
    if (limit < 0) limit = null;
    const arr = Array.isArray(list) ? list : [...list.values()];
    return arr.slice(offset, limit === null ? undefined : offset + limit);
  }
  return list;
}

/** Renders a method's return value in the requested format. `void` is `{"result":"success","message":"ok"}`. */
export function renderValue(value: ApiValue, format: OutputFormat): RenderedBody {
  if (format.kind === "invalid" || format.kind === "unsupported") return renderFormatProblem(format);
  if (format.kind === "xml") return { status: 200, contentType: XML_CONTENT_TYPE, body: XML_HEADER + xmlBody(value) };
  let body: string;
  if (value === undefined || value === null) body = '{"result":"success","message":"ok"}';
  else if (typeof value !== "object") body = phpJsonEncode({ value }, true);
  else body = phpJsonEncode(value, true);
  return jsonp(body, format);
}

/** An exception rendered by the API: `{"result":"error","message":…}` with the message HTML-escaped. */
export function renderError(message: string, status: number, format: OutputFormat): RenderedBody {
  const m = formatValueXml(message);
  if (format.kind === "invalid" || format.kind === "unsupported") return renderFormatProblem(format);
  if (format.kind === "xml") return { status, contentType: XML_CONTENT_TYPE, body: `${XML_HEADER}<result>\n\t<error message="${m}" />\n</result>` };
  const r = jsonp(phpJsonEncode({ result: "error", message: m.replace(/\r\n|\n/g, " ") }), format);
  return { ...r, status };
}

function jsonp(body: string, format: { kind: "json"; callback?: string }): RenderedBody {
  if (format.callback !== undefined) return { status: 200, contentType: "application/javascript; charset=utf-8", body: `${format.callback}(${body})` };
  return { status: 200, contentType: JSON_CONTENT_TYPE, body };
}

function renderFormatProblem(format: { kind: "invalid" | "unsupported"; name: string }): RenderedBody {
  if (format.kind === "invalid") {
    const message = `Renderer format '${format.name}' not valid. Try any of the following instead: ${KNOWN_RENDERERS.join(", ")}.`;
    return { status: 200, contentType: TEXT_CONTENT_TYPE, body: `Error: ${formatValueXml(message)}` };
  }
  // Matomo knows these renderers; the emulator only speaks JSON and XML (see README).
  return { status: 200, contentType: TEXT_CONTENT_TYPE, body: `Error: the Matomo emulator renders only format=json and format=xml, not '${format.name}'.` };
}

// ---------------------------------------------------------------------------------------------
// XML

function xmlScalar(v: unknown): string {
  if (v === true) return "1";
  if (v === false || v === null || v === undefined) return "";
  if (typeof v === "number") return String(v);
  return formatValueXml(String(v));
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== "object";
}

function entriesOf(v: unknown): [string, unknown][] {
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [String(k), x]);
  if (Array.isArray(v)) return v.map((x, i) => [String(i), x]);
  return Object.entries(v as Record<string, unknown>);
}

function xmlElement(name: string, v: unknown, indent: string): string {
  if (isScalar(v)) {
    const s = xmlScalar(v);
    return s === "" ? `${indent}<${name} />` : `${indent}<${name}>${s}</${name}>`;
  }
  const entries = entriesOf(v);
  if (entries.length === 0) return `${indent}<${name} />`;
  const isList = Array.isArray(v);
  const inner = entries.map(([k, x]) => xmlElement(isList || /^\d/.test(k) ? "row" : k, x, indent + "\t")).join("\n");
  return `${indent}<${name}>\n${inner}\n${indent}</${name}>`;
}

function xmlBody(value: ApiValue): string {
  if (value === undefined || value === null) return '<result>\n\t<success message="ok" />\n</result>';
  if (isScalar(value)) return `<result>${xmlScalar(value)}</result>`;
  const entries = entriesOf(value);
  if (entries.length === 0) return "<result />";
  if (!Array.isArray(value) && !(value instanceof Map)) {
    // A single associative array is one row.
    return `<result>\n${xmlElement("row", value, "\t")}\n</result>`;
  }
  return `<result>\n${entries.map(([, x]) => xmlElement("row", x, "\t")).join("\n")}\n</result>`;
}
