import type { InstanceReport, ReportFinding, RunReport } from "../report-schema";
import { plural, showValue } from "./values";

const OP_MARK: Record<string, string> = { create: "+", update: "~", delete: "-", none: "=" };

/**
 * The terminal rendering: per instance, per site, every change with the live and the desired
 * value; then the findings that need attention. Passes are counted, not listed.
 */
export function renderText(report: RunReport, options: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  for (const instance of report.instances) out.push(...renderInstance(instance, report, options));
  out.push(`${report.command === "apply" ? "Apply" : report.command === "drift" ? "Drift" : "Plan"}: ${report.summary.verdict}`);
  return out.join("\n") + "\n";
}

function renderInstance(i: InstanceReport, report: RunReport, options: { verbose?: boolean }): string[] {
  const out: string[] = [];
  const product = i.version?.startsWith("Piwik PRO") ? "Piwik PRO" : `${i.product}${i.version ? " " + i.version : ""}`;
  out.push(`${i.instanceId} (${product}, ${i.url})`);
  if (i.error) {
    out.push(`  ERROR ${i.error}`);
  }
  for (const p of i.problems) out.push(`  ERROR ${p.siteKey ? p.siteKey + ": " : ""}${p.message}`);
  for (const c of i.instanceChanges) out.push(`  ~ ${c.field}: ${showValue(c.live)} -> ${showValue(c.desired)}`);
  for (const s of i.sites) {
    const id = s.productId ? ` (${i.product === "matomo" ? "idSite " : "app "}${s.productId})` : "";
    const changes = s.changes.filter((c) => c.field !== "(site)");
    const outcome = s.outcome ? (s.outcome.ok ? " [ok]" : ` [FAILED: ${s.outcome.error ?? "see above"}]`) : "";
    if (s.operation === "none" && changes.length === 0 && !s.blockedBy && !options.verbose) {
      if (s.outcome && !s.outcome.ok) out.push(`  = ${s.siteKey}${id}${outcome}`);
      continue;
    }
    const label = s.operation === "create" ? `create "${s.name}"` : s.operation === "delete" ? "delete" : s.operation === "update" ? "update" : "no change";
    out.push(`  ${OP_MARK[s.operation]} ${s.siteKey}${id}: ${label}${outcome}`);
    if (s.blockedBy) out.push(`      (not applied: ${s.blockedBy})`);
    for (const c of changes) out.push(`      ${c.field}: ${showValue(c.live)} -> ${showValue(c.desired)}${c.blockedBy ? `  (not applied: ${c.blockedBy})` : ""}`);
    if (s.outcome?.wrote.length && options.verbose) out.push(`      wrote: ${s.outcome.wrote.join(", ")}`);
  }
  const unchanged = i.sites.filter((s) => s.operation === "none" && s.changes.length === 0 && !s.blockedBy).length;
  if (unchanged && !options.verbose) out.push(`  = ${plural(unchanged, "site")} in sync`);
  const enforced = i.reassert.filter((r) => r.enforced);
  if (enforced.length)
    out.push(`  ! not observable through the ${i.product === "matomo" ? "Matomo" : "Piwik PRO"} API, ${report.command === "apply" ? "written again on this apply" : "written on every apply"}: ${enforced.map((r) => `${r.field.replace(/^privacy\./, "")}=${showValue(r.desired)}`).join(", ")}`);
  for (const r of i.reassert.filter((x) => !x.enforced)) out.push(`  ! ${r.field} = ${showValue(r.desired)}: not observable and NOT enforced${r.note ? ` (${r.note})` : ""}`);
  for (const u of i.unmanaged) out.push(`  ? unmanaged site ${u.productId} "${u.name}" ${u.urls[0] ?? ""}`);
  const attention = i.findings.filter(needsAttention);
  if (attention.length) {
    out.push("  Findings:");
    for (const f of attention) out.push(`    ${findingLine(f)}`);
  }
  const passes = i.passed;
  const confirm = i.findings.filter((f) => f.status === "to-confirm" && f.side === "desired");
  if (confirm.length) out.push(`  To confirm by a person: ${[...new Set(confirm.map((f) => f.ruleId))].join(", ")}`);
  out.push(`  ${plural(passes, "check")} passed; ${i.traffic.requests} HTTP request(s)`);
  for (const n of i.notes) out.push(`  note: ${n}`);
  return out;
}

function needsAttention(f: ReportFinding): boolean {
  return f.status === "fail" || f.status === "suppressed";
}

const MARK: Record<string, string> = { fail: "✗", suppressed: "~", "not-observable": "?", "to-confirm": "□", attested: "☑", pass: "✓" };

export function findingLine(f: ReportFinding): string {
  const where = `${f.instanceId}${f.siteKey ? "/" + f.siteKey : ""}`;
  const loc = f.location ? ` ${f.location.file}:${f.location.line}` : "";
  const supp = f.suppression ? ` (suppressed by ${f.suppression.owner}: ${f.suppression.reason}${f.suppression.expires ? `, until ${f.suppression.expires}` : ""})` : "";
  const mark = f.status === "fail" && f.level === "info" ? "i" : f.status === "fail" && f.level === "warning" ? "!" : MARK[f.status] ?? "-";
  // The source's keys ([G20 §51], [GM]) are enough in a terminal; reports in other formats give it whole.
  const keys = /^(\[[^\]]+\])+/.exec(f.source)?.[0];
  const source = keys ?? f.source;
  return `${mark} ${f.ruleId} ${f.level} [${f.side}] ${where}${loc}: ${f.message}${supp} ${source}`;
}
