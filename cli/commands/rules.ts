import type { Command } from "../command";
import { CnilPack } from "../../policies";
import { renderRuleTable } from "../../policies/rule-table";
import { parseFormat } from "../output";

/** `exempt rules`: the rule pack as a table (the README's table is this output). */
export const rulesCommand: Command = {
  name: "rules",
  summary: "list the CNIL rule pack (ids, levels, sources)",
  usage: "exempt rules [--format text|markdown|json]",
  flags: { format: { type: "string", description: "text | markdown | json", default: "text" } },
  async run({ flags }, io) {
    const format = parseFormat(flags.format as string | undefined, ["text", "markdown", "json"]);
    if (format === "markdown") io.stdout.write(renderRuleTable(CnilPack) + "\n");
    else if (format === "json")
      io.stdout.write(
        JSON.stringify(
          { name: CnilPack.name, version: CnilPack.version, rules: CnilPack.entries.map((e) => ({ id: e.rule.id, level: e.level, title: e.rule.title, products: e.rule.products, source: e.rule.source, sourceUrl: e.rule.sourceUrl, remediation: e.rule.remediation, appliesInConsentMode: e.appliesInConsentMode, suppressibleWhenExempt: e.suppressibleWhenExempt })) },
          null,
          2,
        ) + "\n",
      );
    else for (const e of CnilPack.entries) io.stdout.write(`${e.rule.id.padEnd(30)} ${e.level.padEnd(11)} ${e.rule.title}\n`);
    return 0;
  },
};
