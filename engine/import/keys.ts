/**
 * Keys for what an import declares: site keys from the main URL (the identity a reader recognises),
 * container and tag keys from their names. Keys become identities in reports, `--only` and
 * Terraform, so they are stable for a given instance and unique within their mapping.
 */

const MAX_KEY = 63;

/** A valid model identifier from any text: letters, digits, '-' and '_', starting with a letter or digit. */
export function slug(text: string, fallback: string): string {
  const s = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, MAX_KEY)
    .replace(/[-_]+$/g, "");
  return s || fallback;
}

/** Host labels and path segments of a URL, `www.` dropped (Matomo treats www and bare hosts alike). */
function urlParts(url: string): { labels: string[]; path: string[] } | undefined {
  try {
    const u = new URL(url);
    const labels = u.hostname.toLowerCase().replace(/^www\./, "").split(".").filter(Boolean);
    const path = u.pathname.split("/").filter(Boolean);
    return labels.length ? { labels, path } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Site keys for a fleet: the host of the main URL without the domain every site shares
 * (`demarches.example.gouv.fr` among `*.example.gouv.fr` → `demarches`), then its path. A site
 * without a usable URL is keyed by its name, then its product id; clashes get the product id.
 */
export function siteKeys(sites: ReadonlyArray<{ productId: string; name: string; urls: string[] }>): Map<string, string> {
  const parts = sites.map((s) => urlParts(s.urls[0] ?? ""));
  const hosts = parts.filter((p): p is NonNullable<typeof p> => p !== undefined).map((p) => p.labels);
  // The longest shared suffix that leaves at least one label of every host.
  let shared = 0;
  if (hosts.length > 1) {
    const shortest = Math.min(...hosts.map((h) => h.length));
    for (let n = 1; n < shortest; n++) {
      const suffix = hosts[0].slice(-n).join(".");
      if (hosts.every((h) => h.slice(-n).join(".") === suffix)) shared = n;
      else break;
    }
  }
  const keys = new Map<string, string>();
  const taken = new Set<string>();
  const wanted = sites.map((s, i) => {
    const p = parts[i];
    const base = p ? [...p.labels.slice(0, p.labels.length - shared), ...p.path].join("-") : s.name;
    return slug(base, `site-${slug(s.productId, "x")}`);
  });
  const counts = new Map<string, number>();
  for (const w of wanted) counts.set(w, (counts.get(w) ?? 0) + 1);
  sites.forEach((s, i) => {
    let key = wanted[i];
    if ((counts.get(key) ?? 0) > 1 || taken.has(key)) key = unique(`${key.slice(0, MAX_KEY - 10)}-${slug(s.productId, "x").slice(0, 8)}`, taken);
    taken.add(key);
    keys.set(s.productId, key);
  });
  return keys;
}

/** Keys by name within one mapping (containers of a site, tags of an app). */
export function keysByName<T>(items: readonly T[], nameOf: (t: T) => string, fallback: (t: T, i: number) => string): string[] {
  const taken = new Set<string>();
  return items.map((t, i) => {
    const key = unique(slug(nameOf(t), fallback(t, i)), taken);
    taken.add(key);
    return key;
  });
}

function unique(key: string, taken: Set<string>): string {
  if (!taken.has(key)) return key;
  for (let n = 2; ; n++) {
    const candidate = `${key.slice(0, MAX_KEY - String(n).length - 1)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
