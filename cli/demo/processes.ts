import { spawn } from "node:child_process";
import { REPO_ROOT } from "../sandbox-process";

export { EXEMPT_JS, REPO_ROOT } from "../sandbox-process";

export interface StepResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion, stdin closed (cdktf deploy needs that without a TTY). */
export function runStep(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Promise<StepResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}

export { startSandboxProcess } from "../sandbox-process";
