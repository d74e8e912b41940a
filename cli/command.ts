import type { FlagSpec, ParsedArgs } from "./args";

/** Where a command writes: machine output to stdout, progress and logs to stderr. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** True when stderr is a terminal: only then is progress drawn. */
  readonly stderrIsTTY: boolean;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: Record<string, FlagSpec>;
  /** Resolves to the process exit code. Throwing a UsageError or a user-facing error gives exit 1. */
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
