/**
 * Peak memory of `exempt plan` in a process of its own, the emulator in another: what a CI
 * runner must provide. Read twice: the kernel's own peak (getrusage, written at exit by
 * rss-probe.ts) and VmHWM polled from /proc while it runs, whichever is larger.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { matomoEnv, MATOMO_PASSWORD, MATOMO_TOKEN, seedMatomoFleet, writeFleet } from "./fleet";
import { now, round } from "./measure";
import type { MemoryFigures } from "./results";
import { EXEMPT_BIN, REPO, startSandbox } from "./sandbox";

export interface MemoryRun {
  ms: number;
  exitCode: number;
  peakRssMb: number;
  /** What each way of reading it gave, for the record. */
  rusageMb?: number;
  vmHwmMb?: number;
}

function vmHwmKb(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function planInOwnProcess(configFile: string, env: Record<string, string>, timeoutMs = 240_000): Promise<MemoryRun> {
  const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "exempt-bench-rss-")), "rss.json");
  const started = now();
  const child = spawn(process.execPath, ["-r", "tsx/cjs", "-r", path.join(__dirname, "rss-probe.ts"), EXEMPT_BIN, "plan", "--config", configFile, "--quiet"], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, NO_COLOR: "1", ...env, BENCH_RSS_FILE: rssFile },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  let hwm = 0;
  const poll = setInterval(() => {
    const kb = vmHwmKb(child.pid!);
    if (kb !== undefined) hwm = Math.max(hwm, kb);
  }, 10);
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const exitCode = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  clearInterval(poll);
  clearTimeout(killer);
  const ms = now() - started;
  let rusageKb: number | undefined;
  try {
    rusageKb = (JSON.parse(fs.readFileSync(rssFile, "utf8")) as { maxRssKb: number }).maxRssKb;
  } catch {
    throw new Error(`exempt plan (own process) left no memory figure; exit ${exitCode}; stderr: ${stderr.slice(-2000)}`);
  } finally {
    fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
  }
  const mb = (kb: number | undefined) => (kb === undefined || kb === 0 ? undefined : kb / 1024);
  return { ms, exitCode, peakRssMb: Math.max(mb(rusageKb) ?? 0, mb(hwm) ?? 0), rusageMb: mb(rusageKb), vmHwmMb: mb(hwm) };
}

/**
 * 10,000 sites seeded, not applied first: every site then has changes to show (its Tag Manager
 * configuration and access differ from the declaration), so the plan holds its biggest report.
 */
export async function measureMemory(o: { sites: number; latencyMs: number; work: string; log: (m: string) => void }): Promise<MemoryFigures> {
  const dir = path.join(o.work, `memory-${o.sites}`);
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, "exempt.yaml");
  const sandbox = await startSandbox("matomo", ["--token", MATOMO_TOKEN, "--password", MATOMO_PASSWORD, "--latency-ms", String(o.latencyMs)]);
  try {
    o.log(`Memory, ${o.sites} sites: seeding through the API`);
    const t = now();
    await seedMatomoFleet(sandbox.url, o.sites);
    const seedMs = now() - t;
    writeFleet(config, sandbox.url, { sites: o.sites, round: 0, containers: true });
    o.log(`Memory, ${o.sites} sites: exempt plan in its own process`);
    const run = await planInOwnProcess(config, { ...matomoEnv(), EXEMPT_LOCK_DIR: path.join(dir, "locks") });
    return { sites: o.sites, peakRssMb: round(run.peakRssMb, 1), rusageMb: run.rusageMb && round(run.rusageMb, 1), vmHwmMb: run.vmHwmMb && round(run.vmHwmMb, 1), ms: round(run.ms, 1), exitCode: run.exitCode, seedMs: round(seedMs, 1) };
  } finally {
    await sandbox.stop();
  }
}
