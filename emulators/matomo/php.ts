/**
 * The few PHP semantics Matomo's answers depend on: how request values look once PHP parsed them,
 * what `empty()`, `(int)` and `(bool)` make of strings, and the HTML-escaping Matomo applies to
 * input and undoes on output. Written from the PHP manual's definitions, not from Matomo's code.
 */

/** A PHP request value: a string, or an array parsed from `a[]=`/`a[k]=` fields. */
export type PhpValue = string | PhpArray;
/** An ordered PHP array. Keys stay strings ("0", "1", "k") so insertion order is kept. */
export type PhpArray = Map<string, PhpValue>;

export function isPhpArray(v: unknown): v is PhpArray {
  return v instanceof Map;
}

/** PHP's `empty()`, for the values our handlers see. */
export function phpEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === "" || v === "0" || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  if (typeof v === "object") return Object.keys(v as object).length === 0;
  return false;
}

/** PHP's `(int)` cast of a request string: leading blanks, sign and digits; anything else is 0. */
export function phpInt(v: unknown): number {
  if (typeof v === "number") return Math.trunc(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "string") return 0;
  const m = /^[ \t\n\r\v\f]*([+-]?\d+)/.exec(v);
  return m ? parseInt(m[1], 10) : 0;
}

/** PHP's `(bool)` cast of a request value: "" and "0" are false, every other string is true. */
export function phpBool(v: unknown): boolean {
  return !(v === undefined || v === null || v === false || v === "" || v === "0" || v === 0);
}

/** PHP's `is_numeric` for strings. */
export function phpIsNumeric(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v !== "string") return false;
  return /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/.test(v);
}

/** The values of a PHP array in order, or a one-element list for a string. */
export function phpList(v: PhpValue | undefined): PhpValue[] {
  if (v === undefined) return [];
  return isPhpArray(v) ? [...v.values()] : [v];
}

/** Converts a parsed request value to plain JSON data (lists when keys are 0..n-1, as PHP does). */
export function phpToPlain(v: unknown): unknown {
  if (v instanceof Map) {
    let i = 0;
    let sequential = true;
    for (const k of v.keys()) if (k !== String(i++)) sequential = false;
    if (sequential) return [...v.values()].map(phpToPlain);
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[k] = phpToPlain(x);
    return o;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// HTML entities

const ESCAPE_QUOTES: Record<string, string> = { "&": "&amp;", '"': "&quot;", "'": "&#039;", "<": "&lt;", ">": "&gt;" };

/** PHP `htmlspecialchars` with ENT_QUOTES (quotes: "both") or ENT_COMPAT ("double"). */
export function htmlSpecialChars(s: string, quotes: "both" | "double" = "both"): string {
  const re = quotes === "both" ? /[&"'<>]/g : /[&"<>]/g;
  return s.replace(re, (c) => ESCAPE_QUOTES[c]);
}

// HTML 4.01 named entities for code points 160..255, in code point order.
const LATIN1_NAMES =
  "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml".split(
    " ",
  );
const NAMED: Record<string, number> = { amp: 38, lt: 60, gt: 62, quot: 34 };
LATIN1_NAMES.forEach((name, i) => (NAMED[name] = 160 + i));
Object.assign(NAMED, {
  OElig: 338, oelig: 339, Scaron: 352, scaron: 353, Yuml: 376, fnof: 402, circ: 710, tilde: 732,
  ensp: 8194, emsp: 8195, thinsp: 8201, ndash: 8211, mdash: 8212, lsquo: 8216, rsquo: 8217, sbquo: 8218,
  ldquo: 8220, rdquo: 8221, bdquo: 8222, dagger: 8224, Dagger: 8225, bull: 8226, hellip: 8230, permil: 8240,
  prime: 8242, Prime: 8243, lsaquo: 8249, rsaquo: 8250, euro: 8364, trade: 8482, larr: 8592, rarr: 8594,
});

/**
 * PHP `html_entity_decode` (HTML 4.01 doctype). With quotes "double" (ENT_COMPAT) the numeric
 * entities of the single quote stay encoded; `&apos;` is not an HTML 4.01 entity and never decodes.
 */
export function htmlEntityDecode(s: string, quotes: "both" | "double" = "both"): string {
  if (s.indexOf("&") < 0) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]+|#\d+|[A-Za-z][A-Za-z0-9]*);/g, (whole, body: string) => {
    let code: number | undefined;
    if (body[0] === "#") code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    else code = NAMED[body];
    if (code === undefined || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) return whole;
    if (code === 39 && quotes !== "both") return whole;
    return String.fromCodePoint(code);
  });
}

/**
 * What Matomo does to every string parameter of a method not marked @unsanitized: decode
 * entities, then escape the five HTML characters. This is why names are stored as `A &amp; B`.
 */
export function sanitizeInput(v: PhpValue): PhpValue {
  if (typeof v === "string") return htmlSpecialChars(htmlEntityDecode(v.replace(/\0/g, ""), "both"), "both");
  const out: PhpArray = new Map();
  for (const [k, x] of v) out.set(k, sanitizeInput(x));
  return out;
}

/** The reverse, for the parameters Matomo stores unsanitized (Tag Manager parameters, URLs). */
export function unsanitize(v: PhpValue): PhpValue {
  if (typeof v === "string") return htmlEntityDecode(v, "both");
  const out: PhpArray = new Map();
  for (const [k, x] of v) out.set(k, unsanitize(x));
  return out;
}
