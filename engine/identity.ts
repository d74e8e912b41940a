import { urlIdentity } from "../model/config";
import type { LiveSite } from "./types";

export type IdentityResult =
  | { kind: "matched"; live: LiveSite }
  | { kind: "absent" }
  | { kind: "conflict"; message: string };

/**
 * Finds the live site a declaration refers to: by its declared product id if any, else by its main
 * URL. Two candidates are an error, never a guess; a main URL that another site carries as an alias
 * is an error too (creating a second site for it would split its audience).
 */
export function matchSite(declared: { urls: string[]; productId?: string }, live: readonly LiveSite[], index = indexLiveSites(live)): IdentityResult {
  if (declared.productId !== undefined) {
    const site = index.byId.get(declared.productId);
    return site ? { kind: "matched", live: site } : { kind: "absent" };
  }
  const key = urlIdentity(declared.urls[0]);
  const mains = index.byMainUrl.get(key) ?? [];
  if (mains.length > 1)
    return { kind: "conflict", message: `${mains.length} live sites have the main URL ${declared.urls[0]} (ids ${mains.map((s) => s.productId).join(", ")}): declare the product id of the right one` };
  if (mains.length === 1) return { kind: "matched", live: mains[0] };
  const aliases = index.byAliasUrl.get(key) ?? [];
  if (aliases.length)
    return { kind: "conflict", message: `${declared.urls[0]} is an alias URL of live site ${aliases.map((s) => `${s.productId} (${s.name})`).join(", ")}: declare that site's product id, or remove the alias there first` };
  return { kind: "absent" };
}

export interface LiveIndex {
  byId: Map<string, LiveSite>;
  byMainUrl: Map<string, LiveSite[]>;
  byAliasUrl: Map<string, LiveSite[]>;
}

/** Built once per plan: matching thousands of declarations must not scan the fleet each time. */
export function indexLiveSites(live: readonly LiveSite[]): LiveIndex {
  const index: LiveIndex = { byId: new Map(), byMainUrl: new Map(), byAliasUrl: new Map() };
  const push = (m: Map<string, LiveSite[]>, k: string, s: LiveSite) => m.set(k, [...(m.get(k) ?? []), s]);
  for (const site of live) {
    index.byId.set(site.productId, site);
    if (site.urls[0]) push(index.byMainUrl, urlIdentity(site.urls[0]), site);
    for (const alias of site.urls.slice(1)) push(index.byAliasUrl, urlIdentity(alias), site);
  }
  return index;
}
