import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";

/**
 * Two `apply` runs against the same instance must not interleave their writes (Matomo has no
 * lock of its own). The lock is a file named after the instance URL in the machine's temporary
 * folder, so separate checkouts and parallel `cdktf deploy` jobs on one machine see it too.
 * Runners on different machines need their CI's own concurrency control (see the README).
 */
export interface InstanceLock {
  release(): void;
}

export class LockBusyError extends Error {
  constructor(
    readonly url: string,
    readonly holder: string,
  ) {
    super(`another exempt apply is running against ${url} (${holder}); waited for it and gave up: run again when it has finished`);
    this.name = "LockBusyError";
  }
  userMessage(): string {
    return `exempt: ${this.message}`;
  }
}

export function lockDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EXEMPT_LOCK_DIR ?? path.join(os.tmpdir(), "exempt-locks");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function acquireInstanceLock(url: string, options: { waitMs: number; dir?: string; onWait?: (holder: string) => void }): Promise<InstanceLock> {
  const dir = options.dir ?? lockDir();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${createHash("sha256").update(url).digest("hex").slice(0, 24)}.lock`);
  const deadline = Date.now() + options.waitMs;
  let told = false;
  for (;;) {
    try {
      const fd = fs.openSync(file, "wx");
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString(), url }));
      fs.closeSync(fd);
      return {
        release: () => {
          try {
            fs.unlinkSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let holder = "unknown holder";
    try {
      const info = JSON.parse(fs.readFileSync(file, "utf8")) as { pid: number; host: string; since: string };
      holder = `pid ${info.pid} on ${info.host}, since ${info.since}`;
      // A lock left by a process that died (killed CI job) must not block forever.
      if (info.host === os.hostname() && !isAlive(info.pid)) {
        fs.rmSync(file, { force: true });
        continue;
      }
    } catch {
      /* being written right now: wait */
    }
    if (Date.now() >= deadline) throw new LockBusyError(url, holder);
    if (!told) {
      options.onWait?.(holder);
      told = true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
