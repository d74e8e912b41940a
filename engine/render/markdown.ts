import { isBlocking } from "../../policies/runner";
import type { Finding } from "../../policies/types";
import type { InstanceReport, ReportFinding, RunReport } from "../report-schema";
import { plural, showValue } from "./values";

/** GitHub refuses comments over 65,536 characters; keep a margin for the marker and edits. */
export const COMMENT_LIMIT = 60_000;

/**
 * How much detail each pass allows, from everything to counts alone. Rows are per list (changes,
 * violations, suppressions, unmanaged sites) and per instance.
 */
const DETAIL_STEPS = [Infinity, 200, 100, 50, 20, 5, 0];

/**
 * A plan a reviewer reads in a pull-request comment: the verdict first, then one collapsible
 * section per instance with its changes, violations, attestations and unmanaged sites. Past the
 * comment limit, lists are cut to their first rows with counts per field or per rule instead, and
 * the comment says, at the top and under each cut list, what it left out.
 */
export function renderMarkdown(report: RunReport, options: { limit?: number; marker?: string } = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  // Counts alone do not fit either: skip the detailed passes, each a full rendering.
  const countsOnly = render(report, { rows: 0, marker: options.marker, compactInstances: false });
  if (countsOnly.length <= limit) {
    for (const rows of DETAIL_STEPS) {
      const text = rows === 0 ? countsOnly : render(report, { rows, marker: options.marker, compactInstances: false });
      if (text.length <= limit) return text;
    }
  }
  // Hundreds of instances: one table row each, as many as fit.
  for (let shown = report.instances.length; shown >= 0; shown = shown > 10 ? Math.floor(shown / 2) : shown - 1) {
    const text = render(report, { rows: 0, marker: options.marker, compactInstances: true, instancesShown: shown });
    if (text.length <= limit) return text;
  }
  return render(report, { rows: 0, marker: options.marker, compactInstances: true, instancesShown: 0 }).slice(0, limit);
}

interface RenderOptions {
  rows: number;
  marker?: string;
  compactInstances: boolean;
  instancesShown?: number;
}

/** What a pass left out, said at the top of the comment: [left out, total] per kind. */
interface Omissions {
  changes: [number, number];
  findings: [number, number];
  unmanaged: [number, number];
  instances: [number, number];
}

function omissionText(left: Omissions): string {
  const part = ([n, total]: [number, number], word: string) => (n ? `${n} of ${total} ${word}` : "");
  return [part(left.instances, "instances"), part(left.changes, "changes"), part(left.findings, "violations, warnings and suppressions"), part(left.unmanaged, "unmanaged sites")].filter(Boolean).join(", ");
}

function render(report: RunReport, options: RenderOptions): string {
  const s = report.summary;
  const icon = s.failed ? "❌" : s.violations ? "⛔" : s.changes || s.blocked ? "📝" : "✅";
  const left: Omissions = { changes: [0, 0], findings: [0, 0], unmanaged: [0, 0], instances: [0, 0] };
  const body = options.compactInstances ? instanceTable(report, options.instancesShown ?? 0, left) : report.instances.flatMap((i) => renderInstance(i, report, options.rows, left));
  const out: string[] = [];
  if (options.marker) out.push(`<!-- ${commentSafe(options.marker)} -->`);
  out.push(`### ${icon} Exempt ${report.command}: ${inline(s.verdict)}`, "");
  const counts = [
    plural(s.instances, "instance"),
    plural(s.sites, "declared site"),
    s.changes ? plural(s.changes, report.command === "drift" ? "drifted field" : "change") : undefined,
    s.blocked ? `${s.blocked} not applied without --prune` : undefined,
  ].filter(Boolean);
  out.push(`${counts.join(" · ")} · exempt ${inline(report.exemptVersion)}${report.configFile ? ` · ${code(report.configFile)}` : ""}`, "");
  const omitted = omissionText(left);
  if (omitted) out.push(`> [!NOTE]`, `> Summarised to fit a comment: ${omitted} are counted but not listed. \`exempt ${report.command} --format json\` lists everything.`, "");
  out.push(...body);
  return out.join("\n") + "\n";
}

interface Row {
  site: string;
  field: string;
  live: unknown;
  desired: unknown;
  blockedBy?: string;
}

