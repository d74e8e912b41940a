import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CnilPack, renderRuleTable } from "../../policies";

const README = join(__dirname, "..", "..", "README.md");
const START = "<!-- rules:start -->";
const END = "<!-- rules:end -->";
const HOW = "Regenerate it with `npm run docs`.";

describe("the README rule table", () => {
  test("is the table the pack generates", () => {
    const text = existsSync(README) ? readFileSync(README, "utf8") : "";
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    if (start < 0 || end < start) throw new Error(`README.md has no rule table between ${START} and ${END}. ${HOW}`);
    const inReadme = text.slice(start + START.length, end).trim();
    if (inReadme !== renderRuleTable(CnilPack).trim()) throw new Error(`The rule table in README.md is stale: it differs from the CNIL pack. ${HOW}`);
  });
});

describe("the generated rule table", () => {
  const table = renderRuleTable(CnilPack);
  const rows = table.split("\n").filter((l) => l.startsWith("| `"));

  test("has one row per rule of the pack, in pack order", () => {
    expect(rows.map((r) => r.match(/^\| `([^`]+)`/)![1])).toEqual(CnilPack.entries.map((e) => e.rule.id));
  });

  test("has seven cells in every row, whatever the rule texts contain", () => {
    for (const r of rows) expect(r.split(/(?<!\\)\|/).length - 2).toBe(7);
  });

  test("says which rules cannot be suppressed on exempt sites and which keep their level on consent sites", () => {
    expect(rows.find((r) => r.includes("`CNIL-IP-MASK-2B`"))).toMatch(/no, on exempt sites/);
    expect(rows.find((r) => r.includes("`CNIL-NO-HSR`"))).toMatch(/error \(also on consent sites\)/);
  });

  test("links each cited source and lists the sources under the table", () => {
    expect(rows.find((r) => r.includes("`CNIL-NO-MARKETING`"))).toContain("[\\[UTM\\]](https://github.com/matomo-org/matomo/issues/21941)");
    expect(table).toMatch(/^- \*\*\[G20\]\*\* \[CNIL délibération n° 2020-091/m);
  });
});
