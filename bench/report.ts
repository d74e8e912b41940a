/**
 * The benchmark's tables: Markdown pipe tables, padded so they read in a terminal and paste
 * as they are into docs/performance.md.
 */
import type { BenchResults } from "./results";

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? "").padEnd(widths[i])).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export const ms = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
export const bytes = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : v >= 1e3 ? `${(v / 1e3).toFixed(0)} kB` : `${v} B`);
const times = (v: number): string => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}×`;
const count = (v: number): string => v.toLocaleString("en-US");

export function machineLine(r: BenchResults): string {
  const m = r.machine;
  return `${m.cpus} × ${m.cpuModel}, ${m.memoryGb.toFixed(1)} GB RAM, Node ${m.node}, ${m.platform} ${m.release}`;
}

export function renderTables(r: BenchResults): string {
  const out: string[] = [];
  out.push(`Exempt benchmark (${r.mode}), ${r.startedAt}, ${ms(r.totalMs)} in all`);
  out.push(`Machine: ${machineLine(r)}`);
  out.push(`Every HTTP request answered after ${r.latencyMs} ms of injected latency; emulators in their own processes.`);
  out.push("");
  out.push(`Matomo, \`exempt plan\` with nothing to change (in-process, median of ${r.matomo[0]?.plan.runs.length ?? 0}; "new process": \`node bin/exempt.js plan\`, start-up included) vs a per-resource refresh (4 reads per site, 10 in flight):`);
  out.push("");
  out.push(
    table(
      ["sites", "plan wall", "new process", "requests", "sent", "received", "per-resource wall", "requests", "sent", "received", "faster", "fewer requests"],
      r.matomo.map((f) => [
        count(f.sites),
        ms(f.plan.ms),
        ms(f.coldPlan.ms),
        count(f.plan.requests),
        bytes(f.plan.bytesSent),
        bytes(f.plan.bytesReceived),
        ms(f.perResource.ms),
        count(f.perResource.requests),
        bytes(f.perResource.bytesSent),
        bytes(f.perResource.bytesReceived),
        times(f.ratio.time),
        times(f.ratio.requests),
      ]),
    ),
  );
  out.push("");
  out.push("Matomo, `exempt apply` with every site changed (renamed, a list flipped); set-up figures for the first apply after seeding:");
  out.push("");
  out.push(
    table(
      ["sites", "apply wall", "requests", "sent", "received", "sites changed", "first apply wall", "requests", "seed (bulk addSite)"],
      r.matomo.map((f) => [
        count(f.sites),
        ms(f.apply.ms),
        count(f.apply.requests),
        bytes(f.apply.bytesSent),
        bytes(f.apply.bytesReceived),
        count(f.apply.sitesChanged),
        ms(f.firstApply.ms),
        count(f.firstApply.requests),
        `${ms(f.seed.ms)}, ${f.seed.requests} requests`,
      ]),
    ),
  );
  out.push("");
  const rows: string[][] = [];
  if (r.audit) {
    const a = r.audit;
    rows.push([`Matomo bulk cap, ${count(a.sites)} sites (on the wire, through a counting proxy)`, `plan: ${a.plan.requests} requests, at most ${a.plan.maxSubRequests} sub-requests each; apply: ${a.apply.requests} requests, at most ${a.apply.maxSubRequests}`]);
  }
  if (r.piwikpro) {
    const p = r.piwikpro;
    rows.push([`Piwik PRO \`exempt plan\`, ${count(p.apps)} apps with tracker settings and a tag each, concurrency ${p.concurrency}`, `${ms(p.plan.ms)}, ${count(p.plan.requests)} requests; goal ${ms(p.goalMs)} (${p.plan.requests} × ${r.latencyMs} ms ÷ ${p.concurrency}): ${p.ratio.toFixed(2)}×`]);
  }
  if (r.cdktf) {
    rows.push([`\`cdktf synth\`, ${count(r.cdktf.sites)}-site exempt.yaml`, ms(r.cdktf.synth.ms)]);
    rows.push([`\`cdktf deploy\`, ${count(r.cdktf.sites)} sites, every one changed`, `${ms(r.cdktf.deploy.ms)} (${count(r.cdktf.deploy.sitesChanged)} sites changed)`]);
  }
  if (r.memory) {
    const m = r.memory;
    rows.push([`Peak RSS of \`exempt plan\`, ${count(m.sites)} Matomo sites, own process`, `${m.peakRssMb.toFixed(0)} MB (plan ${ms(m.ms)}, exit ${m.exitCode})`]);
  }
  if (rows.length) {
    out.push(table(["measure", "figure"], rows));
    out.push("");
  }
  out.push(table(["goal", "measured", "met", "margin"], r.goals.map((g) => [g.goal, g.measured, g.met ? "yes" : "NO", g.margin])));
  out.push("");
  const missed = r.goals.filter((g) => !g.met);
  out.push(missed.length ? `${missed.length} goal(s) missed: ${missed.map((g) => g.id).join(", ")}` : `All ${r.goals.length} goals met.`);
  return out.join("\n") + "\n";
}
