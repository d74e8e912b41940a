import * as fs from "node:fs";
import type { Command } from "../command";

/**
 * `exempt bench` (`npm run bench`): the performance benchmark of issue 7 against the built-in
 * emulators, no network. Prints the tables on stdout, progress on stderr, writes the JSON, and
 * exits 1 when a goal is missed, naming it.
 */
export const benchCommand: Command = {
  name: "bench",
  summary: "measure plan, apply, synth, deploy and memory on large fleets against the emulators, and check the goals",
  usage: "exempt bench [--json FILE] [--reduced]",
  flags: {
    json: { type: "string", description: "where to write the figures as JSON", default: "bench-results.json" },
    reduced: { type: "boolean", description: "small fleets, same code paths, the goals that hold at that size (CI)" },
  },
  async run({ flags }, io) {
    const { runBenchmark } = require("../../bench/run") as typeof import("../../bench/run");
    const { FULL, REDUCED } = require("../../bench/profile") as typeof import("../../bench/profile");
    const { renderTables } = require("../../bench/report") as typeof import("../../bench/report");
    const reduced = Boolean(flags.reduced);
    const jsonFile = (flags.json as string | undefined) ?? "bench-results.json";
    const command = `exempt bench${reduced ? " --reduced" : ""}${flags.json ? ` --json ${jsonFile}` : ""}`;
    const results = await runBenchmark(reduced ? REDUCED : FULL, { command, log: (m) => io.stderr.write(`exempt bench: ${m}\n`) });
    fs.writeFileSync(jsonFile, JSON.stringify(results, null, 2) + "\n");
    io.stdout.write(renderTables(results));
    io.stdout.write(`Figures written to ${jsonFile}\n`);
    for (const g of results.goals.filter((x) => !x.met)) io.stderr.write(`exempt bench: goal missed: ${g.goal}: ${g.measured} (${g.margin})\n`);
    return results.ok ? 0 : 1;
  },
};
