/**
 * The emulator in its own process (`exempt sandbox`), the way a real instance is: its CPU and
 * memory are not Exempt's, so wall time and RSS measure the client alone.
 */
import { EXEMPT_JS, REPO_ROOT, startSandboxProcess } from "../cli/sandbox-process";

export const REPO = REPO_ROOT;
export const EXEMPT_BIN = EXEMPT_JS;

export interface Sandbox {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startSandbox(kind: "matomo" | "piwikpro", args: string[], options: { startTimeoutMs?: number; nodeArgs?: string[] } = {}): Promise<Sandbox> {
  const sandbox = await startSandboxProcess(kind, { args, ...options });
  return { url: sandbox.url, pid: sandbox.pid, stop: async () => void (await sandbox.stop()) };
}
