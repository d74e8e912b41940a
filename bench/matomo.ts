/**
 * One Matomo fleet, measured end to end against its own emulator process: seed, first apply,
 * plans with nothing to change, an apply with every site changed, the per-resource comparison,
 * and, for the fleets the profile names, the wire audit and cdktf synth/deploy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startAuditProxy } from "./audit-proxy";
import { deploy, synth } from "./cdktf";
import { describeRun, ExemptRun, figuresOf, runExempt, sitesChanged } from "./exempt";
import { matomoEnv, MATOMO_PASSWORD, MATOMO_TOKEN, seedMatomoFleet, writeFleet } from "./fleet";
import { medianRun, now, round } from "./measure";
import { planInOwnProcess } from "./memory";
import { perResourcePlan, TERRAFORM_PARALLELISM } from "./per-resource";
import type { AuditFigures, CdktfFigures, CommandFigures, FleetFigures } from "./results";
import { startSandbox } from "./sandbox";

export interface FleetOptions {
  sites: number;
  latencyMs: number;
  planRuns: number;
  work: string;
  audit: boolean;
  cdktf: boolean;
  log: (message: string) => void;
}

export interface FleetOutcome {
  fleet: FleetFigures;
  audit?: AuditFigures;
  cdktf?: CdktfFigures;
}

export async function measureFleet(o: FleetOptions): Promise<FleetOutcome> {
  const dir = path.join(o.work, `matomo-${o.sites}`);
  const config = path.join(dir, "exempt.yaml");
  fs.mkdirSync(dir, { recursive: true });
  const env = { ...matomoEnv(), EXEMPT_LOCK_DIR: path.join(dir, "locks") };
  const sandbox = await startSandbox("matomo", ["--token", MATOMO_TOKEN, "--password", MATOMO_PASSWORD, "--latency-ms", String(o.latencyMs)]);
  // Only figures are kept: a 3,000-site report is tens of megabytes, and reports kept alive would
  // make the garbage collector's work during the next measured run heavier than in a user's process.
  const figures = (run: ExemptRun, ok: boolean): CommandFigures => {
    if (!ok) o.log(`  unexpected: ${describeRun(run)}`);
    return figuresOf(run);
  };
  const measured = async (command: "plan" | "apply"): Promise<CommandFigures & { sitesChanged: number }> => {
    const run = await runExempt(command, config, env);
    return { ...figures(run, run.exitCode === 0), sitesChanged: sitesChanged(run) };
  };
  try {
    o.log(`Matomo, ${o.sites} sites: seeding through the API`);
    const t = now();
    const seeded = await seedMatomoFleet(sandbox.url, o.sites);
    const ids = seeded.ids;
    const seed = { ms: round(now() - t, 1), requests: seeded.requests };

    writeFleet(config, sandbox.url, { sites: o.sites, round: 0, containers: true });
    o.log(`Matomo, ${o.sites} sites: first apply (set-up)`);
    const first = await measured("apply");

    o.log(`Matomo, ${o.sites} sites: plan ×${o.planRuns}`);
    const plans = await medianRun(o.planRuns, () => measured("plan"));

    // The same plan as a user runs it: a new process (Node, TypeScript loading, modules), for the record.
    const cold = await planInOwnProcess(config, env);
    if (cold.exitCode !== 0) o.log(`  plan in its own process exited ${cold.exitCode}`);

    writeFleet(config, sandbox.url, { sites: o.sites, round: 1, containers: true });
    o.log(`Matomo, ${o.sites} sites: apply, every site changed`);
    const apply = await measured("apply");

    o.log(`Matomo, ${o.sites} sites: per-resource refresh (${ids.length * 4} requests, ${TERRAFORM_PARALLELISM} at a time)`);
    const per = await perResourcePlan(sandbox.url, ids);
    const plan = plans.run;
    const fleet: FleetFigures = {
      sites: o.sites,
      seed,
      firstApply: withoutSitesChanged(first),
      plan: { ...withoutSitesChanged(plan), runs: plans.all.map((v) => round(v, 1)) },
      coldPlan: { ms: round(cold.ms, 1), exitCode: cold.exitCode, peakRssMb: round(cold.peakRssMb, 1) },
      apply,
      perResource: { ms: round(per.ms, 1), ...per.traffic, parallelism: TERRAFORM_PARALLELISM },
      ratio: { time: round(per.ms / plan.ms, 2), requests: round(per.traffic.requests / plan.requests, 1), bytes: round((per.traffic.bytesSent + per.traffic.bytesReceived) / (plan.bytesSent + plan.bytesReceived), 2) },
    };
    const outcome: FleetOutcome = { fleet };
    let nextRound = 2;

    if (o.audit) {
      o.log(`Matomo, ${o.sites} sites: audit of the wire (untimed plan and apply through a counting proxy)`);
      const proxy = await startAuditProxy(sandbox.url);
      try {
        writeFleet(config, proxy.url, { sites: o.sites, round: nextRound++, containers: true });
        const p = await runExempt("plan", config, env);
        const planWire = { ...proxy.figures };
        proxy.reset();
        const a = await runExempt("apply", config, env);
        figures(a, a.exitCode === 0);
        const applyWire = { ...proxy.figures };
        const wire = (w: typeof planWire, run: ExemptRun) => ({
          requests: w.requests,
          maxSubRequests: w.maxSubRequests,
          subRequests: w.subRequests,
          bytesSent: w.bytesSent,
          bytesReceived: w.bytesReceived,
          exemptCounted: run.traffic,
        });
        outcome.audit = { sites: o.sites, plan: wire(planWire, p), apply: wire(applyWire, a) };
      } finally {
        await proxy.close();
      }
    }

    if (o.cdktf) {
      const outdir = path.join(dir, "cdktf.out");
      writeFleet(config, sandbox.url, { sites: o.sites, round: nextRound++, containers: true });
      o.log(`cdktf synth of ${o.sites} sites`);
      const s = await synth(config, outdir, env);
      if (s.exitCode !== 0) o.log(`  cdktf synth failed: ${s.output.slice(-1500)}`);
      o.log(`cdktf deploy of ${o.sites} sites, every one changed`);
      const d = await deploy(config, outdir, env);
      if (d.exitCode !== 0) o.log(`  cdktf deploy failed: ${d.output.slice(-1500)}`);
      // Every site had another name before the deploy: a plan with nothing left to change after it
      // shows that the deploy's apply changed every one.
      const after = await runExempt("plan", config, env);
      if (after.exitCode !== 0) o.log(`  after the deploy: ${describeRun(after)}`);
      const changed = after.exitCode === 0 && after.report.summary.changes === 0 ? after.report.summary.sites : 0;
      outcome.cdktf = { sites: o.sites, synth: { ms: round(s.ms, 1), exitCode: s.exitCode }, deploy: { ms: round(d.ms, 1), exitCode: d.exitCode, sitesChanged: changed } };
    }
    return outcome;
  } finally {
    await sandbox.stop();
  }
}

function withoutSitesChanged(f: CommandFigures & { sitesChanged?: number }): CommandFigures {
  const { sitesChanged: _unused, ...rest } = f;
  return rest;
}
