/**
 * The emulator in its own process (`exempt sandbox`), the way a real instance is: its CPU and
 * memory are not Exempt's, so wall time and RSS measure the client alone. Copied in spirit from
 * test/support/sandbox-process.ts: bench/ must not depend on test code.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

export const REPO = path.resolve(__dirname, "..");
export const EXEMPT_BIN = path.join(REPO, "bin", "exempt.js");

export interface Sandbox {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export function startSandbox(kind: "matomo" | "piwikpro", args: string[], options: { startTimeoutMs?: number; nodeArgs?: string[] } = {}): Promise<Sandbox> {
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), EXEMPT_BIN, "sandbox", "--kind", kind, "--port", "0", ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, CHECKPOINT_DISABLE: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise<Sandbox>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`exempt sandbox --kind ${kind}: ${why}\nstderr: ${err}`));
    };
    const timer = setTimeout(() => fail("no URL line in time"), startTimeoutMs);
    child.once("error", (e) => fail(e.message));
    void exited.then(() => fail("exited before printing its URL"));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      const nl = out.indexOf("\n");
      if (nl < 0 || settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        url: out.slice(0, nl).trim(),
        pid: child.pid!,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
  });
}
