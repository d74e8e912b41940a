import type { ListDocument } from "./responses";

/**
 * Reading whole lists from the two paging dialects: the platform's `offset`/`limit` (at most 1000)
 * and Tag Manager's `page[offset]`/`page[limit]`. The first page gives the total; the other pages
 * are then asked for all at once, so the transport's concurrency is what bounds them, not a
 * page-by-page walk. Items are de-duplicated by id, in case the list moved between two pages.
 */
export type Item = ListDocument["data"][number];

export interface PagingDialect {
  /** The query parameters asking for one page. */
  page(offset: number, limit: number): Array<[string, string | number]>;
  limit: number;
}

/** The documented maximum: one request for up to 1000 apps, users or permissions. */
export const PLATFORM_PAGE_SIZE = 1000;

export function platformPaging(limit = PLATFORM_PAGE_SIZE): PagingDialect {
  return {
    limit,
    page: (offset, size) => [
      ["offset", offset],
      ["limit", size],
    ],
  };
}

/**
 * Tag Manager documents no maximum page size. An app holds a handful of tags, so 100 keeps one
 * request per app, and a server capping lower is followed by the count it actually returned.
 */
export const TAG_MANAGER_PAGE_SIZE = 100;

export function tagManagerPaging(limit = TAG_MANAGER_PAGE_SIZE): PagingDialect {
  return {
    limit,
    page: (offset, size) => [
      ["page[offset]", offset],
      ["page[limit]", size],
    ],
  };
}

/** A generous bound on pages, so a server that never ends its list cannot keep a run going forever. */
const MAX_PAGES = 1000;

export async function readAllPages(dialect: PagingDialect, fetchPage: (query: Array<[string, string | number]>) => Promise<ListDocument>): Promise<Item[]> {
  const first = await fetchPage(dialect.page(0, dialect.limit));
  const items = [...first.data];
  const total = first.meta?.total;
  const step = first.data.length;
  if (step === 0) return dedupe(items);
  if (total !== undefined) {
    if (items.length >= total) return dedupe(items);
    const offsets: number[] = [];
    for (let offset = step; offset < total && offsets.length < MAX_PAGES; offset += step) offsets.push(offset);
    const pages = await Promise.all(offsets.map((offset) => fetchPage(dialect.page(offset, step))));
    for (const page of pages) items.push(...page.data);
    return dedupe(items);
  }
  // No total (every documented list has one): a short first page is the whole list, else walk on.
  if (step < dialect.limit) return dedupe(items);
  let offset = step;
  for (let n = 0; n < MAX_PAGES; n++) {
    const page = await fetchPage(dialect.page(offset, step));
    items.push(...page.data);
    if (page.data.length < step) break;
    offset += step;
  }
  return dedupe(items);
}

function dedupe(items: Item[]): Item[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.id) ? false : (seen.add(i.id), true)));
}
