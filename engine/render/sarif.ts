import * as path from "node:path";
import { createHash } from "node:crypto";
import { CnilPack } from "../../policies/cnil-pack";
import type { PackEntry } from "../../policies/pack";
import type { ReportFinding, RunReport } from "../report-schema";

/**
 * SARIF 2.1.0 for code scanning (GitHub, GitLab): the rule pack as the tool's rules, and each
 * breach of it as a result anchored on the exempt.yaml line that causes it, so the pull request is
 * annotated where the fix goes. Suppressed breaches stay in the log with their justification, as
 * in every other report; passes, attestations and unobservable settings are not results (they are
 * not problems in the file).
 *
 * Pure: paths are made repository-relative from what the caller says the working directory and
 * repository root are.
 */

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

export interface SarifOptions {
  /** The directory relative file names in the report are relative to (the CLI's cwd). */
  cwd?: string;
  /** The repository root: artifact URIs are relative to it (GitHub resolves them against the checkout). */
  root?: string;
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: SarifRun[];
}

export interface SarifRun {
  tool: { driver: { name: string; version: string; semanticVersion: string; rules: SarifRule[] } };
  automationDetails: { id: string };
  invocations: Array<{ executionSuccessful: boolean; exitCode: number; toolExecutionNotifications?: Array<{ level: "error"; message: { text: string } }> }>;
  results: SarifResult[];
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; source: string; precision: "high" };
}

export type SarifLevel = "error" | "warning" | "note" | "none";

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number } };
    logicalLocations: Array<{ name: string; fullyQualifiedName: string; kind: string }>;
  }>;
  partialFingerprints: Record<string, string>;
  suppressions?: Array<{ kind: "inSource"; status: "accepted"; justification: string }>;
  properties: Record<string, unknown>;
}

const LEVELS: Record<string, SarifLevel> = { error: "error", warning: "warning", info: "note", attestation: "note" };

