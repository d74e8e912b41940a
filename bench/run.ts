/**
 * `exempt bench`: every figure of issue 7 in one run, against emulators in their own processes
 * with the same injected latency, then the goals checked against them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluateGoals } from "./goals";
import { measureFleet } from "./matomo";
import { now, round } from "./measure";
import { measureMemory } from "./memory";
import { measurePiwikPro } from "./piwikpro";
import type { BenchProfile } from "./profile";
import type { BenchResults, MachineFigures } from "./results";

export function machine(): MachineFigures {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpuModel: cpus[0]?.model.trim() ?? "unknown", memoryGb: os.totalmem() / 1024 ** 3, node: process.version, platform: os.platform(), release: os.release() };
}

export async function runBenchmark(profile: BenchProfile, options: { command: string; log: (message: string) => void }): Promise<BenchResults> {
  const started = now();
  const startedAt = new Date().toISOString();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "exempt-bench-"));
  const log = (m: string) => options.log(`[${((now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}`);
  try {
    const partial: Omit<BenchResults, "goals" | "ok"> = {
      schema: "exempt-bench/1",
      mode: profile.mode,
      command: options.command,
      startedAt,
      totalMs: 0,
      machine: machine(),
      latencyMs: profile.latencyMs,
      matomo: [],
    };
    for (const sites of profile.fleets) {
      const outcome = await measureFleet({ sites, latencyMs: profile.latencyMs, planRuns: profile.planRuns, work, audit: sites === profile.auditFleet, cdktf: sites === profile.cdktfSites, log });
      partial.matomo.push(outcome.fleet);
      if (outcome.audit) partial.audit = outcome.audit;
      if (outcome.cdktf) partial.cdktf = outcome.cdktf;
    }
    // Three Piwik PRO plans: each lasts seconds, so one slow moment weighs less than on a Matomo plan.
    partial.piwikpro = await measurePiwikPro({ apps: profile.piwikApps, latencyMs: profile.latencyMs, planRuns: Math.min(3, profile.planRuns), work, log });
    partial.memory = await measureMemory({ sites: profile.memorySites, latencyMs: profile.latencyMs, work, log });
    partial.totalMs = round(now() - started, 0);
    const goals = evaluateGoals(profile, partial);
    return { ...partial, goals, ok: goals.every((g) => g.met) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
