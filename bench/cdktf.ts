/**
 * `cdktf synth` and `cdktf deploy` as a user runs them, in child processes: Terraform 1.11 with no
 * network (no checkpoint, no CLI config), stdin closed. Their wall time includes Node, cdktf,
 * Terraform and, for deploy, the `exempt apply` its local-exec runs.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { REPO } from "./sandbox";
import { now } from "./measure";

export interface CdktfRun {
  ms: number;
  exitCode: number;
  output: string;
}

export function cdktf(args: string[], env: Record<string, string>, timeoutMs = 240_000): Promise<CdktfRun> {
  const started = now();
  return new Promise((resolve) => {
    const child = spawn(path.join(REPO, "node_modules", ".bin", "cdktf"), args, {
      cwd: REPO,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null", CI: "true", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString("utf8")));
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ ms: now() - started, exitCode: code ?? -1, output });
    });
  });
}

export const synth = (configFile: string, outdir: string, env: Record<string, string>) => cdktf(["synth", "--output", outdir], { ...env, EXEMPT_CONFIG: configFile });

export const deploy = (configFile: string, outdir: string, env: Record<string, string>) => cdktf(["deploy", "exempt", "--auto-approve", "--output", outdir], { ...env, EXEMPT_CONFIG: configFile });
