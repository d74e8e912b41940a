/**
 * A Piwik PRO account for the benchmark: apps with their tracker settings and an analytics tag
 * each, declared in an exempt.yaml and created through the API by `exempt apply` (at a higher
 * concurrency than the measured plan: seeding is set-up, not a figure).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describeRun, figuresOf, runExempt } from "./exempt";
import { medianRun, round } from "./measure";
import type { PiwikProFigures } from "./results";
import { startSandbox } from "./sandbox";

export const PP_CLIENT_ID = "bench-client";
export const PP_CLIENT_SECRET = "bench0secret0of0the0piwikpro0sandbox";
export const PP_ID_ENV = "BENCH_PP_CLIENT_ID";
export const PP_SECRET_ENV = "BENCH_PP_CLIENT_SECRET";
/** Seeding only: the measured plan runs at the instance's default concurrency. */
export const SEED_CONCURRENCY = 16;

export const appKey = (i: number): string => `a${String(i).padStart(4, "0")}`;

export function piwikProYaml(url: string, apps: number): string {
  const lines = ["instances:", "  account:", "    kind: piwikpro", `    url: ${url}`, `    auth: { clientIdEnv: ${PP_ID_ENV}, clientSecretEnv: ${PP_SECRET_ENV} }`, "    sites:"];
  for (let i = 0; i < apps; i++) {
    lines.push(`      ${appKey(i)}:`);
    lines.push(`        name: App ${i}`);
    lines.push(`        urls: [https://app${i}.fleet.example.fr]`);
    // Publishing waits for Tag Manager's operation; the plan reads the draft's tags either way.
    lines.push("        publishTags: false");
    lines.push("        tags: { analytics: { name: Piwik PRO, template: piwik } }");
  }
  return lines.join("\n") + "\n";
}

export function writePiwikPro(file: string, url: string, apps: number): void {
  fs.writeFileSync(file, piwikProYaml(url, apps));
}

export function piwikProEnv(): Record<string, string> {
  return { [PP_ID_ENV]: PP_CLIENT_ID, [PP_SECRET_ENV]: PP_CLIENT_SECRET };
}

/** The concurrency a Piwik PRO instance gets when its `client:` says nothing (model/common.ts). */
export const DEFAULT_CONCURRENCY = 4;

export async function measurePiwikPro(o: { apps: number; latencyMs: number; planRuns: number; work: string; log: (m: string) => void }): Promise<PiwikProFigures> {
  const dir = path.join(o.work, `piwikpro-${o.apps}`);
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, "exempt.yaml");
  const env = { ...piwikProEnv(), EXEMPT_LOCK_DIR: path.join(dir, "locks") };
  const sandbox = await startSandbox("piwikpro", ["--client-id", PP_CLIENT_ID, "--client-secret", PP_CLIENT_SECRET, "--latency-ms", String(o.latencyMs)]);
  try {
    writePiwikPro(config, sandbox.url, o.apps);
    o.log(`Piwik PRO, ${o.apps} apps: created by exempt apply (set-up, concurrency ${SEED_CONCURRENCY})`);
    // Figures only: a report kept alive would weigh on the next measured run.
    const measured = async (command: "plan" | "apply", concurrency?: number) => {
      const run = await runExempt(command, config, env, { concurrency });
      if (run.exitCode !== 0) o.log(`  unexpected: ${describeRun(run)}`);
      return figuresOf(run);
    };
    const seed = await measured("apply", SEED_CONCURRENCY);
    o.log(`Piwik PRO, ${o.apps} apps: plan ×${o.planRuns} at the default concurrency`);
    const plans = await medianRun(o.planRuns, () => measured("plan"));
    const plan = plans.run;
    const goalMs = (plan.requests * o.latencyMs) / DEFAULT_CONCURRENCY;
    return { apps: o.apps, concurrency: DEFAULT_CONCURRENCY, plan: { ...plan, runs: plans.all.map((v) => round(v, 1)) }, goalMs, ratio: round(plan.ms / goalMs, 3), seed };
  } finally {
    await sandbox.stop();
  }
}