function renderInstance(i: InstanceReport, report: RunReport, maxRows: number, left: Omissions): string[] {
  const changes: Row[] = [...i.instanceChanges.map((c) => ({ ...c, site: "(instance)" })), ...i.sites.flatMap((s) => s.changes.map((c) => ({ ...c, site: s.siteKey })))];
  const violations = i.findings.filter((f) => f.status === "fail" && (isBlocking(f as Finding, report.strict) || f.level === "warning"));
  const suppressed = i.findings.filter((f) => f.status === "suppressed");
  const attest = dedupeRules(i.findings.filter((f) => (f.status === "to-confirm" || f.status === "attested") && f.side === "desired"));
  // Counted as listed: a breach seen on both sides is one item.
  const blocking = mergeSides(violations.filter((f) => isBlocking(f as Finding, report.strict))).length;
  const warnings = mergeSides(violations).length - blocking;
  const summary = [
    i.error ? "could not be read" : undefined,
    changes.length ? plural(changes.length, report.command === "drift" ? "difference" : "change") : i.error ? undefined : "no change",
    blocking ? plural(blocking, "violation") : undefined,
    warnings ? plural(warnings, "warning") : undefined,
    i.unmanaged.length ? `${i.unmanaged.length} unmanaged` : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  const open = changes.length || blocking || i.error || i.problems.length ? " open" : "";
  const out = [`<details${open}><summary><b>${html(i.instanceId)}</b> (${html(i.product)}${i.version ? " " + html(i.version) : ""}): ${html(summary)}</summary>`, ""];
  if (i.error) out.push(`> [!CAUTION]`, `> **${inline(i.instanceId)} could not be read:** ${inline(i.error)}`, "");
  for (const p of i.problems) out.push(`> **Problem${p.siteKey ? ` on ${inline(p.siteKey)}` : ""}:** ${inline(p.message)}`, "");
  if (changes.length) out.push(...changeTable(changes, maxRows, report, left));
  if (i.reassert.length)
    out.push(
      `Not observable through the API: ${i.reassert.map((r) => `${code(`${r.field.replace(/^privacy\./, "")}=${showValue(r.desired, 30)}`)}${r.enforced ? "" : " (**not enforced**)"}`).join(", ")}${i.reassert.some((r) => r.enforced) ? " — written on every apply, never reported in sync" : ""}.`,
      "",
    );
  if (violations.length) out.push(...findingList("Violations", violations, maxRows, left));
  if (suppressed.length) out.push(...findingList("Suppressed (accepted deviations)", suppressed, maxRows, left));
  if (attest.length) {
    out.push("**Attestations**", "");
    for (const f of attest) out.push(`- [${f.status === "attested" ? "x" : " "}] ${ruleLink(f)}: ${inline(f.title)}${f.attestation ? ` — ${inline(f.attestation.by)}, until ${inline(f.attestation.until)}` : " — to be confirmed by a person"}`);
    out.push("");
  }
  if (i.unmanaged.length) {
    const shown = Math.min(i.unmanaged.length, Math.max(maxRows, 3));
    out.push(`**Unmanaged sites** (live, not declared; never changed): ${i.unmanaged.slice(0, shown).map((u) => `${code(u.productId)} ${inline(u.name)}`).join(", ")}${i.unmanaged.length > shown ? `, and ${i.unmanaged.length - shown} more not listed` : ""}`, "");
    count(left.unmanaged, i.unmanaged.length - shown, i.unmanaged.length);
  }
  out.push("</details>", "");
  return out;
}

function changeTable(changes: Row[], maxRows: number, report: RunReport, left: Omissions): string[] {
  const out: string[] = [];
  const cut = changes.length > maxRows;
  if (cut) {
    // Counts per field tell a reviewer what kind of change this is even when the rows do not fit.
    const byField = new Map<string, { n: number; sites: Set<string>; example: Row }>();
    for (const c of changes) {
      const key = c.field.startsWith("access.") ? "access.*" : c.field;
      const entry = byField.get(key) ?? { n: 0, sites: new Set(), example: c };
      entry.n++;
      entry.sites.add(c.site);
      byField.set(key, entry);
    }
    out.push("| field | changes | sites | e.g. live → desired |", "|---|---:|---:|---|");
    for (const [field, e] of [...byField].sort((a, b) => b[1].n - a[1].n))
      out.push(`| ${cell(field)} | ${e.n} | ${e.sites.size} | ${val(e.example.live, true)} → ${val(e.example.desired, true)} |`);
    out.push("");
  }
  const rows = changes.slice(0, maxRows);
  if (rows.length) {
    out.push("| site | field | live | desired |", "|---|---|---|---|");
    for (const c of rows) out.push(`| ${cell(c.site)} | ${cell(c.field)} | ${val(c.live, true)} | ${val(c.desired, true)}${c.blockedBy ? ` _(not applied: ${cell(c.blockedBy)})_` : ""} |`);
    out.push("");
  }
  if (cut) {
    const rest = changes.slice(maxRows);
    out.push(`_${rows.length ? `First ${rows.length} of ${changes.length} changes listed` : `${changes.length} changes counted, none listed`}: ${rest.length} left out, on ${plural(new Set(rest.map((c) => c.site)).size, "site")}. \`exempt ${report.command} --format json\` lists them all._`, "");
    count(left.changes, rest.length, changes.length);
  }
  return out;
}

/** A breach judged on the declaration and on the live site is one item, with both sides named. */
interface Item {
  f: ReportFinding;
  sides: string[];
}

function mergeSides(findings: ReportFinding[]): Item[] {
  const items = new Map<string, Item>();
  for (const f of findings) {
    const key = `${f.ruleId}|${f.siteKey ?? ""}|${f.path ?? ""}|${f.status}`;
    const item = items.get(key);
    if (item) {
      if (!item.sides.includes(f.side)) item.sides.push(f.side);
    } else items.set(key, { f, sides: [f.side] });
  }
  return [...items.values()];
}

function findingList(title: string, findings: ReportFinding[], maxRows: number, left: Omissions): string[] {
  const items = mergeSides(findings);
  const out = [`**${title}**`, ""];
  if (items.length > maxRows) {
    // One line per rule with its sites, before any detail.
    const byRule = new Map<string, { f: ReportFinding; sites: Set<string> }>();
    for (const { f } of items) {
      const e = byRule.get(`${f.ruleId}|${f.level}`) ?? { f, sites: new Set() };
      e.sites.add(f.siteKey ?? "(instance)");
      byRule.set(`${f.ruleId}|${f.level}`, e);
    }
    for (const { f, sites } of byRule.values()) {
      const list = [...sites];
      out.push(`- ${ruleLink(f)} **${f.level}**: ${plural(list.length, "site")} (${list.slice(0, 5).map((s) => code(s)).join(", ")}${list.length > 5 ? ", …" : ""}) — ${inline(f.title)}`);
    }
    out.push("");
  }
  const shown = items.slice(0, maxRows);
  for (const item of shown) out.push(`- ${findingItem(item)}`);
  if (items.length > shown.length) out.push(`- _${items.length - shown.length} more not listed (counted per rule above)_`);
  count(left.findings, items.length - shown.length, items.length);
  out.push("");
  return out;
}

function count(tally: [number, number], leftOut: number, total: number): void {
  tally[0] += leftOut;
  tally[1] += total;
}

function instanceTable(report: RunReport, shown: number, left: Omissions): string[] {
  const out = ["| instance | product | changes | violations | unmanaged | status |", "|---|---|---:|---:|---:|---|"];
  for (const i of report.instances.slice(0, shown)) {
    const changes = i.instanceChanges.length + i.sites.reduce((n, s) => n + s.changes.length, 0);
    const violations = i.findings.filter((f) => isBlocking(f as Finding, report.strict)).length;
    out.push(`| ${cell(i.instanceId)} | ${cell(i.product)} | ${changes} | ${violations} | ${i.unmanaged.length} | ${i.error ? `could not be read: ${cell(showValue(i.error, 120))}` : "read"} |`);
  }
  out.push("");
  count(left.instances, report.instances.length - shown, report.instances.length);
  for (const i of report.instances) {
    const changes = i.instanceChanges.length + i.sites.reduce((n, s) => n + s.changes.length, 0);
    const findings = mergeSides(i.findings.filter((f) => (f.status === "fail" && f.level !== "info") || f.status === "suppressed")).length;
    count(left.changes, changes, changes);
    count(left.findings, findings, findings);
    count(left.unmanaged, i.unmanaged.length, i.unmanaged.length);
  }
  return out;
}

function ruleLink(f: ReportFinding): string {
  return f.sourceUrl ? `[${inline(f.ruleId)}](${url(f.sourceUrl)})` : code(f.ruleId);
}

function findingItem({ f, sides }: Item): string {
  const where = `${f.instanceId}${f.siteKey ? "/" + f.siteKey : ""}`;
  const loc = f.location ? ` (${code(`${f.location.file}:${f.location.line}`)})` : "";
  const supp = f.suppression ? ` — ${inline(f.suppression.reason)} (${inline(f.suppression.owner)}${f.suppression.expires ? `, until ${inline(f.suppression.expires)}` : ""})` : "";
  return `${ruleLink(f)} **${f.level}** on ${code(where)} [${sides.join(", ")}]${loc}: ${inline(f.message)}${supp}`;
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

// ------------------------------------------------------------------------------------ escaping

/** Text in Markdown: no emphasis, link, HTML or table syntax from a site name or a message. */
export function inline(s: string): string {
  return s
    .replace(/\r?\n/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|#~!])/g, "\\$1");
}

/** Inside a table cell every pipe must be escaped, code spans included (GFM splits cells first). */
function cell(s: string): string {
  return inline(s);
}

/**
 * A value as a code span. Backslash escapes do not work inside code spans, so a backtick becomes a
 * quote; GFM tables still need `\|`, which they turn back into a pipe inside the span.
 */
export function code(text: string, inTable = false): string {
  const s = text.replace(/\r?\n/g, " ").replace(/`/g, "'");
  const shown = s.length > 60 ? s.slice(0, 59) + "…" : s;
  return "`" + (inTable ? shown.replace(/\|/g, "\\|") : shown) + "`";
}

/** A live or desired value: `(none)` for absent, `""` for empty, lists in brackets. */
function val(v: unknown, inTable = false): string {
  return code(showValue(v, 60), inTable);
}

/** Text inside HTML tags (`<summary>`), where Markdown is not parsed. */
function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A marker must not close the HTML comment it sits in. */
function commentSafe(marker: string): string {
  return marker.replace(/-{2,}/g, "-").replace(/>/g, "").replace(/\r?\n/g, " ").trim();
}

function url(u: string): string {
  return u.replace(/[()\s<>]/g, (c) => encodeURIComponent(c));
}
