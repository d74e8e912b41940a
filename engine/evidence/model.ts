import type { Config } from "../../model/config";
import { hashInstance } from "../../model/manifest";
import { redactSecrets } from "../../model/secrets";
import { entriesFor, RulePack } from "../../policies/pack";
import type { InstanceReport, ReportFinding, RunReport } from "../report-schema";
import { complianceOf, weakestOver } from "./compliance";
import { deriveRules } from "./derive";
import { pagePaths } from "./pages";
import { EVIDENCE_SCHEMA_VERSION, EvidenceReport, InstanceEvidence, SiteEvidence } from "./schema";
import { EVIDENCE_STATUSES, EvidenceStatus, SITE_VERDICTS, STATUS_WORDS, VERDICT_WORDS, verdictOf } from "./vocabulary";

export interface EvidenceInput {
  /** What `runCommand(config, { command: "drift" })` returned: read-only, never an apply. */
  run: RunReport;
  /** The declaration that was judged (its instances are hashed as Terraform's triggers are). */
  config: Config;
  pack: RulePack;
  /** YYYY-MM-DD the expiries were judged against. */
  today: string;
  generatedAt: string;
  scope?: { instance?: string; site?: string };
}

/**
 * The evidence model: pure, from a drift run and the declaration to what the report says. Every
 * string leaves through `redactSecrets`, so a secret echoed by a server in a note or an error never
 * reaches a page, whatever path it took.
 */
export function buildEvidence(input: EvidenceInput): EvidenceReport {
  const { run, config, pack } = input;
  const instances: InstanceEvidence[] = [];
  const sites: SiteEvidence[] = [];
  const unmanagedSites: SiteEvidence[] = [];

  for (const i of run.instances) {
    const declared = config.instances[i.instanceId];
    const declarationHash = declared ? hashInstance(declared) : "";
    const entries = entriesFor(pack, i.product);
    const enforcedValues = Object.fromEntries(i.reassert.filter((r) => r.enforced).map((r) => [r.field, r.desired]));
    const common = { product: i.product, instanceId: i.instanceId, instanceUrl: i.url, readAt: i.readAt, productVersion: i.version };
    const liveRead = !i.error && i.readAt !== undefined;
    const findingsOf = groupFindings(i);

    const declaredHere: SiteEvidence[] = [];
    for (const s of i.sites) {
      const decl = declared?.sites[s.siteKey];
      const findings = findingsOf(s.siteKey);
      const foundLive = liveRead && s.operation !== "create";
      const rules = deriveRules(entries, { product: i.product, live: foundLive ? findings.live : [], desired: findings.desired, enforcedValues });
      const problems = [...i.problems.filter((p) => p.siteKey === s.siteKey).map((p) => p.message), ...unknownRuleProblems(findings.desired, pack)];
      const readNote = !liveRead ? `the instance could not be read${i.error ? `: ${i.error}` : ""}` : s.operation === "create" ? "the site was not found on the instance (an apply would create it)" : undefined;
      declaredHere.push(
        siteEvidence({
          ...common,
          id: `${i.instanceId}/${s.siteKey}`,
          siteKey: s.siteKey,
          unmanaged: false,
          productId: s.productId,
          name: s.name,
          urls: decl?.urls ?? [],
          mode: decl?.mode ?? "exempt",
          declarationHash,
          read: foundLive,
          readNote,
          drift: s.changes.filter((c) => c.field !== "(site)").map((c) => ({ field: c.field, live: c.live, desired: c.desired, blockedBy: c.blockedBy })),
          problems: s.blockedBy ? [...problems, `not applied: ${s.blockedBy}`] : problems,
          rules,
        }),
      );
    }

    const unmanagedHere: SiteEvidence[] = i.unmanaged.map((u) => {
      const key = `#${u.productId}`;
      const findings = findingsOf(key);
      const rules = deriveRules(entries, { product: i.product, live: findings.live, desired: [], enforcedValues });
      return siteEvidence({
        ...common,
        id: `${i.instanceId}/${key}`,
        unmanaged: true,
        productId: u.productId,
        name: u.name,
        urls: u.urls,
        mode: "exempt",
        read: liveRead,
        drift: [],
        problems: ["not declared: judged as found (breaches are warnings), never changed by Exempt"],
        rules,
      });
    });

    const exemptStatusOf = (ruleId: string) => weakestOver(declaredHere.filter((s) => s.read).map((s) => s.rules.find((r) => r.ruleId === ruleId)?.status).filter((x): x is EvidenceStatus => x !== undefined));
    instances.push({
      instanceId: i.instanceId,
      product: i.product,
      url: i.url,
      version: i.version,
      readAt: i.readAt,
      error: i.error,
      declarationHash,
      notes: i.notes,
      notObservable: i.reassert.map((r) => ({ field: r.field, desired: r.desired, enforced: r.enforced, note: r.note })),
      problems: [...i.problems.filter((p) => !p.siteKey).map((p) => p.message), ...unknownRuleProblems(i.findings.filter((f) => f.side === "desired" && !i.sites.some((s) => s.siteKey === f.siteKey)), pack)],
      compliance: complianceOf(i, exemptStatusOf),
      sites: declaredHere.map((s) => s.id),
      unmanaged: unmanagedHere.map((s) => s.id),
    });
    sites.push(...declaredHere);
    unmanagedSites.push(...unmanagedHere);
  }

  const all = [...sites, ...unmanagedSites];
  const paths = pagePaths(all.map((s) => ({ instanceId: s.instanceId, siteKey: s.siteKey, productId: s.productId })));
  all.forEach((s, n) => (s.page = paths[n]));

  const verdicts = Object.fromEntries(SITE_VERDICTS.map((v) => [v, sites.filter((s) => s.verdict === v).length]));
  const report: EvidenceReport = {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    kind: "exempt-evidence",
    generatedAt: input.generatedAt,
    today: input.today,
    exemptVersion: run.exemptVersion,
    pack: { name: pack.name, version: pack.version },
    jurisdiction: "FR",
    configFile: run.configFile,
    scope: input.scope && (input.scope.instance || input.scope.site) ? input.scope : undefined,
    summary: {
      headline: headline(sites, instances),
      sites: sites.length,
      verdicts,
      unmanagedSites: unmanagedSites.length,
      instances: instances.length,
      instancesUnread: instances.filter((i) => i.error).length,
      notChecked: sites.reduce((n, s) => n + (s.counts["not-checked"] ?? 0), 0),
    },
    attention: attentionOf(sites, instances),
    legend: EVIDENCE_STATUSES.map((status) => ({ status, label: STATUS_WORDS[status].label, meaning: STATUS_WORDS[status].meaning, proof: STATUS_WORDS[status].proof })),
    instances,
    sites: all,
  };
  return redactDeep(report);
}

