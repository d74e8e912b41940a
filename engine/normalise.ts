import { UNORDERED_LISTS } from "./fields";

const normalUrls = new Map<string, string>();

/**
 * Values are compared after normalising what the products do not preserve: URL spelling (a
 * trailing slash, upper-case host), the order of set-like lists, surrounding spaces.
 */
export function normaliseUrl(url: string): string {
  // The same URLs are normalised on both sides of every site's diff, run after run: parsed once
  // each (a pure function of the text; the memo is bounded).
  let normal = normalUrls.get(url);
  if (normal === undefined) {
    normal = parseNormalUrl(url);
    if (normalUrls.size >= 100_000) normalUrls.clear();
    normalUrls.set(url, normal);
  }
  return normal;
}

function parseNormalUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    const path = u.pathname === "/" ? "" : u.pathname.replace(/\/+$/, "");
    return `${u.protocol}//${u.host.toLowerCase()}${path}${u.search}`;
  } catch {
    return url.trim();
  }
}

/** Main URL first (it identifies the site), aliases as a set. */
export function normaliseUrls(urls: readonly string[]): string[] {
  if (urls.length === 0) return [];
  const [main, ...aliases] = urls.map(normaliseUrl);
  return [main, ...[...new Set(aliases.filter((a) => a !== main))].sort()];
}

export function normaliseField(field: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (field === "urls" && Array.isArray(value)) return normaliseUrls(value as string[]);
  if (UNORDERED_LISTS.has(field) && Array.isArray(value)) return [...new Set((value as string[]).map((v) => String(v).trim()).filter((v) => v !== ""))].sort();
  if (typeof value === "string") return value.trim();
  return value;
}

export function sameValue(field: string, a: unknown, b: unknown): boolean {
  const x = normaliseField(field, a);
  const y = normaliseField(field, b);
  // Most fields of most sites are equal: say so without writing both out. Identical values, or
  // lists whose items are identical one by one, have identical JSON; anything else is compared
  // through its JSON as before (NaN and null, key order...).
  if (x === y) return true;
  if (Array.isArray(x) && Array.isArray(y) && x.length === y.length && samePrimitiveItems(x, y)) return true;
  return stableJson(x) === stableJson(y);
}

/** Item by item identical, every item a string, number, boolean or null (no holes, no undefined, no objects). */
function samePrimitiveItems(x: unknown[], y: unknown[]): boolean {
  for (let i = 0; i < x.length; i++) {
    const item = x[i];
    if (item !== y[i] || item === undefined || (item !== null && typeof item === "object")) return false;
  }
  return true;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "undefined";
}
