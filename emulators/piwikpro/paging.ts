import { PlatformError, platformErrors, refuse, tagManagerErrors } from "./errors";
import type { Query } from "./query";

/**
 * List parameters of the two API families. The platform pages with `offset`/`limit` (default 10,
 * at most 1000) and sorts on one field, refusing bad values with the messages its documents show;
 * Tag Manager pages with `page[offset]`/`page[limit]` and refuses in its own dialect.
 */
export interface PlatformListParams {
  offset: number;
  limit: number;
  sort: string;
  search: string;
}

export function readPlatformList(query: Query, sortFields: readonly string[], defaultSort: string, extraChecks: PlatformError[] = []): PlatformListParams {
  const errors = [...extraChecks];
  const offset = readNonNegative(query, "offset", 0, errors);
  const limit = readNonNegative(query, "limit", 10, errors);
  if (limit > 1000) errors.push({ code: "error.default", title: `Limit parameter exceeded maximum "1000" value, "${limit}" given`, source: { parameter: "limit" } });
  const sort = query.get("sort") ?? defaultSort;
  const allowed = sortFields.flatMap((f) => [f, `-${f}`]);
  if (!allowed.includes(sort)) {
    errors.push({
      code: "error.default",
      title: `Invalid query parameter 'sort' - available options are [${sortFields.join(",")}] - got '${sort}'`,
      source: { parameter: "sort" },
    });
  }
  if (errors.length) refuse(platformErrors(400, errors));
  // `search_query` is the deprecated spelling of `search`; both are still accepted.
  return { offset, limit, sort, search: query.get("search") ?? query.get("search_query") ?? "" };
}

function readNonNegative(query: Query, name: string, fallback: number, errors: PlatformError[]): number {
  const raw = query.get(name);
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) {
    errors.push({ code: "error.default", title: `Invalid query parameter '${name}' - value should be a positive integer - got '${raw}'`, source: { parameter: name } });
    return fallback;
  }
  return Number(raw);
}

/** Sorts on one field (`-` for descending); equal keys keep creation order in the same direction. */
export function sortBy<T>(items: T[], sort: string, key: (item: T, field: string) => string | number): T[] {
  const descending = sort.startsWith("-");
  const field = descending ? sort.slice(1) : sort;
  const indexed = items.map((item, index) => ({ item, index }));
  indexed.sort((a, b) => {
    const ka = key(a.item, field);
    const kb = key(b.item, field);
    const c = ka < kb ? -1 : ka > kb ? 1 : a.index - b.index;
    return descending ? -c : c;
  });
  return indexed.map((x) => x.item);
}

export interface TagManagerPage {
  offset: number;
  limit: number;
}

/**
 * UNCONFIRMED: the default page size of Tag Manager lists (the documented example links show
 * `page[limit]=10`) and the absence of a maximum (none is documented).
 */
export const TAG_MANAGER_DEFAULT_LIMIT = 10;

export function readTagManagerPage(query: Query): TagManagerPage {
  const read = (name: string, min: number, fallback: number): number => {
    const raw = query.get(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min) {
      refuse(
        tagManagerErrors(400, [
          { code: "INVALID_URI_PARAMETER_ERROR", detail: `Parameter ${name} should be an integer greater than or equal to ${min}`, source: { parameter: name } },
        ]),
      );
    }
    return Number(raw);
  };
  return { offset: read("page[offset]", 0, 0), limit: read("page[limit]", 1, TAG_MANAGER_DEFAULT_LIMIT) };
}
