import type { PackEntry, RulePack } from "./pack";
import { SOURCES, type SourceKey } from "./rules/sources";
import type { Product } from "./types";

const PRODUCT_NAMES: Record<Product, string> = { matomo: "Matomo", piwikpro: "Piwik PRO" };

/** Markdown cells hold one line; a pipe would end the cell. */
const cell = (text: string): string => text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");

function level(e: PackEntry): string {
  if (e.level === "attestation") return "attestation";
  return e.appliesInConsentMode ? `${e.level} (also on consent sites)` : e.level;
}

function verification(e: PackEntry): string {
  return e.rule.products.map((p) => `${PRODUCT_NAMES[p]}: ${e.rule.verification[p] ?? "—"}`).join("; ");
}

function suppressible(e: PackEntry): string {
  if (e.level === "attestation") return "n/a (attested)";
  return e.suppressibleWhenExempt ? "yes, with a reason" : "no, on exempt sites";
}

/** The catalogue keys a rule cites (`[G20 §51][CNIL25] …`), in order. */
function citedKeys(source: string): Array<{ key: SourceKey; label: string }> {
  const keys: Array<{ key: SourceKey; label: string }> = [];
  for (const m of source.matchAll(/\[([A-Z0-9]+)((?: [^\]]+)?)\]/g)) if (m[1] in SOURCES) keys.push({ key: m[1] as SourceKey, label: `${m[1]}${m[2]}` });
  return keys;
}

/** Each key links to its own source; the legend under the table spells them out. */
function sourceCell(e: PackEntry): string {
  const keys = citedKeys(e.rule.source);
  if (!keys.length) return e.rule.sourceUrl ? `[${e.rule.source}](${e.rule.sourceUrl})` : e.rule.source;
  return keys.map(({ key, label }) => `[\\[${label}\\]](${SOURCES[key].url})`).join(" ");
}

/** The README's rule table, generated from the pack so it cannot drift from the code. */
export function renderRuleTable(pack: RulePack): string {
  const rows = pack.entries.map((e) => [`\`${e.rule.id}\``, level(e), e.rule.products.map((p) => PRODUCT_NAMES[p]).join(", "), e.rule.title, verification(e), sourceCell(e), suppressible(e)].map(cell).join(" | "));
  const used = new Set(pack.entries.flatMap((e) => citedKeys(e.rule.source).map((k) => k.key)));
  const legend = (Object.keys(SOURCES) as SourceKey[]).filter((k) => used.has(k)).map((k) => `- **[${k}]** [${SOURCES[k].title}](${SOURCES[k].url})`);
  return [
    `Rule pack: ${pack.name}, version ${pack.version}. Verification: A readable through the API, A-w writable but not readable, C server config file, S live page only, H a person (attestation). On a \`mode: consent\` site every level drops to info except where the table says "also on consent sites".`,
    "",
    "| Rule | Level | Products | Condition | Verification | Source | Suppressible |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r} |`),
    "",
    "Sources:",
    "",
    ...legend,
  ].join("\n");
}
