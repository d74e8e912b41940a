/**
 * Matomo HTML-escapes string input before storing it and usually decodes on JSON output, but error
 * messages (and some plugin outputs) come back escaped (`&quot;Mars/Olympus&quot;`,
 * `Settings &gt; Plugins`). Every string read is decoded once, so that comparisons are made on
 * what a person typed. A value that really contains an entity (a site named `A &amp; B`) cannot be
 * told apart and reads back as `A & B`: an accepted loss, as Matomo itself stores both alike.
 */
const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  rsaquo: "\u203a",
  lsaquo: "\u2039",
  raquo: "\u00bb",
  laquo: "\u00ab",
  hellip: "\u2026",
  ndash: "\u2013",
  mdash: "\u2014",
  euro: "\u20ac",
};

const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g;

export function decodeHtmlEntities(text: string): string {
  if (text.indexOf("&") < 0) return text;
  return text.replace(ENTITY, (whole, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[body] ?? whole;
  });
}

/** Decodes every string (keys included) of a parsed JSON value, in place where possible. */
export function decodeEntitiesDeep(value: unknown): unknown {
  if (typeof value === "string") return decodeHtmlEntities(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeEntitiesDeep(value[i]);
    return value;
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    // Values are decoded in place; an object is copied only when one of its keys changes, so its
    // key order stays. A fleet's answers are megabytes of objects whose keys never hold entities.
    if (keys.every((key) => key.indexOf("&") < 0)) {
      for (const key of keys) obj[key] = decodeEntitiesDeep(obj[key]);
      return obj;
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) out[decodeHtmlEntities(key)] = decodeEntitiesDeep(obj[key]);
    return out;
  }
  return value;
}
