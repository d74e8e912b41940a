import { PassThrough } from "node:stream";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { runCli } from "../../cli/run";

export const REPO = path.resolve(__dirname, "..", "..");
export const EXEMPT_BIN = path.join(REPO, "bin", "exempt.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process (fast), with its own stdout/stderr and environment. */
export async function runExempt(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const code = await runCli(args, { stdout, stderr, env: { ...baseEnv(), ...(options.env ?? {}) }, cwd: options.cwd ?? REPO, stderrIsTTY: false });
  return { code, stdout: out, stderr: err };
}

/** Runs the real `bin/exempt.js` in a child process, as a user or CI would. */
export function spawnExempt(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EXEMPT_BIN, ...args], { cwd: options.cwd ?? REPO, env: { ...baseEnv(), ...(options.env ?? {}) }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The environment tests start from: the machine's PATH and nothing that could leak in from the developer's shell. */
export function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    CHECKPOINT_DISABLE: "1",
    TF_CLI_CONFIG_FILE: "/dev/null",
    CI: "true",
    NO_COLOR: "1",
  };
}
