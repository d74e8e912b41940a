import { parseArgs, renderHelp, UsageError } from "./args";
import type { CliIO, Command } from "./command";
import { formatUserError } from "./errors";
import { EXEMPT_VERSION } from "./version";

/** Commands are loaded lazily, so `exempt sandbox` does not pay for cdktf and `exempt check` not for axios. */
const COMMANDS: Record<string, () => Command> = {
  sandbox: () => require("./commands/sandbox").sandboxCommand,
  check: () => require("./commands/check").checkCommand,
  plan: () => require("./commands/reconcile").planCommand,
  apply: () => require("./commands/reconcile").applyCommand,
  drift: () => require("./commands/reconcile").driftCommand,
  evidence: () => require("./commands/evidence").evidenceCommand,
  rules: () => require("./commands/rules").rulesCommand,
  demo: () => require("./commands/demo").demoCommand,
  bench: () => require("./commands/bench").benchCommand,
  import: () => require("./commands/import").importCommand,
  schema: () => require("./commands/schema").schemaCommand,
};

export function registeredCommands(): string[] {
  return Object.keys(COMMANDS).sort();
}

/** A registered command, loaded (tests check every command's help against its flags). */
export function loadCommand(name: string): Command | undefined {
  return COMMANDS[name]?.();
}

function topHelp(): string {
  const lines = [
    `exempt ${EXEMPT_VERSION}: CNIL-exempt web analytics as code (Matomo, Piwik PRO)`,
    "",
    "Usage: exempt <command> [flags]",
    "",
    "Commands:",
  ];
  for (const name of registeredCommands()) lines.push(`  ${name.padEnd(10)} ${COMMANDS[name]().summary}`);
  lines.push("", "Run 'exempt <command> --help' for its flags.");
  return lines.join("\n") + "\n";
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(topHelp());
    return name ? 0 : 1;
  }
  if (name === "--version" || name === "-V") {
    io.stdout.write(`${EXEMPT_VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr.write(`exempt: unknown command '${name}'. Commands: ${registeredCommands().join(", ")}\n`);
    return 1;
  }
  const command = load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout.write(renderHelp(command.name, command.summary, command.usage, command.flags));
    return 0;
  }
  try {
    const args = parseArgs(rest, command.flags, command.name);
    return await command.run(args, io);
  } catch (err) {
    io.stderr.write(formatUserError(err, io.env) + "\n");
    return 1;
  }
}
