/**
 * `exempt plan` and `exempt apply` in this process, through the same functions the CLI command
 * runs (load the declaration, run the engine, render the text report), so the figures are the
 * command's own minus Node's start-up, and the run report gives the client's traffic counters.
 */
import { loadDeclaration } from "../cli/load";
import { renderReport } from "../cli/output";
import type { RunReport } from "../engine/report-schema";
import { runCommand } from "../engine/run";
import type { Traffic } from "./http";
import { round } from "./measure";
import type { CommandFigures } from "./results";

export interface ExemptRun {
  command: "plan" | "apply";
  ms: number;
  exitCode: number;
  traffic: Traffic;
  report: RunReport;
  /** Length of the rendered text report (rendering is part of the command's cost). */
  outputBytes: number;
}

export async function runExempt(command: "plan" | "apply", configFile: string, env: NodeJS.ProcessEnv, options: { concurrency?: number } = {}): Promise<ExemptRun> {
  const started = process.hrtime.bigint();
  const decl = loadDeclaration({ config: configFile }, { cwd: process.cwd(), env });
  const report = await runCommand(decl.config, {
    command,
    // As `exempt plan` does for its text report (cli/commands/reconcile.ts).
    keepPasses: false,
    prune: false,
    strict: false,
    env,
    allowInsecureHttp: false,
    client: { concurrency: options.concurrency },
    log: () => undefined,
    today: env.EXEMPT_TODAY ?? new Date().toISOString().slice(0, 10),
    configFile: decl.file,
    sourceMap: decl.sourceMap,
  });
  const text = renderReport(report, "text");
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const traffic: Traffic = { requests: 0, bytesSent: 0, bytesReceived: 0 };
  for (const i of report.instances) {
    traffic.requests += i.traffic.requests;
    traffic.bytesSent += i.traffic.bytesSent;
    traffic.bytesReceived += i.traffic.bytesReceived;
  }
  return { command, ms, exitCode: report.summary.exitCode, traffic, report, outputBytes: Buffer.byteLength(text) };
}

/** Why a run did not do what the benchmark expects of it, for the error message. */
export function describeRun(run: ExemptRun): string {
  const errors = run.report.instances.flatMap((i) => [i.error, ...i.problems.map((p) => p.message)]).filter(Boolean);
  const failed = run.report.instances.flatMap((i) => i.sites.filter((s) => s.outcome && !s.outcome.ok).map((s) => `${s.siteKey}: ${s.outcome!.error}`));
  return `exempt ${run.command} exited ${run.exitCode} (${run.report.summary.verdict})${errors.length ? `; ${errors.slice(0, 3).join("; ")}` : ""}${failed.length ? `; ${failed.slice(0, 3).join("; ")}` : ""}`;
}

export function figuresOf(run: ExemptRun): CommandFigures {
  return { ms: round(run.ms, 1), exitCode: run.exitCode, changes: run.report.summary.changes, ...run.traffic };
}

/** Sites the apply updated and verified. */
export function sitesChanged(run: ExemptRun): number {
  return run.report.instances.reduce((n, i) => n + i.sites.filter((s) => s.operation === "update" && s.outcome?.ok).length, 0);
}
