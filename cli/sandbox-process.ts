import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

/**
 * `exempt sandbox` in a process of its own, the way a real instance is: the demo runs the product
 * against it, and the benchmark measures the client without the emulator's CPU and memory.
 */
export const REPO_ROOT = path.resolve(__dirname, "..");
export const EXEMPT_JS = path.join(REPO_ROOT, "bin", "exempt.js");

export interface SandboxProcess {
  /** The base URL the sandbox printed, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  readonly pid: number;
  /** Everything written to stdout so far (the contract: exactly the URL line). */
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM (or the given signal; SIGKILL after 10 s), then the exit code (128 + signal number if killed by one). */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export interface SandboxProcessOptions {
  /** Flags after `exempt sandbox --kind <kind> --port 0`. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
  /** Node flags before the script (e.g. a profiler). */
  nodeArgs?: string[];
}

/** Starts the sandbox and resolves once it printed its one stdout line: its URL. */
export function startSandboxProcess(kind: "matomo" | "piwikpro", options: SandboxProcessOptions): Promise<SandboxProcess> {
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), EXEMPT_JS, "sandbox", "--kind", kind, "--port", "0", ...options.args], {
    cwd: REPO_ROOT,
    env: options.env ?? { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, CHECKPOINT_DISABLE: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<number>((resolve) => child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? SIGNAL_NUMBERS[signal] ?? 0 : 0))));
  return new Promise<SandboxProcess>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`exempt sandbox --kind ${kind}: ${why}\nstdout: ${out}\nstderr: ${err}`));
    };
    const timer = setTimeout(() => fail("no URL line in time"), startTimeoutMs);
    child.once("error", (e) => fail(e.message));
    void exited.then((code) => fail(`exited with code ${code} before printing its URL`));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      const nl = out.indexOf("\n");
      if (nl < 0 || settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        url: out.slice(0, nl).trim(),
        pid: child.pid!,
        stdout: () => out,
        stderr: () => err,
        async stop(signal: NodeJS.Signals = "SIGTERM") {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          const code = await exited;
          clearTimeout(killer);
          return code;
        },
      });
    });
  });
}
