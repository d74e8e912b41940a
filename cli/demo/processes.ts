import { spawn, ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const EXEMPT_JS = path.join(REPO_ROOT, "bin", "exempt.js");

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

export interface Sandbox {
  url: string;
  stop(): Promise<number>;
}

/** Starts `exempt sandbox` and waits for the one line it prints: its URL. */
export function startSandbox(args: string[], env: NodeJS.ProcessEnv): Promise<Sandbox> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [EXEMPT_JS, "sandbox", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const lines = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`the sandbox did not start within 20 s: ${stderr}`)), 20_000);
    child.on("exit", (code) => reject(new Error(`the sandbox exited (${code}): ${stderr}`)));
    lines.once("line", (url) => {
      clearTimeout(timer);
      resolve({
        url: url.trim(),
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners("exit");
            child.once("exit", (code) => done(code ?? -1));
            child.kill("SIGTERM");
          }),
      });
    });
  });
}
