import type { Config, Instance } from "../model/config";
import type { SourceLocation } from "../model/errors";
import { redactSecrets } from "../model/secrets";
import { CnilPack, createPackMemo, desiredSubjects, evaluatePack, isBlocking, type PackMemo } from "../policies";
import type { Finding, Subject } from "../policies/types";
import { EXEMPT_VERSION } from "../cli/version";
import { backendFactoryFor } from "./backends";
import { liveSubjects } from "./live-subjects";
import { withObservedPrivacy } from "./observe";
import { acquireInstanceLock } from "./lock";
import { pendingChanges, planInstance } from "./plan";
import { REPORT_SCHEMA_VERSION, InstanceReport, ReportFinding, RunReport, SiteReport } from "./report-schema";
import type { ApplyOutcome, BackendFactory, BackendOptions, InstancePlan, LiveInstance } from "./types";

export type Command = "plan" | "apply" | "drift";

export interface RunOptions {
  command: Command;
  /**
   * Keep every finding of every site in the report (JSON and evidence need them). Without, passes
   * are only counted and the statuses that do not change per site are kept once per rule: a
   * 10,000-site fleet has hundreds of thousands of findings.
   * @default true
   */
  keepPasses?: boolean;
  /** Site deletion (declared `remove: true`, protection off) and revocation of undeclared access. */
  prune: boolean;
  strict: boolean;
  only?: { instance?: string; site?: string };
  env: NodeJS.ProcessEnv;
  allowInsecureHttp: boolean;
  client?: { timeoutMs?: number; retries?: number; concurrency?: number };
  log: (message: string) => void;
  /** YYYY-MM-DD, for suppression and attestation expiries. */
  today: string;
  configFile?: string;
  sourceMap?: Record<string, SourceLocation>;
  /** How long an apply waits for another apply on the same instance. */
  lockWaitMs?: number;
  /** Tests and the benchmark may give their own backend factories. */
  backendFactory?: (kind: Instance["kind"]) => BackendFactory;
}

/**
 * The level-triggered loop of the controller: read everything, diff, judge, and for `apply` write
 * what differs, read again and verify. One failing instance or site never stops the others.
 */
export async function runCommand(config: Config, options: RunOptions): Promise<RunReport> {
  const instances: InstanceReport[] = [];
  for (const [instanceId, instance] of Object.entries(config.instances)) {
    if (options.only?.instance && options.only.instance !== instanceId) continue;
    instances.push(await runInstance(config, instanceId, instance, options));
  }
  return summarise(instances, options);
}

