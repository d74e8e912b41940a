import * as fs from "node:fs";
import * as path from "node:path";
import { spawnExempt } from "../support/cli";
import { tempDir } from "../support/tmp";
import type { BenchResults } from "../../bench/results";
import { REDUCED } from "../../bench/profile";

/**
 * `npm run bench` in its reduced mode, as CI runs it: the same code paths as the full benchmark
 * (emulators in their own processes, seeding through the API, plan, apply, the per-resource
 * comparison, the wire audit, Piwik PRO, cdktf synth and deploy, peak memory in an own process)
 * on small fleets, so the benchmark cannot rot. The full run's figures are in docs/performance.md.
 */
describe("exempt bench --reduced", () => {
  let result: { code: number; stdout: string; stderr: string };
  let figures: BenchResults;

  beforeAll(async () => {
    const json = path.join(tempDir("exempt-bench-test-"), "bench.json");
    result = await spawnExempt(["bench", "--reduced", "--json", json], { timeoutMs: 150_000 });
    figures = JSON.parse(fs.readFileSync(json, "utf8")) as BenchResults;
  }, 160_000);

  it("exits 0 with every goal of the reduced profile met, and says so", () => {
    const missed = figures.goals.filter((g) => !g.met).map((g) => `${g.id}: ${g.measured}`);
    expect(missed).toEqual([]);
    expect(result.code).toBe(0);
    expect(figures.ok).toBe(true);
    expect(result.stdout).toContain(`All ${figures.goals.length} goals met.`);
  });

  it("writes every part of the benchmark in its JSON", () => {
    expect(figures.schema).toBe("exempt-bench/1");
    expect(figures.mode).toBe("reduced");
    expect(figures.latencyMs).toBe(20);
    expect(figures.machine.cpus).toBeGreaterThan(0);
    expect(figures.matomo.map((f) => f.sites)).toEqual(REDUCED.fleets);
    for (const f of figures.matomo) {
      for (const run of [f.plan, f.apply, f.firstApply]) {
        expect(run.ms).toBeGreaterThan(0);
        expect(run.requests).toBeGreaterThan(0);
        expect(run.bytesSent).toBeGreaterThan(0);
        expect(run.bytesReceived).toBeGreaterThan(0);
      }
      expect(f.plan.runs).toHaveLength(REDUCED.planRuns);
      expect(f.perResource.requests).toBe(f.sites * 4);
      expect(f.ratio.time).toBeCloseTo(f.perResource.ms / f.plan.ms, 1);
    }
    expect(figures.audit?.sites).toBe(REDUCED.auditFleet);
    expect(figures.piwikpro?.apps).toBe(REDUCED.piwikApps);
    expect(figures.cdktf?.sites).toBe(REDUCED.cdktfSites);
    expect(figures.memory?.sites).toBe(REDUCED.memorySites);
    expect(figures.memory?.peakRssMb).toBeGreaterThan(0);
  });

  it("keeps the request budgets and the bulk cap on the wire", () => {
    const goal = figures.matomo.find((f) => f.sites === REDUCED.goalFleet)!;
    expect(goal.plan.requests).toBeLessThanOrEqual(10);
    expect(goal.apply.requests).toBeLessThanOrEqual(30);
    expect(Math.max(figures.audit!.plan.maxSubRequests, figures.audit!.apply.maxSubRequests)).toBeLessThanOrEqual(500);
    // What Exempt counts of its own traffic is what crossed the wire.
    expect(figures.audit!.plan.exemptCounted.requests).toBe(figures.audit!.plan.requests);
    expect(figures.audit!.apply.exemptCounted.requests).toBe(figures.audit!.apply.requests);
  });

  it("prints the tables", () => {
    expect(result.stdout).toMatch(/\| sites \| plan wall/);
    expect(result.stdout).toMatch(/\| goal +\| measured/);
    expect(result.stdout).toContain("Peak RSS of `exempt plan`");
  });
});
