import { configJsonSchema } from "./json-schema";

/**
 * The configuration reference of the README, generated from the same JSON Schema editors use
 * (itself generated from the zod schema the loader validates with), so the README cannot drift
 * from what Exempt accepts. A test fails when the README's copy is stale.
 */
type Schema = Record<string, any>;

interface Row {
  path: string;
  type: string;
  default: string;
  description: string;
}

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

function typeOf(s: Schema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v: unknown) => `\`${JSON.stringify(v)}\``).join(" | ");
  const union = s.anyOf ?? s.oneOf;
  if (union) return [...new Set(union.map(typeOf))].join(" | ");
  if (s.type === "array") return `list of ${plural(typeOf(s.items ?? {}))}`;
  if (s.type === "integer" || (s.type === "number" && s.multipleOf === 1)) return `integer${range(s)}`;
  if (s.type === "number") return `number${range(s)}`;
  if (s.type === "object") return s.additionalProperties && typeof s.additionalProperties === "object" ? "mapping" : "mapping";
  if (s.type === "string") return s.format === "uri" ? "URL" : s.pattern ? "string (pattern)" : "string";
  return s.type ?? "any";
}

function plural(t: string): string {
  return t.replace(/^string/, "strings").replace(/^integer/, "integers").replace(/^mapping/, "mappings");
}

function range(s: Schema): string {
  const min = s.minimum ?? s.exclusiveMinimum;
  const max = s.maximum ?? s.exclusiveMaximum;
  if (min !== undefined && max !== undefined && max < 1e9) return ` ${min}–${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  return "";
}

function walk(s: Schema, path: string, rows: Row[], stop: (path: string) => boolean): void {
  const props: Record<string, Schema> = s.properties ?? {};
  const required = new Set<string>(s.required ?? []);
  for (const [key, child] of Object.entries(props)) {
    const p = path ? `${path}.${key}` : key;
    if (stop(p)) continue;
    const def =
      child.default !== undefined
        ? `\`${JSON.stringify(child.default)}\``
        : required.has(key)
          ? "**required**"
          : child.type === "array"
            ? "`[]`"
            : "none";
    rows.push({ path: p, type: typeOf(child), default: def, description: child.description ?? "" });
    if (child.type === "object" && child.properties) walk(child, p, rows, stop);
    else if (child.type === "object" && child.additionalProperties && typeof child.additionalProperties === "object" && child.additionalProperties.properties) {
      const name = child.propertyNames?.pattern ? "<key>" : "<name>";
      walk(child.additionalProperties, `${p}.${name}`, rows, stop);
    } else if (child.type === "array" && child.items?.properties) walk(child.items, `${p}[]`, rows, stop);
  }
}

function table(title: string, intro: string, rows: Row[]): string {
  const lines = [`#### ${title}`, "", intro, "", "| field | type | default | meaning |", "|---|---|---|---|"];
  for (const r of rows) lines.push(`| \`${esc(r.path)}\` | ${esc(r.type)} | ${esc(r.default)} | ${esc(r.description)} |`);
  return lines.join("\n");
}

export function renderConfigReference(): string {
  const root = configJsonSchema() as Schema;
  const out: string[] = [];
  const top: Row[] = [];
  walk(root, "", top, (p) => p === "instances" || p === "servers" || p === "$schema");
  out.push(table("Top level", "The document's own keys; `instances` is described by product below.", top));
  const variants: Schema[] = root.properties.instances.additionalProperties.oneOf ?? root.properties.instances.additionalProperties.anyOf;
  for (const variant of variants) {
    const kind = variant.properties.kind.const as string;
    const label = kind === "matomo" ? "Matomo" : "Piwik PRO";
    const instanceRows: Row[] = [];
    walk(variant, "", instanceRows, (p) => p === "sites");
    out.push(table(`${label} instance: \`instances.<id>\` with \`kind: ${kind}\``, `Every field left out takes the default shown, which is the CNIL-compliant value.`, instanceRows));
    const siteRows: Row[] = [];
    walk(variant.properties.sites.additionalProperties, "", siteRows, () => false);
    out.push(table(`${label} ${kind === "matomo" ? "site" : "app"}: \`instances.<id>.sites.<key>\``, `The site key is stable: it names the site in reports and \`--only <instance>/<key>\`. "not managed" means Exempt leaves the live value as it is.`, siteRows));
  }
  return out.join("\n\n");
}
