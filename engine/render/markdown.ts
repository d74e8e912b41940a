import type { InstanceReport, ReportFinding, RunReport } from "../report-schema";
import { plural, showValue } from "./values";

/** GitHub refuses comments over 65,536 characters; keep a margin for the marker and edits. */
export const COMMENT_LIMIT = 60_000;

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ").replace(/</g, "&lt;");
const code = (v: unknown) => "`" + showValue(v, 60).replace(/`/g, "'") + "`";

/**
 * A plan a reviewer reads in a pull-request comment: the verdict first, then one collapsible
 * section per instance with its changes, violations, attestations and unmanaged sites. Past the
 * comment limit, the longest parts are summarised and the report says what it left out.
 */
export function renderMarkdown(report: RunReport, options: { limit?: number; marker?: string } = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  for (const detail of [Infinity, 200, 50, 10, 0]) {
    const text = render(report, detail, options.marker);
    if (text.length <= limit) return text;
  }
  return render(report, 0, options.marker).slice(0, limit - 200) + "\n\n_Report cut at the comment limit: run `exempt plan --format json` for everything._\n";
}

function render(report: RunReport, maxRows: number, marker?: string): string {
  const s = report.summary;
  const icon = s.failed ? "❌" : s.violations ? "⛔" : s.changes || s.blocked ? "📝" : "✅";
  const out: string[] = [];
  if (marker) out.push(`<!-- ${marker} -->`);
  out.push(`### ${icon} Exempt ${report.command}: ${s.verdict}`, "");
  out.push(`${plural(s.instances, "instance")}, ${plural(s.sites, "declared site")} · exempt ${report.exemptVersion}${report.configFile ? ` · \`${report.configFile}\`` : ""}`, "");
  for (const i of report.instances) out.push(...renderInstance(i, maxRows));
  return out.join("\n") + "\n";
}

function renderInstance(i: InstanceReport, maxRows: number): string[] {
  const changes = [
    ...i.instanceChanges.map((c) => ({ site: "(instance)", ...c })),
    ...i.sites.flatMap((s) => s.changes.map((c) => ({ site: s.siteKey, ...c }))),
  ];
  const violations = i.findings.filter((f) => f.status === "fail" && f.level !== "info");
  const suppressed = i.findings.filter((f) => f.status === "suppressed");
  const attest = dedupeRules(i.findings.filter((f) => (f.status === "to-confirm" || f.status === "attested") && f.side === "desired"));
  const summary = [
    i.error ? "error" : undefined,
    changes.length ? plural(changes.length, "change") : "no change",
    violations.length ? plural(violations.length, "violation") : undefined,
    i.unmanaged.length ? `${i.unmanaged.length} unmanaged` : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  const out = [`<details${changes.length || violations.length || i.error ? " open" : ""}><summary><b>${esc(i.instanceId)}</b> (${i.product}${i.version ? " " + i.version : ""}): ${summary}</summary>`, ""];
  if (i.error) out.push(`> **Error:** ${esc(i.error)}`, "");
  for (const p of i.problems) out.push(`> **Problem${p.siteKey ? ` on ${esc(p.siteKey)}` : ""}:** ${esc(p.message)}`, "");
  if (changes.length) {
    out.push("| site | field | live | desired |", "|---|---|---|---|");
    for (const c of changes.slice(0, maxRows)) out.push(`| ${esc(c.site)} | ${esc(c.field)} | ${code(c.live)} | ${code(c.desired)}${c.blockedBy ? ` _(not applied: ${esc(c.blockedBy)})_` : ""} |`);
    if (changes.length > maxRows) out.push("", `_${changes.length - maxRows} more change(s) not shown (on ${new Set(changes.slice(maxRows).map((c) => c.site)).size} site(s)); \`exempt plan --format json\` lists them all._`);
    out.push("");
  }
  if (i.reassert.length)
    out.push(`Not observable through the API, ${i.reassert.every((r) => r.enforced) ? "written on every apply" : "see notes"}: ${i.reassert.map((r) => `\`${r.field}=${showValue(r.desired, 30)}\`${r.enforced ? "" : " (**not enforced**)"}`).join(", ")}`, "");
  if (violations.length) {
    out.push("**Violations**", "");
    for (const f of violations.slice(0, maxRows)) out.push(`- ${findingItem(f)}`);
    if (violations.length > maxRows) out.push(`- _${violations.length - maxRows} more violation(s) not shown_`);
    out.push("");
  }
  if (suppressed.length) {
    out.push("**Suppressed (accepted deviations)**", "");
    for (const f of suppressed.slice(0, maxRows)) out.push(`- ${findingItem(f)} — ${esc(f.suppression?.reason ?? "")} (${esc(f.suppression?.owner ?? "")}${f.suppression?.expires ? `, until ${f.suppression.expires}` : ""})`);
    if (suppressed.length > maxRows) out.push(`- _${suppressed.length - maxRows} more not shown_`);
    out.push("");
  }
  if (attest.length) {
    out.push("**Attestations**", "");
    for (const f of attest) out.push(`- [${f.status === "attested" ? "x" : " "}] ${ruleLink(f)}: ${esc(f.title)}${f.attestation ? ` — ${esc(f.attestation.by)}, until ${f.attestation.until}` : ""}`);
    out.push("");
  }
  if (i.unmanaged.length) {
    out.push(`**Unmanaged sites** (live, not declared): ${i.unmanaged.slice(0, Math.max(maxRows, 5)).map((u) => `${esc(u.productId)} ${esc(u.name)}`).join(", ")}${i.unmanaged.length > Math.max(maxRows, 5) ? ` and ${i.unmanaged.length - Math.max(maxRows, 5)} more` : ""}`, "");
  }
  out.push("</details>", "");
  return out;
}

function ruleLink(f: ReportFinding): string {
  return f.sourceUrl ? `[${f.ruleId}](${f.sourceUrl})` : `\`${f.ruleId}\``;
}

function findingItem(f: ReportFinding): string {
  const where = `${f.instanceId}${f.siteKey ? "/" + f.siteKey : ""}`;
  const loc = f.location ? ` (\`${f.location.file}:${f.location.line}\`)` : "";
  return `${ruleLink(f)} **${f.level}** on \`${esc(where)}\` [${f.side}]${loc}: ${esc(f.message)}`;
}

function dedupeRules(findings: ReportFinding[]): ReportFinding[] {
  const seen = new Map<string, ReportFinding>();
  for (const f of findings) {
    const prev = seen.get(f.ruleId);
    // One line per rule: attested only when every site has it attested.
    if (!prev || (prev.status === "attested" && f.status !== "attested")) seen.set(f.ruleId, f);
  }
  return [...seen.values()];
}
