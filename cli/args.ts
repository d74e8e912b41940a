/**
 * A small, strict argument parser: every command declares its flags, and anything undeclared is
 * a usage error (a typo such as `--promt` must never be ignored silently).
 */
export type FlagType = "string" | "boolean" | "number" | "string[]";

export interface FlagSpec {
  readonly type: FlagType;
  readonly description: string;
  /** Shown in --help; the parser does not apply it (commands own their defaults). */
  readonly default?: string;
  readonly alias?: string;
}

export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ParsedArgs {
  readonly flags: FlagValues;
  readonly positionals: string[];
}

export function parseArgs(argv: readonly string[], specs: Record<string, FlagSpec>, command: string): ParsedArgs {
  const flags: FlagValues = {};
  const positionals: string[] = [];
  const byAlias = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.alias) byAlias.set(spec.alias, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      const alias = arg.slice(1);
      const full = byAlias.get(alias);
      if (!full) throw new UsageError(`exempt ${command}: unknown flag '${arg}' (see 'exempt ${command} --help')`);
      name = full;
    }
    const spec = specs[name];
    if (!spec) throw new UsageError(`exempt ${command}: unknown flag '--${name}' (see 'exempt ${command} --help')`);
    if (spec.type === "boolean") {
      if (inline === undefined) flags[name] = true;
      else if (inline === "true" || inline === "1") flags[name] = true;
      else if (inline === "false" || inline === "0") flags[name] = false;
      else throw new UsageError(`exempt ${command}: --${name} takes no value or true/false, got '${inline}'`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`exempt ${command}: --${name} needs a value`);
      value = argv[++i];
    }
    if (spec.type === "number") {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`exempt ${command}: --${name} expects a number, got '${value}'`);
      flags[name] = n;
    } else if (spec.type === "string[]") {
      const prev = (flags[name] as string[] | undefined) ?? [];
      flags[name] = [...prev, value];
    } else {
      flags[name] = value;
    }
  }
  return { flags, positionals };
}

export function renderHelp(command: string, summary: string, usage: string, specs: Record<string, FlagSpec>): string {
  const lines = [`exempt ${command}: ${summary}`, "", `Usage: ${usage}`, "", "Flags:"];
  const names = Object.keys(specs).sort();
  const width = Math.max(...names.map((n) => n.length + (specs[n].type === "boolean" ? 2 : 10)), 12);
  for (const name of names) {
    const spec = specs[name];
    const left = `--${name}${spec.type === "boolean" ? "" : " <" + (spec.type === "number" ? "n" : "value") + ">"}`;
    const def = spec.default !== undefined ? ` (default: ${spec.default})` : "";
    lines.push(`  ${left.padEnd(width + 2)} ${spec.description}${def}`);
  }
  return lines.join("\n") + "\n";
}
