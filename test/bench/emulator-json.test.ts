import { htmlEntityDecode } from "../../emulators/matomo/php";
import { jsonAnswerValue, jsonErrorValue, phpJsonEncode, phpJsonValue, renderError, renderValue } from "../../emulators/matomo/format";

/**
 * The Matomo emulator's bulk answers were made faster for the benchmark (no second JSON round trip
 * per sub-request, no replacer for plain values). These check, on random values, that the fast
 * paths give exactly what the straightforward ones give: same bytes, same decoded values.
 */

/** phpJsonEncode as it was written first: JSON.stringify with a replacer, then PHP's escapes. */
function referenceEncode(value: unknown, decodeEntities = false): string {
  const json = JSON.stringify(value, function (this: unknown, _key: string, v: unknown) {
    if (typeof v === "string") return decodeEntities && v.indexOf("&") >= 0 ? htmlEntityDecode(v, "both") : v;
    if (v instanceof Map) {
      let i = 0;
      let sequential = true;
      for (const k of v.keys()) if (String(k) !== String(i++)) sequential = false;
      if (sequential) return [...v.values()];
      const o: Record<string, unknown> = {};
      for (const [k, x] of v) o[String(k)] = x;
      return o;
    }
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const _ in v as object) return v;
      return [];
    }
    return v;
  });
  if (json === undefined) return "null";
  return json.replace(/[/\u0080-\uffff]/g, (c) => (c === "/" ? "\\/" : "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")));
}

/** A small deterministic generator (xorshift), so a failure can be replayed. */
function randomValues(seed: number, count: number): unknown[] {
  let x = seed;
  const rnd = (k: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % k;
  };
  const strings = ["", "a/b", "é", "😀", "\ud800", "x&amp;y", "&lt;b&gt;", "&#39;q", "\n\t\"\\", "1", "plain", "http://x.y/z?a=1&b=2", "&amp;amp;"];
  const gen = (depth: number): unknown => {
    switch (rnd(depth > 3 ? 6 : 12)) {
      case 0:
        return null;
      case 1:
        return rnd(2) === 0;
      case 2:
        return [0, -0, 1.5, 1e21, NaN, Infinity, -7, 5e-324][rnd(8)];
      case 3:
      case 4:
      case 5:
        return strings[rnd(strings.length)];
      case 6: {
        const a: unknown[] = Array.from({ length: rnd(4) }, () => gen(depth + 1));
        if (rnd(6) === 0) a.length += 2;
        return a;
      }
      case 7: {
        const o: Record<string, unknown> = {};
        for (let i = rnd(4); i > 0; i--) o[["a", "b/c", "é", "1", "0", "x", "&amp;"][rnd(7)]] = gen(depth + 1);
        if (rnd(5) === 0) o.u = undefined;
        if (rnd(7) === 0) o.f = () => 1;
        return o;
      }
      case 8: {
        const m = new Map<unknown, unknown>();
        const sequential = rnd(2) === 0;
        for (let i = 0, n = rnd(4); i < n; i++) m.set(sequential ? i : ["k", "2", 5, "z/"][rnd(4)], gen(depth + 1));
        return m;
      }
      case 9:
        return [undefined, () => 1, gen(depth + 1)];
      case 10:
        return rnd(2) ? new Date(rnd(1e9) * 1000) : { toJSON: () => ({ z: "&amp;" }) };
      default:
        return {};
    }
  };
  return Array.from({ length: count }, () => gen(0));
}

const json = { kind: "json" as const };

test("phpJsonEncode writes the same bytes as the replacer it replaced", () => {
  for (const v of randomValues(7, 20_000)) {
    expect(phpJsonEncode(v, false)).toBe(referenceEncode(v, false));
    expect(phpJsonEncode(v, true)).toBe(referenceEncode(v, true));
  }
});

test("a sub-request's answer is what its JSON rendering decodes to", () => {
  for (const v of randomValues(11, 20_000)) {
    expect(phpJsonValue(v, true)).toStrictEqual(JSON.parse(phpJsonEncode(v, true)));
    expect(jsonAnswerValue(v)).toStrictEqual(JSON.parse(renderValue(v, json).body));
  }
  for (const message of ["plain", 'quoted "x" & <b>', "two\nlines\r\nhere", "é/😀"]) expect(jsonErrorValue(message)).toStrictEqual(JSON.parse(renderError(message, 400, json).body));
});

test("-0, NaN and Infinity come back as JSON.parse gives them", () => {
  expect(Object.is(phpJsonValue(-0), 0)).toBe(true);
  expect(phpJsonValue([NaN, Infinity, undefined, () => 1])).toEqual([null, null, null, null]);
});
