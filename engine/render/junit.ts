import { isBlocking } from "../../policies/runner";
import type { Finding } from "../../policies/types";
import type { InstanceReport, ReportFinding, RunReport, SiteReport } from "../report-schema";
import { showValue } from "./values";

/**
 * JUnit XML for CI test tabs (GitLab, Jenkins, GitHub test reporters): one test suite per instance,
 * one test case per declared site plus one for the instance-wide settings. A difference (change,
 * drift, or a change blocked until --prune) and an unsuppressed violation are failures; an instance
 * that could not be read, or a site that could not be applied, is an error. Warnings, suppressed
 * findings and settings the API cannot read go to the case's system-out: listed, never failing,
 * as in every other report.
 *
 * Test reporters show one `<failure>` per case (several are not valid in the common schema), so a
 * site's failures share one element: a short `message` and the full list as its text.
 */
export function renderJunit(report: RunReport): string {
  const suites = report.instances.map((i) => suiteOf(i, report));
  const total = sum(suites, (s) => s.tests);
  const failures = sum(suites, (s) => s.failures);
  const errors = sum(suites, (s) => s.errors);
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites ${attrs({ name: `exempt ${report.command}`, tests: total, failures, errors, time: 0, timestamp: report.generatedAt })}>`,
    ...suites.flatMap((s) => s.xml),
    `</testsuites>`,
  ];
  return lines.join("\n") + "\n";
}

interface Case {
  name: string;
  failure?: { type: string; message: string; details: string[] };
  error?: { type: string; message: string };
  out: string[];
}

interface Suite {
  tests: number;
  failures: number;
  errors: number;
  xml: string[];
}

function suiteOf(i: InstanceReport, report: RunReport): Suite {
  const cases = [instanceCase(i, report), ...i.sites.map((s) => siteCase(i, s, report))];
  const failures = cases.filter((c) => c.failure && !c.error).length;
  const errors = cases.filter((c) => c.error).length;
  const properties: Record<string, string> = { product: i.product, url: i.url, command: report.command };
  if (i.version) properties.version = i.version;
  if (report.configFile) properties.config = report.configFile;
  const out = [
    ...i.unmanaged.map((u) => `unmanaged site (live, not declared): ${u.productId} "${u.name}" ${u.urls[0] ?? ""}`),
    ...i.notes.map((n) => `note: ${n}`),
  ];
  const xml = [
    `  <testsuite ${attrs({ name: i.instanceId, tests: cases.length, failures, errors, skipped: 0, time: 0, timestamp: i.readAt ?? report.generatedAt, hostname: hostOf(i.url) })}>`,
    `    <properties>`,
    ...Object.entries(properties).map(([name, value]) => `      <property ${attrs({ name, value })}/>`),
    `    </properties>`,
    ...cases.flatMap((c) => caseXml(i.instanceId, c)),
  ];
  if (out.length) xml.push(`    <system-out>${text(out.join("\n"))}</system-out>`);
  xml.push(`  </testsuite>`);
  return { tests: cases.length, failures, errors, xml };
}

function caseXml(classname: string, c: Case): string[] {
  const open = `    <testcase ${attrs({ classname, name: c.name, time: 0 })}`;
  if (!c.failure && !c.error && !c.out.length) return [`${open}/>`];
  const xml = [`${open}>`];
  // An error says nothing was checked: a failure beside it would claim otherwise.
  if (c.error) xml.push(`      <error ${attrs({ type: c.error.type, message: c.error.message })}>${text(c.error.message)}</error>`);
  else if (c.failure) xml.push(`      <failure ${attrs({ type: c.failure.type, message: c.failure.message })}>${text(c.failure.details.join("\n"))}</failure>`);
  if (c.out.length) xml.push(`      <system-out>${text(c.out.join("\n"))}</system-out>`);
  xml.push(`    </testcase>`);
  return xml;
}

function instanceCase(i: InstanceReport, report: RunReport): Case {
  const c: Case = { name: "(instance settings)", out: [] };
  if (i.error) {
    c.error = { type: report.command === "apply" ? "apply-error" : "read-error", message: `${i.instanceId} (${i.url}): ${i.error}` };
    return c;
  }
  const details = [...i.instanceChanges.map((ch) => changeLine(report, ch)), ...i.problems.filter((p) => !p.siteKey).map((p) => `problem: ${p.message}`)];
  if (details.length) c.failure = { type: failureType(report), message: summaryOf(details), details };
  for (const r of i.reassert) c.out.push(`${r.field} = ${showValue(r.desired)}: not observable through the API, ${r.enforced ? "written on every apply" : `NOT enforced${r.note ? ` (${r.note})` : ""}`}`);
  return c;
}

function siteCase(i: InstanceReport, s: SiteReport, report: RunReport): Case {
  const c: Case = { name: s.siteKey, out: [] };
  const findings = i.findings.filter((f) => f.siteKey === s.siteKey);
  const problems = i.problems.filter((p) => p.siteKey === s.siteKey);
  if (s.outcome && !s.outcome.ok) {
    c.error = { type: "apply-error", message: `${i.instanceId}/${s.siteKey}: ${s.outcome.error ?? "not applied"}` };
    return c;
  }
  if (problems.length && report.command !== "apply") {
    c.error = { type: "identity-error", message: `${i.instanceId}/${s.siteKey}: ${problems.map((p) => p.message).join("; ")}` };
    return c;
  }
  const details: string[] = [];
  if (s.blockedBy) details.push(`${s.siteKey}: not applied: ${s.blockedBy}`);
  for (const ch of s.changes) details.push(changeLine(report, ch));
  const violations = findings.filter((f) => isBlocking(f as Finding, report.strict));
  for (const f of violations) details.push(violationLine(f));
  if (details.length) c.failure = { type: violations.length && details.length === violations.length ? "violation" : failureType(report), message: summaryOf(details), details };
  for (const f of findings) {
    if (violations.includes(f)) continue;
    if (f.status === "fail") c.out.push(`${f.level}: ${violationLine(f)}`);
    else if (f.status === "suppressed") c.out.push(`suppressed: ${violationLine(f)} (${f.suppression?.reason ?? ""}; ${f.suppression?.owner ?? ""}${f.suppression?.expires ? `, until ${f.suppression.expires}` : ""})`);
  }
  return c;
}

function failureType(report: RunReport): string {
  return report.command === "drift" ? "drift" : "change";
}

/** What a failure says in one line: the first item, and how many more. */
function summaryOf(details: string[]): string {
  const first = details[0].length > 300 ? details[0].slice(0, 299) + "…" : details[0];
  return details.length === 1 ? first : `${first} (and ${details.length - 1} more)`;
}

function changeLine(report: RunReport, ch: RunReport["instances"][number]["instanceChanges"][number]): string {
  const where = ch.siteKey ? `${ch.siteKey}: ` : "";
  const verb = report.command === "drift" ? "drift on" : "change of";
  return `${where}${verb} ${ch.field}: live ${showValue(ch.live)}, desired ${showValue(ch.desired)}${ch.blockedBy ? ` (not applied: ${ch.blockedBy})` : ""}`;
}

function violationLine(f: ReportFinding): string {
  const at = f.location ? ` at ${f.location.file}:${f.location.line}:${f.location.column}` : f.path ? ` at ${f.path}` : "";
  return `${f.ruleId} ${f.level} [${f.side}]${at}: ${f.message} (source: ${f.source}${f.sourceUrl ? ` ${f.sourceUrl}` : ""})`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function sum<T>(items: T[], f: (t: T) => number): number {
  return items.reduce((n, t) => n + f(t), 0);
}

// ------------------------------------------------------------------------------------------ XML

/** Characters XML 1.0 cannot carry at all, even escaped: control characters but tab, LF, CR, and lone surrogates. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(value: string): string {
  return value.replace(NOT_XML, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function xmlAttr(value: string): string {
  // Line breaks in an attribute are normalised to spaces by parsers unless written as references.
  return xmlText(value).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}

function text(value: string): string {
  return xmlText(value);
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}="${xmlAttr(String(v))}"`)
    .join(" ");
}
