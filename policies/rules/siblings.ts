import { urlIdentity } from "../../model/config";
import type { Subject } from "../types";

type Siblings = Subject["instanceSites"];

/**
 * Every subject of an instance carries the same sibling list, and the rules that compare a site
 * with its siblings (single publisher, cookie domain) used to scan it whole, parsing every URL
 * again: O(n²) URL parses, minutes for a fleet of thousands. This index is built once per list
 * and answers "which siblings can clash" from maps; the rules then judge only those candidates,
 * in list order, so their verdicts are the same as a full scan's.
 */
export interface SiblingIndex {
  /** Position of each key in the list (the first, if a key repeats). */
  positionOf: Map<string, number>;
  /** urlIdentity of every URL of every sibling, in list order. */
  identities: string[][];
  /** Identity → siblings having a URL with that identity. */
  exact: Map<string, number[]>;
  /** Identity prefix ending before a `/` → siblings having a URL below it. */
  below: Map<string, number[]>;
  /** Host names of each sibling (lower case), computed on first use. */
  hosts(position: number): string[];
  /** Host or parent domain → siblings having a host equal to it or under it. */
  byDomain(): Map<string, number[]>;
}

const cache = new WeakMap<Siblings, { length: number; index: SiblingIndex }>();

export function siblingIndex(siblings: Siblings): SiblingIndex {
  const hit = cache.get(siblings);
  if (hit && hit.length === siblings.length) return hit.index;
  const index = buildIndex(siblings);
  cache.set(siblings, { length: siblings.length, index });
  return index;
}

function add(map: Map<string, number[]>, key: string, position: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [position]);
  else if (list[list.length - 1] !== position) list.push(position);
}

/** Every prefix of an identity that ends just before a `/`: the identities it lies below. */
export function identityAncestors(identity: string): string[] {
  const out: string[] = [];
  for (let i = identity.indexOf("/"); i >= 0; i = identity.indexOf("/", i + 1)) out.push(identity.slice(0, i));
  return out;
}

function buildIndex(siblings: Siblings): SiblingIndex {
  const positionOf = new Map<string, number>();
  const exact = new Map<string, number[]>();
  const below = new Map<string, number[]>();
  const identities = siblings.map((s, position) => {
    if (!positionOf.has(s.key)) positionOf.set(s.key, position);
    const ids = s.urls.map(urlIdentity);
    for (const id of ids) {
      add(exact, id, position);
      for (const a of identityAncestors(id)) add(below, a, position);
    }
    return ids;
  });
  const hostCache: Array<string[] | undefined> = [];
  let domains: Map<string, number[]> | undefined;
  const hosts = (position: number): string[] => (hostCache[position] ??= hostsOf(siblings[position].urls));
  return {
    positionOf,
    identities,
    exact,
    below,
    hosts,
    byDomain() {
      if (domains) return domains;
      domains = new Map();
      siblings.forEach((_, position) => {
        for (const h of hosts(position)) {
          add(domains!, h, position);
          for (let i = h.indexOf("."); i >= 0; i = h.indexOf(".", i + 1)) add(domains!, h.slice(i + 1), position);
        }
      });
      return domains;
    },
  };
}

/** Host names of a site's URLs, lower-cased (invalid URLs are skipped). */
export function hostsOf(urls: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const u of urls) {
    try {
      hosts.add(new URL(u).hostname.toLowerCase());
    } catch {
      // The model only lets valid URLs through; a live site may hold anything, and is judged on the rest.
    }
  }
  return [...hosts];
}

/** Positions, ascending, of the siblings that have a URL overlapping `identity` (equal, above or below it). */
export function overlapCandidates(index: SiblingIndex, identity: string): number[] {
  const found = new Set<number>(index.exact.get(identity) ?? []);
  for (const p of index.below.get(identity) ?? []) found.add(p);
  for (const a of identityAncestors(identity)) for (const p of index.exact.get(a) ?? []) found.add(p);
  return [...found].sort((x, y) => x - y);
}

/** The same test as urlsOverlap, on identities already computed. */
export function identitiesOverlap(x: string, y: string): boolean {
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
}