export function renderSarif(report: RunReport, options: SarifOptions = {}): SarifLog {
  const rules = packRules();
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: SarifResult[] = [];
  const seen = new Set<string>();
  for (const instance of report.instances) {
    for (const f of instance.findings) {
      if (f.status !== "fail" && f.status !== "suppressed") continue;
      // The same breach judged on the declaration and on the live site anchors on one line: one result.
      const key = `${f.ruleId}|${f.instanceId}|${f.siteKey ?? ""}|${f.path ?? ""}|${f.status}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!index.has(f.ruleId)) {
        index.set(f.ruleId, rules.length);
        rules.push(adHocRule(f));
      }
      results.push(resultOf(f, index.get(f.ruleId)!, report, options));
    }
  }
  const failures = report.instances.filter((i) => i.error);
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "exempt", version: report.exemptVersion, semanticVersion: report.exemptVersion, rules } },
        // Code scanning keeps one set of alerts per category: plan and drift must not close each other's.
        automationDetails: { id: `exempt/${report.command}/` },
        invocations: [
          {
            executionSuccessful: report.summary.exitCode !== 1,
            exitCode: report.summary.exitCode,
            ...(failures.length ? { toolExecutionNotifications: failures.map((i) => ({ level: "error" as const, message: { text: `${i.instanceId} (${i.url}): ${i.error}` } })) } : {}),
          },
        ],
        results,
      },
    ],
  };
}

function packRules(): SarifRule[] {
  return CnilPack.entries.map(ruleOf);
}

function ruleOf(entry: PackEntry): SarifRule {
  const r = entry.rule;
  const suppressible = entry.suppressibleWhenExempt ? "It may be suppressed with a written reason." : "It is a core condition: on an exempt site it cannot be suppressed.";
  return {
    id: r.id,
    name: pascal(r.id),
    shortDescription: { text: r.title },
    fullDescription: { text: r.explanation },
    help: {
      text: `${r.remediation}\n\n${suppressible}\nSource: ${r.source}${r.sourceUrl ? ` (${r.sourceUrl})` : ""}`,
      markdown: `${r.remediation}\n\n${suppressible}\n\nSource: ${r.sourceUrl ? `[${mdText(r.source)}](${r.sourceUrl})` : mdText(r.source)}`,
    },
    ...(r.sourceUrl ? { helpUri: r.sourceUrl } : {}),
    defaultConfiguration: { level: LEVELS[entry.level] ?? "warning" },
    properties: { tags: ["privacy", "cnil", ...r.products], source: r.source, precision: "high" },
  };
}

/** Findings of Exempt's own checks (an unknown rule in a suppression, ...) have no pack entry. */
function adHocRule(f: ReportFinding): SarifRule {
  return {
    id: f.ruleId,
    name: pascal(f.ruleId),
    shortDescription: { text: f.title },
    fullDescription: { text: f.title },
    help: { text: f.message, markdown: mdText(f.message) },
    defaultConfiguration: { level: LEVELS[f.level] ?? "warning" },
    properties: { tags: ["exempt"], source: f.source, precision: "high" },
  };
}

function resultOf(f: ReportFinding, ruleIndex: number, report: RunReport, options: SarifOptions): SarifResult {
  const where = `${f.instanceId}${f.siteKey ? "/" + f.siteKey : ""}`;
  const file = f.location?.file ?? report.configFile ?? "exempt.yaml";
  const region = f.location ? { startLine: Math.max(1, f.location.line), startColumn: Math.max(1, f.location.column) } : { startLine: 1, startColumn: 1 };
  const unlocated = f.location ? "" : f.siteKey?.startsWith("#") ? " (a live site no declaration matches: declare it, or ignore it)" : " (no line of the file declares it)";
  const result: SarifResult = {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVELS[f.level] ?? "warning",
    message: { text: `${where} [${f.side}]: ${f.message}${unlocated}` },
    locations: [
      {
        physicalLocation: { artifactLocation: artifactUri(file, options), region },
        logicalLocations: [{ name: f.siteKey ?? f.instanceId, fullyQualifiedName: f.path ?? `instances.${f.instanceId}${f.siteKey ? `.sites.${f.siteKey}` : ""}`, kind: "member" }],
      },
    ],
    // Stable across runs and line moves, so an alert follows its site and field rather than its line.
    partialFingerprints: { "exemptFinding/v1": createHash("sha256").update(`${f.ruleId}|${f.instanceId}|${f.siteKey ?? ""}|${f.path ?? f.field ?? ""}`).digest("hex").slice(0, 32) },
    properties: {
      instance: f.instanceId,
      ...(f.siteKey ? { site: f.siteKey } : {}),
      ...(f.productId ? { productId: f.productId } : {}),
      side: f.side,
      mode: f.mode,
      ...(f.field ? { field: f.field } : {}),
      ...(f.found !== undefined ? { found: f.found } : {}),
      ...(f.expected ? { expected: f.expected } : {}),
      source: f.source,
    },
  };
  if (f.status === "suppressed" && f.suppression)
    result.suppressions = [
      {
        kind: "inSource",
        status: "accepted",
        justification: `${f.suppression.reason} (owner: ${f.suppression.owner}${f.suppression.expires ? `, expires ${f.suppression.expires}` : ""}; suppressed on the ${f.suppression.on})`,
      },
    ];
  return result;
}

/**
 * A repository-relative, forward-slashed URI. A file outside the root (or with no root given)
 * keeps a `file://` URI so it still points somewhere real.
 */
export function artifactUri(file: string, options: SarifOptions): { uri: string; uriBaseId?: string } {
  const cwd = options.cwd ?? options.root;
  const absolute = path.isAbsolute(file) ? file : cwd ? path.resolve(cwd, file) : undefined;
  if (!absolute) return { uri: encodePath(file.replace(/\\/g, "/").replace(/^\.\//, "")), uriBaseId: "%SRCROOT%" };
  if (options.root) {
    const rel = path.relative(options.root, absolute);
    if (rel && !rel.startsWith("..") && !path.isAbsolute(rel)) return { uri: encodePath(rel.split(path.sep).join("/")), uriBaseId: "%SRCROOT%" };
  }
  return { uri: `file://${encodePath(absolute.split(path.sep).join("/"))}` };
}

function encodePath(p: string): string {
  return p
    .split("/")
    .map((seg) => encodeURIComponent(seg))
    .join("/");
}

function pascal(id: string): string {
  return id
    .toLowerCase()
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

function mdText(s: string): string {
  return s.replace(/([\\`*_[\]<>])/g, "\\$1");
}
