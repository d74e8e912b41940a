import type { Command, CliIO } from "../command";
import type { FlagSpec, FlagValues } from "../args";
import { loadDeclarationAsync, parseOnly, today } from "../load";
import { parseFormat, renderReport, writeReport } from "../output";
import { runCommand, Command as EngineCommand } from "../../engine/run";
import { redactSecrets } from "../../model/secrets";
import { repositoryRoot } from "../repository";
import { CONNECTION_FLAGS, DECLARATION_FLAGS, connectionOptions } from "../flags";

const COMMON_FLAGS: Record<string, FlagSpec> = {
  ...DECLARATION_FLAGS,
  format: { type: "string", description: "text | markdown | json | junit | sarif", default: "text" },
  out: { type: "string", description: "also write the report to this file" },
  strict: { type: "boolean", description: "warnings count as violations (exit 2)" },
  ...CONNECTION_FLAGS,
  verbose: { type: "boolean", description: "list unchanged sites and what was written" },
  "comment-marker": { type: "string", description: "markdown: a hidden marker so CI can update its own comment" },
};

function makeCommand(name: EngineCommand, summary: string, extra: Record<string, FlagSpec> = {}): Command {
  return {
    name,
    summary,
    usage: `exempt ${name} [--config exempt.yaml | --manifest FILE] [--only instance[/site]] [--format text|markdown|json|junit|sarif]${name === "apply" ? " [--prune]" : ""}`,
    flags: { ...COMMON_FLAGS, ...extra },
    run: (args, io) => runReconcile(name, args.flags, io),
  };
}

async function runReconcile(command: EngineCommand, flags: FlagValues, io: CliIO): Promise<number> {
  const format = parseFormat(flags.format as string | undefined);
  const decl = await loadDeclarationAsync({ config: flags.config as string | undefined, manifest: flags.manifest as string | undefined }, io);
  const only = parseOnly(flags.only as string | undefined, decl.config);
  const quiet = Boolean(flags.quiet);
  const log = (m: string) => {
    if (!quiet) io.stderr.write(redactSecrets(`exempt: ${m}`) + "\n");
  };
  const report = await runCommand(decl.config, {
    command,
    // Only the JSON report lists every finding of every site; the other formats summarise.
    keepPasses: format === "json",
    prune: command === "apply" && (Boolean(flags.prune) || io.env.EXEMPT_PRUNE === "1" || io.env.EXEMPT_PRUNE === "true"),
    strict: Boolean(flags.strict),
    only,
    env: io.env,
    ...connectionOptions(flags, io.env),
    log,
    today: today(io.env),
    configFile: decl.file,
    sourceMap: decl.sourceMap,
    lockWaitMs: flags["lock-wait-ms"] as number | undefined,
  });
  const sarif = format === "sarif" ? { cwd: io.cwd, root: repositoryRoot(io.cwd, io.env) } : undefined;
  writeReport(renderReport(report, format, { verbose: Boolean(flags.verbose), marker: flags["comment-marker"] as string | undefined, sarif }), io.stdout, flags.out as string | undefined);
  for (const i of report.instances) if (i.error && format !== "text") io.stderr.write(redactSecrets(`exempt: ${i.instanceId}: ${i.error}`) + "\n");
  return report.summary.exitCode;
}

export const planCommand = makeCommand("plan", "show what apply would change, and what breaks the CNIL pack (exit 2 when anything differs)");
export const driftCommand = makeCommand("drift", "compare live instances with the declaration and the CNIL pack (exit 2 on drift or violation)");
export const applyCommand = makeCommand("apply", "bring live instances to the declaration, then read back and verify (exit 0 or 1)", {
  prune: { type: "boolean", description: "delete sites declared remove: true with deletionProtection: false, revoke undeclared access where access.revokeUndeclared (also EXEMPT_PRUNE=1)" },
  "lock-wait-ms": { type: "number", description: "how long to wait for another apply on the same instance", default: "120000" },
});