async function runInstance(config: Config, instanceId: string, instance: Instance, options: RunOptions): Promise<InstanceReport> {
  const onlySite = options.only?.site;
  // One memo for both sides: a site's desired and live findings share their paths and messages.
  const memo = createPackMemo();
  const declared = desiredSubjects(config, { instance: instanceId, site: onlySite });
  const tally = passTally(options.keepPasses ?? true);
  let desiredFindings: Finding[] | undefined;
  // A failure of the pack itself (a bug) stops the run, as it always has; only the backend's are the instance's.
  let packFailure: unknown;
  const judgeDeclaration = async (whileReading: boolean): Promise<Finding[]> => {
    try {
      return (desiredFindings ??= await judgeInSlices(declared, options.today, memo, tally, whileReading));
    } catch (err) {
      packFailure = err;
      throw err;
    }
  };
  const report: InstanceReport = {
    instanceId,
    product: instance.kind,
    url: instance.url,
    sites: [],
    instanceChanges: [],
    reassert: [],
    unmanaged: [],
    problems: [],
    findings: [],
    passed: 0,
    notes: [],
    traffic: { requests: 0, bytesSent: 0, bytesReceived: 0 },
  };
  let backend;
  try {
    const factory = (options.backendFactory ?? backendFactoryFor)(instance.kind);
    const backendOptions: BackendOptions = {
      env: options.env,
      allowInsecureHttp: options.allowInsecureHttp,
      ...options.client,
      log: (m) => options.log(`[${instanceId}] ${m}`),
      onlySites: onlySite ? [onlySite] : undefined,
    };
    backend = factory(instanceId, instance, backendOptions);
    options.log(`[${instanceId}] reading ${instance.url}`);
    const readLive = async () =>
      withObservedPrivacy(instanceId, instance, await backend!.read(), { env: options.env, log: backendOptions.log, onFailure: options.command === "apply" ? "report" : "fail" });
    // The declaration is judged while the instance answers: a read is mostly waiting on the network.
    const reading = readLive();
    reading.catch(() => undefined); // awaited just below; this only keeps an early failure from counting as unhandled meanwhile
    const desired = await judgeDeclaration(true);
    report.findings = locate(desired, options.sourceMap);
    let live = await reading;
    let plan = planInstance(instanceId, instance, live, { prune: options.prune, onlySite });

    if (options.command === "apply") {
      const refusal = desired.filter((f) => isBlocking(f, false));
      if (refusal.length) throw new Error(`the declaration breaks ${refusal.length} rule${refusal.length === 1 ? "" : "s"} of the CNIL pack (${[...new Set(refusal.map((f) => f.ruleId))].join(", ")}): nothing was written; run \`exempt check\``);
      const lock = await acquireInstanceLock(instance.url, { waitMs: options.lockWaitMs ?? 120_000, onWait: (h) => options.log(`[${instanceId}] waiting for another apply (${h})`) });
      let outcome: ApplyOutcome;
      try {
        outcome = await applyPlan(backend, plan, live, options);
        // Observe again and judge what was observed, not what was sent.
        live = await readLive();
      } finally {
        lock.release();
      }
      const after = planInstance(instanceId, instance, live, { prune: options.prune, onlySite });
      verify(plan, after, outcome);
      fillReport(report, plan, live, outcome);
      plan = after;
      report.findings = locate([...desired, ...(await judgeInSlices(liveSubjects(instance, after, live), options.today, memo, tally, false))], options.sourceMap);
    } else {
      fillReport(report, plan, live);
      report.findings = locate([...desired, ...(await judgeInSlices(liveSubjects(instance, plan, live), options.today, memo, tally, false))], options.sourceMap);
    }
  } catch (err) {
    if (packFailure !== undefined) throw packFailure;
    report.error = redactSecrets(errorText(err));
    // Failed before the declaration was judged (no backend, no read): judge it now, for the report.
    if (desiredFindings === undefined) report.findings = locate(await judgeDeclaration(false), options.sourceMap);
  } finally {
    if (backend) report.traffic = { ...backend.traffic };
    report.passed = tally.passed;
  }
  return report;
}

/** Subjects judged per slice; between slices the event loop serves the read's network traffic. */
const JUDGING_SLICE = 64;

/**
 * evaluatePack over consecutive slices of the subjects: the same findings in the same order, with
 * pauses for I/O. Passes are counted into `tally` and, unless kept, dropped slice by slice, so a
 * large fleet never holds them all.
 */
async function judgeInSlices(subjects: Subject[], today: string, memo: PackMemo, tally: PassTally, pause = true): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (let i = 0; i < subjects.length; i += JUDGING_SLICE) {
    if (pause && i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (const f of evaluatePack(CnilPack, subjects.slice(i, i + JUDGING_SLICE), { today }, memo)) if (tally.keep(f)) findings.push(f);
  }
  return findings;
}

/** Counts the passes of one instance; says whether a finding stays in the report. */
interface PassTally {
  passed: number;
  keep(f: Finding): boolean;
}

/**
 * Without `keepPasses` (every format but JSON), a report keeps each violation and suppression per
 * site, and of the other statuses (to confirm, attested, not observable, not checked) one finding
 * per rule, side and status: those renderings name the rule once, whatever the number of sites.
 */
