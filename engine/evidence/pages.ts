/**
 * File names of the site pages: `sites/<instance>--<site>.html`, and
 * `sites/<instance>--unmanaged-<product id>.html` for sites found but not declared. Instance ids and
 * site keys are identifiers already; product ids are cleaned. Two sites that would share a name
 * (`a--b`/`c` and `a`/`b--c`, or names equal but for case on a case-insensitive disk) get a suffix,
 * so no page overwrites another.
 */
export function pagePaths(sites: ReadonlyArray<{ instanceId: string; siteKey?: string; productId?: string }>): string[] {
  const taken = new Set<string>();
  return sites.map((s) => {
    const base = `${clean(s.instanceId)}--${s.siteKey !== undefined ? clean(s.siteKey) : `unmanaged-${clean(s.productId ?? "unknown")}`}`;
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    taken.add(name.toLowerCase());
    return `sites/${name}.html`;
  });
}

function clean(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 80) || "_";
}

export const FLEET_PAGE = "index.html";
export const PRINT_PAGE = "all-sites.html";
export const JSON_FILE = "evidence.json";
export const JSON_SCHEMA_FILE = "evidence.schema.json";