/** An instance's findings by site key and side, grouped once (a fleet has thousands of them). */
function groupFindings(i: InstanceReport): (siteKey: string) => { live: ReportFinding[]; desired: ReportFinding[] } {
  const bySite = new Map<string, { live: ReportFinding[]; desired: ReportFinding[] }>();
  for (const f of i.findings) {
    const key = f.siteKey ?? "";
    const entry = bySite.get(key) ?? { live: [], desired: [] };
    entry[f.side].push(f);
    bySite.set(key, entry);
  }
  return (siteKey) => bySite.get(siteKey) ?? { live: [], desired: [] };
}

/** Suppressions and attestations naming no rule of the pack: they silence nothing, and the DPO should know. */
function unknownRuleProblems(desired: ReportFinding[], pack: RulePack): string[] {
  const known = new Set(pack.entries.map((e) => e.rule.id));
  return [...new Set(desired.filter((f) => !known.has(f.ruleId) && f.status === "fail").map((f) => `${f.ruleId}: ${f.message}`))];
}

type SiteDraft = Omit<SiteEvidence, "page" | "verdict" | "verdictLabel" | "counts">;

function siteEvidence(draft: SiteDraft): SiteEvidence {
  const counts: Record<string, number> = {};
  for (const r of draft.rules) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const verdict = verdictOf(
    draft.rules.map((r) => r.status),
    draft.read,
  );
  return { ...draft, page: "", verdict, verdictLabel: VERDICT_WORDS[verdict].label, counts };
}

function headline(sites: SiteEvidence[], instances: InstanceEvidence[]): string {
  if (sites.length === 0) return "No declared site in this report.";
  const n = (v: string) => sites.filter((s) => s.verdict === v).length;
  const parts: string[] = [];
  if (n("violated")) parts.push(`${n("violated")} violate${n("violated") === 1 ? "s" : ""} a rule`);
  if (n("evidence-missing")) parts.push(`${n("evidence-missing")} lack${n("evidence-missing") === 1 ? "s" : ""} evidence (attestation missing or setting not observable)`);
  if (n("rests-on-trust")) parts.push(`${n("rests-on-trust")} rest${n("rests-on-trust") === 1 ? "s" : ""} on attestations, suppressions or unobservable settings`);
  if (n("verified")) parts.push(`${n("verified")} ${n("verified") === 1 ? "is" : "are"} verified live`);
  if (n("not-read")) parts.push(`${n("not-read")} could not be read`);
  const unread = instances.filter((i) => i.error).length;
  return `Of ${sites.length} declared site${sites.length === 1 ? "" : "s"}: ${parts.join("; ")}.${unread ? ` ${unread} instance${unread === 1 ? "" : "s"} could not be read.` : ""}`;
}

function attentionOf(sites: SiteEvidence[], instances: InstanceEvidence[]): EvidenceReport["attention"] {
  const toConfirm = new Map<string, { ruleId: string; title: string; sites: string[] }>();
  for (const s of sites)
    for (const r of s.rules.filter((x) => x.status === "to-confirm")) {
      const entry = toConfirm.get(r.ruleId) ?? { ruleId: r.ruleId, title: r.title, sites: [] };
      entry.sites.push(s.id);
      toConfirm.set(r.ruleId, entry);
    }
  return {
    violations: sites.flatMap((s) => s.rules.filter((r) => r.status === "violated").map((r) => ({ site: s.id, ruleId: r.ruleId, detail: r.detail }))),
    toConfirm: [...toConfirm.values()],
    notObservable: sites.flatMap((s) => s.rules.filter((r) => r.status === "not-observable").map((r) => ({ site: s.id, ruleId: r.ruleId, detail: r.detail }))),
    disagreements: instances.flatMap((i) => i.compliance.requirements.filter((r) => r.agreement === "disagree").map((r) => ({ instanceId: i.instanceId, requirement: r.name, explanation: r.explanation }))),
    unread: sites.filter((s) => !s.read).map((s) => ({ site: s.id, detail: s.readNote ?? "not read" })),
  };
}

/** Every string of the model through `redactSecrets` (keys included: a secret can be a map key). */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactSecrets(k)] = redactDeep(v);
    return out as T;
  }
  return value;
}
