import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "../command";
import { configJsonSchemaText, SCHEMA_FILE } from "../../model/json-schema";

/**
 * `exempt schema`: the JSON Schema of exempt.yaml on stdout (`exempt schema > exempt.schema.json`),
 * or written with --out; `--check FILE` exits 1 when FILE is not what this version generates.
 */
export const schemaCommand: Command = {
  name: "schema",
  summary: `print the JSON Schema of exempt.yaml, for editors (exempt schema > ${SCHEMA_FILE})`,
  usage: `exempt schema [--out ${SCHEMA_FILE}] [--check ${SCHEMA_FILE}]`,
  flags: {
    out: { type: "string", description: "write the schema to this file instead of stdout" },
    check: { type: "string", description: "compare with this file: exit 1 when it is stale" },
    reference: { type: "boolean", description: "print the Markdown configuration reference of the README instead" },
  },
  async run({ flags }, io) {
    if (flags.reference) {
      io.stdout.write(require("../../model/config-reference").renderConfigReference() + "\n");
      return 0;
    }
    const text = configJsonSchemaText();
    const check = flags.check as string | undefined;
    if (check) {
      const file = path.resolve(io.cwd, check);
      const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
      if (current === text) return 0;
      io.stderr.write(`exempt: ${check} is ${current === undefined ? "missing" : "stale"}: regenerate it with \`exempt schema --out ${check}\`\n`);
      return 1;
    }
    const out = flags.out as string | undefined;
    if (out) fs.writeFileSync(path.resolve(io.cwd, out), text);
    else io.stdout.write(text);
    return 0;
  },
};