function passTally(keepPasses: boolean): PassTally {
  const seen = new Set<string>();
  const tally: PassTally = {
    passed: 0,
    keep(f) {
      if (f.status === "pass") tally.passed++;
      if (keepPasses || f.status === "fail" || f.status === "suppressed") return true;
      if (f.status === "pass" || f.status === "not-applicable") return false;
      const key = `${f.side}|${f.status}|${f.ruleId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  };
  return tally;
}

async function applyPlan(backend: { apply: (p: InstancePlan, l: LiveInstance, o: { prune: boolean }) => Promise<ApplyOutcome> }, plan: InstancePlan, live: LiveInstance, options: RunOptions): Promise<ApplyOutcome> {
  const work = pendingChanges(plan) + plan.reassert.filter((r) => r.enforced).length + plan.sites.filter((s) => s.operation === "delete").length;
  options.log(`[${plan.instanceId}] applying ${pendingChanges(plan)} change(s) and re-asserting ${plan.reassert.filter((r) => r.enforced).length} setting(s) the API cannot read`);
  if (work === 0) return { sites: [], instance: { ok: true, wrote: [] } };
  // Sites with an identity problem are not touched at all.
  const blockedSites = new Set(plan.problems.filter((p) => p.siteKey).map((p) => p.siteKey));
  const runnable: InstancePlan = { ...plan, sites: plan.sites.filter((s) => !blockedSites.has(s.siteKey)) };
  return backend.apply(runnable, live, { prune: options.prune });
}

/** A write the product accepted but did not keep (Matomo stores nonsense silently) is caught here. */
function verify(before: InstancePlan, after: InstancePlan, outcome: ApplyOutcome): void {
  const afterSites = firstByKey(after.sites);
  const beforeSites = firstByKey(before.sites);
  for (const site of outcome.sites) {
    if (!site.ok) continue;
    const remaining = afterSites.get(site.siteKey)?.changes.filter((c) => !c.blockedBy) ?? [];
    const wanted = beforeSites.get(site.siteKey);
    if (remaining.length && wanted && wanted.operation !== "delete") {
      site.ok = false;
      site.error = `written but not kept: ${remaining.map((c) => `${c.field} is ${JSON.stringify(c.live)} after writing ${JSON.stringify(c.desired)}`).join("; ")}`;
    }
  }
  if (outcome.instance.ok && after.instanceChanges.length) {
    outcome.instance.ok = false;
    outcome.instance.error = `written but not kept: ${after.instanceChanges.map((c) => `${c.field} is ${JSON.stringify(c.live)}`).join("; ")}`;
  }
}

/** The first item of each site key: a lookup per site instead of a search per site (O(n²) on a fleet). */
function firstByKey<T extends { siteKey: string }>(items: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(item.siteKey)) map.set(item.siteKey, item);
  return map;
}

function fillReport(report: InstanceReport, plan: InstancePlan, live: LiveInstance, outcome?: ApplyOutcome): void {
  report.version = live.version;
  report.readAt = live.readAt;
  report.notes = [...live.notes];
  report.compliance = live.compliance;
  report.instanceChanges = plan.instanceChanges;
  report.reassert = plan.reassert;
  report.problems = plan.problems;
  report.unmanaged = plan.unmanaged.map((s) => ({ productId: s.productId, name: s.name, urls: s.urls }));
  const outcomes = outcome ? firstByKey(outcome.sites) : undefined;
  report.sites = plan.sites.map((s): SiteReport => {
    const o = outcomes?.get(s.siteKey);
    return {
      siteKey: s.siteKey,
      productId: o?.productId ?? s.productId,
      name: s.desired.name,
      operation: s.operation,
      changes: s.changes,
      blockedBy: s.blockedBy,
      outcome: outcome ? (o ? { ok: o.ok, wrote: o.wrote, error: o.error } : { ok: !plan.problems.some((p) => p.siteKey === s.siteKey), wrote: [], error: plan.problems.find((p) => p.siteKey === s.siteKey)?.message }) : undefined,
    };
  });
  if (outcome && !outcome.instance.ok) report.error = outcome.instance.error ?? "instance-wide settings could not be applied";
  if (outcome && outcome.instance.wrote.length) report.notes.push(`instance-wide writes: ${outcome.instance.wrote.join(", ")}`);
}

/**
 * Adds each finding's place in the file. In place, not by copying: a fleet has hundreds of
 * thousands of findings, each fresh from this run's pack evaluation, and copies of all of them
 * were a good part of a plan's time and memory. Locating again gives the same location.
 */
function locate(findings: Finding[], sourceMap?: Record<string, SourceLocation>): ReportFinding[] {
  // Findings share their path strings (the pack's memo), so a lookup by path is cheap and most hit.
  const located = new Map<string, SourceLocation | undefined>();
  let lines: Map<string, SourceLocation> | undefined;
  for (const f of findings) {
    let location: SourceLocation | undefined;
    // An unmanaged live site has no line in the file.
    if (sourceMap && f.path && !f.siteKey?.startsWith("#")) {
      location = located.get(f.path);
      if (location === undefined && !located.has(f.path)) located.set(f.path, (location = nearestLocated((lines ??= linesOf(sourceMap)), f.path)));
    }
    (f as ReportFinding).location = location;
  }
  return findings as ReportFinding[];
}

const sourceLines = new WeakMap<Record<string, SourceLocation>, Map<string, SourceLocation>>();

/** The source map as a Map, made once per source map (a run locates findings twice). */
function linesOf(sourceMap: Record<string, SourceLocation>): Map<string, SourceLocation> {
  let lines = sourceLines.get(sourceMap);
  if (!lines) sourceLines.set(sourceMap, (lines = new Map(Object.entries(sourceMap))));
  return lines;
}

/** locateFinding's walk up a path (`a.b[0].c`, `a.b[0]`, `a.b`, `a`) on a Map of the source map: lookups by string without interning each candidate. */
function nearestLocated(lines: Map<string, SourceLocation>, pathText: string): SourceLocation | undefined {
  let p = pathText;
  while (p) {
    const at = lines.get(p);
    if (at) return at;
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return undefined;
}

function errorText(err: unknown): string {
  if (err && typeof err === "object" && typeof (err as { userMessage?: () => string }).userMessage === "function") return (err as { userMessage: () => string }).userMessage().replace(/^exempt: /, "");
  return err instanceof Error ? err.message : String(err);
}

export function summarise(instances: InstanceReport[], options: Pick<RunOptions, "command" | "strict" | "configFile">): RunReport {
  // One pass over the findings (a fleet has hundreds of thousands), counting what the summary says.
  let violations = 0;
  let warnings = 0;
  let toConfirm = 0;
  for (const i of instances) {
    // One per condition and instance: a person confirms a condition once, for every site it covers.
    const confirm = new Set<string>();
    for (const f of i.findings) {
      if (f.status === "fail") {
        if (isBlocking(f as Finding, options.strict)) violations++;
        if (f.level === "warning") warnings++;
      } else if (f.status === "to-confirm" && f.side === "desired") confirm.add(f.ruleId);
    }
    toConfirm += confirm.size;
  }
  const changes = instances.reduce((n, i) => n + i.instanceChanges.length + i.sites.reduce((m, s) => m + s.changes.filter((c) => !c.blockedBy).length, 0), 0);
  const blocked = instances.reduce((n, i) => n + i.sites.reduce((m, s) => m + s.changes.filter((c) => c.blockedBy).length + (s.blockedBy ? 1 : 0), 0), 0);
  const failedSites = instances.reduce((n, i) => n + i.sites.filter((s) => s.outcome && !s.outcome.ok).length, 0);
  const failed = instances.filter((i) => i.error).length + failedSites + instances.filter((i) => !i.error && options.command !== "apply" && i.problems.length).length;
  const exitCode = exitCodeFor(options.command, { failed, changes, blocked, violations, problems: instances.reduce((n, i) => n + i.problems.length, 0) });
  const summary = {
    instances: instances.length,
    sites: instances.reduce((n, i) => n + i.sites.length, 0),
    changes,
    blocked,
    violations,
    warnings,
    notObservable: instances.reduce((n, i) => n + i.reassert.length, 0),
    toConfirm,
    unmanaged: instances.reduce((n, i) => n + i.unmanaged.length, 0),
    failed,
    exitCode,
    verdict: "",
  };
  summary.verdict = verdictOf(options.command, summary);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    command: options.command,
    generatedAt: new Date().toISOString(),
    exemptVersion: EXEMPT_VERSION,
    configFile: options.configFile,
    strict: options.strict,
    summary,
    instances,
  };
}

/**
 * plan/drift: 0 nothing observable differs and no unsuppressed error, 1 error, 2 changes, drift or
 * violation (Terraform's -detailed-exitcode). apply: 0 applied and verified, 1 otherwise; never 2,
 * so `cdktf deploy` fails exactly when the apply did.
 */
export function exitCodeFor(command: Command, s: { failed: number; changes: number; blocked: number; violations: number; problems: number }): number {
  if (command === "apply") return s.failed > 0 ? 1 : 0;
  if (s.failed > 0) return 1;
  return s.changes + s.blocked + s.violations > 0 ? 2 : 0;
}

function verdictOf(command: Command, s: RunReport["summary"]): string {
  const parts: string[] = [];
  if (s.failed) parts.push(`${s.failed} failed`);
  if (command === "apply") parts.push(s.failed ? "apply incomplete" : s.changes ? `${s.changes} change(s) applied and verified` : "nothing to change");
  else if (s.changes || s.blocked) parts.push(`${s.changes + s.blocked} difference(s)`);
  else if (!s.failed) parts.push(command === "drift" ? "no drift" : "no changes");
  if (s.violations) parts.push(`${s.violations} violation(s) of the CNIL pack`);
  if (s.notObservable) parts.push(`${s.notObservable} setting(s) not observable through the API`);
  if (s.toConfirm) parts.push(`${s.toConfirm} condition(s) to confirm by a person`);
  if (s.unmanaged) parts.push(`${s.unmanaged} unmanaged site(s)`);
  return parts.join("; ");
}
