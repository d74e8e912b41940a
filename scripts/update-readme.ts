import * as fs from "node:fs";
import * as path from "node:path";
import { CnilPack } from "../policies";
import { renderRuleTable } from "../policies/rule-table";
import { renderConfigReference } from "../model/config-reference";

/**
 * Regenerates the README's generated sections (the rule table and the configuration reference)
 * from the code. `npm run docs`; tests fail when the README's copies are stale.
 */
export const README = path.resolve(__dirname, "..", "README.md");

export function generatedSections(): Record<string, string> {
  return { rules: renderRuleTable(CnilPack), config: renderConfigReference() };
}

export function sectionOf(text: string, name: string): string | undefined {
  const start = text.indexOf(`<!-- ${name}:start -->`);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (start < 0 || end < start) return undefined;
  return text.slice(start + `<!-- ${name}:start -->`.length, end).trim();
}

export function replaceSection(text: string, name: string, body: string): string {
  const startMarker = `<!-- ${name}:start -->`;
  const start = text.indexOf(startMarker);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (start < 0 || end < start) throw new Error(`README.md has no ${startMarker} … <!-- ${name}:end --> section`);
  return `${text.slice(0, start + startMarker.length)}\n${body.trim()}\n${text.slice(end)}`;
}

if (require.main === module) {
  let text = fs.readFileSync(README, "utf8");
  for (const [name, body] of Object.entries(generatedSections())) text = replaceSection(text, name, body);
  fs.writeFileSync(README, text);
  process.stdout.write("README.md: rule table and configuration reference regenerated\n");
}
