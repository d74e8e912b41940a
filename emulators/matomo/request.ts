/**
 * Turns the raw query string and form body into what PHP hands to Matomo: `$_GET` and `$_POST`
 * parsed with `parse_str` rules (brackets make arrays, `+` is a space), cut at PHP's
 * `max_input_vars`, and merged as `$_GET + $_POST`, so a query-string value wins.
 */
import { PhpArray, PhpValue, isPhpArray } from "./php";

/**
 * PHP's default `max_input_vars` is 1,000. PHP checks the count of the query string before adding
 * a field but the count of a form body after adding it, so a body keeps 1,001 fields: the
 * recorded pass (limits.json) kept `filter_limit` as field 1,001 and lost `token_auth` at 1,002.
 */
export const MAX_QUERY_VARS = 1000;
export const MAX_BODY_VARS = 1001;

/** PHP `urldecode`: `+` is a space, `%XX` a byte, a stray `%` stays as it is. */
export function phpUrlDecode(s: string): string {
  if (s.indexOf("%") < 0) return s.indexOf("+") < 0 ? s : s.replace(/\+/g, " ");
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) bytes.push(0x20);
    else if (c === 0x25 && i + 2 < s.length && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(s[i], "utf8")) bytes.push(b);
  }
  return Buffer.from(bytes).toString("utf8");
}

export interface ParsedFields {
  values: PhpArray;
  /** Fields present in the input, before the limit. */
  fieldCount: number;
  /** Fields PHP dropped silently because of `max_input_vars`. */
  dropped: number;
}

const nextIndex = new WeakMap<PhpArray, number>();

function appendKey(arr: PhpArray): string {
  const n = nextIndex.get(arr) ?? 0;
  nextIndex.set(arr, n + 1);
  return String(n);
}

function noteKey(arr: PhpArray, key: string): void {
  if (/^(0|-?[1-9]\d*)$/.test(key)) {
    const n = parseInt(key, 10);
    if (n >= (nextIndex.get(arr) ?? 0)) nextIndex.set(arr, n + 1);
  }
}

/** Registers one `name=value` pair the way `php_register_variable_ex` does. */
function register(target: PhpArray, rawName: string, value: string): void {
  let name = rawName.replace(/^ +/, "");
  if (!name) return;
  const open = name.indexOf("[");
  let base = open >= 0 ? name.slice(0, open) : name;
  let rest = open >= 0 ? name.slice(open) : "";
  if (open >= 0 && name.indexOf("]", open) < 0) {
    // An unclosed bracket is no array: PHP turns it into '_' and keeps the rest of the name.
    base = name.slice(0, open) + "_" + name.slice(open + 1);
    rest = "";
  }
  base = base.replace(/[ .]/g, "_");
  if (!base) return;
  const keys: (string | null)[] = [];
  while (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) break;
    const k = rest.slice(1, close);
    keys.push(k === "" ? null : k);
    rest = rest.slice(close + 1);
  }
  if (keys.length === 0) {
    target.set(base, value);
    return;
  }
  let cur = target;
  let key: string = base;
  for (const k of keys) {
    let next = cur.get(key);
    if (!isPhpArray(next)) {
      next = new Map();
      cur.set(key, next);
      noteKey(cur, key);
    }
    cur = next;
    key = k === null ? appendKey(cur) : k;
  }
  cur.set(key, value);
  noteKey(cur, key);
}

/** PHP `parse_str`, keeping at most `maxVars` fields. */
export function parsePhpQuery(raw: string, maxVars = Infinity): ParsedFields {
  const values: PhpArray = new Map();
  let fieldCount = 0;
  let kept = 0;
  if (raw) {
    for (const piece of raw.split("&")) {
      if (!piece) continue;
      fieldCount++;
      if (kept >= maxVars) continue;
      kept++;
      const eq = piece.indexOf("=");
      const name = phpUrlDecode(eq >= 0 ? piece.slice(0, eq) : piece);
      const value = eq >= 0 ? phpUrlDecode(piece.slice(eq + 1)) : "";
      register(values, name, value);
    }
  }
  return { values, fieldCount, dropped: fieldCount - kept };
}

/** `$_GET + $_POST`: every top-level name takes the query string's value when both have it. */
export function mergeGetPost(get: PhpArray, post: PhpArray): PhpArray {
  const merged: PhpArray = new Map(get);
  for (const [k, v] of post) if (!merged.has(k)) merged.set(k, v);
  return merged;
}

/** A top-level request value as a string, or undefined when absent or an array. */
export function scalarParam(params: PhpArray, name: string): string | undefined {
  const v: PhpValue | undefined = params.get(name);
  return typeof v === "string" ? v : undefined;
}
