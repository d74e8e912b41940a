import type { Attestation, Suppression } from "../model/common";
import { entriesFor, findEntry, PackEntry, RulePack } from "./pack";
import type { Evidence, Finding, Level, RuleContext, Subject, UnknownField, Verdict } from "./types";

/**
 * Runs a pack over subjects. Pure: no clock (today comes in the context), no I/O. Every rule gives
 * a finding for every subject it applies to, so reports can show passes, suppressions,
 * attestations and unobservable settings side by side with the failures.
 */
export function evaluatePack(pack: RulePack, subjects: readonly Subject[], context: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const subject of subjects) {
    for (const entry of entriesFor(pack, subject.data.product)) findings.push(...judge(entry, subject, context));
    findings.push(...checkSuppressionsAndAttestations(pack, subject));
  }
  return findings;
}

const ATTESTATION_DEFAULT_MONTHS = 12;

function levelFor(entry: PackEntry, subject: Subject, verdictLevel?: Level): Level {
  const level = verdictLevel ?? entry.level;
  if (subject.mode === "consent" && !entry.appliesInConsentMode && level !== "attestation") return "info";
  // Nobody declared an unmanaged site exempt: its breaches are reported for the first PR that adopts
  // it, but they cannot fail a run that is about the declared sites.
  if (subject.unmanaged && level === "error") return "warning";
  return level;
}

function judge(entry: PackEntry, subject: Subject, context: RuleContext): Finding[] {
  const { rule } = entry;
  const product = subject.data.product;
  const base = (level: Level): Omit<Finding, "status" | "message"> => ({
    ruleId: rule.id,
    level,
    side: subject.side,
    product,
    instanceId: subject.instanceId,
    siteKey: subject.siteKey,
    productId: subject.productId,
    mode: subject.mode,
    title: rule.title,
    source: rule.source,
    sourceUrl: rule.sourceUrl,
  });

  if (!rule.check) {
    // Conditions only a person can confirm, or only the live page shows.
    if (entry.level === "attestation") return [attestationFinding(base("attestation"), rule.id, subject, context)];
    return [{ ...base(levelFor(entry, subject)), status: "not-checked", message: `${rule.title} (needs the live page: not checked yet)` }];
  }

  const reads = rule.reads[product] ?? [];
  const missing = reads.map((r) => unknownAt(subject, r)).filter((m): m is [string, UnknownField] => m !== undefined);
  if (missing.length) {
    const [field, why] = missing[0];
    const status = why!.why === "not-observable" ? "not-observable" : "not-checked";
    const enforced = missing.every(([, u]) => u!.enforcedOnApply);
    const message =
      status === "not-observable"
        ? `${rule.title}: ${field} cannot be read through the ${product === "matomo" ? "Matomo" : "Piwik PRO"} API (${enforced ? "enforced on every apply" : "not enforced"})${why!.note ? `; ${why!.note}` : ""}`
        : `${rule.title}: not checked (${why!.note ?? `${field} is not read`})`;
    return [{ ...base(levelFor(entry, subject)), status, field, message, enforcedOnApply: enforced, path: pathOf(subject, field) }];
  }

  const raw = rule.check(subject, context);
  const verdicts = Array.isArray(raw) ? raw : [raw];
  return verdicts.map((v) => {
    if (v.status === "needs-attestation") return { ...attestationFinding(base("attestation"), rule.id, subject, context, v.message), field: v.field };
    return toFinding(entry, subject, v, base(levelFor(entry, subject, v.level)), context, evidenceOf(subject, reads));
  });
}

/**
 * Whether a dotted path is unknown on this side, and under which listed path. A path counts as
 * unknown when it, one of its parents (`site.features` covers `site.features.heatmaps`) or one of its
 * children (reading `site.tagManager` needs all of it) is listed, so a check is never given a value
 * the side could not read. `*` stands for any one segment, on either side: a rule reading
 * `site.tags.*.templateOptions` is stopped by `site.tags.live-7.templateOptions`, one reading
 * `site.tags.*.consentType` is not.
 */
export function unknownAt(subject: Subject, path: string): [string, UnknownField] | undefined {
  const exact = subject.unknown[path];
  if (exact) return [path, exact];
  for (const [listed, why] of Object.entries(subject.unknown)) if (pathsOverlap(path, listed)) return [listed, why];
  return undefined;
}

/** Two dotted paths overlap when one is the other or lies under it, `*` matching any one segment. */
export function pathsOverlap(a: string, b: string): boolean {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i] && x[i] !== "*" && y[i] !== "*") return false;
  return true;
}

function evidenceOf(subject: Subject, reads: string[]): Evidence {
  // The weakest link names the evidence: one database reading makes the finding "observed through the database".
  for (const r of reads) if (subject.fieldEvidence[r] === "database") return "database";
  return subject.evidence;
}

function toFinding(entry: PackEntry, subject: Subject, verdict: Verdict, base: Omit<Finding, "status" | "message">, context: RuleContext, evidence: Evidence): Finding {
  const common = { ...base, field: verdict.field, found: verdict.found, expected: verdict.expected, evidence, path: verdict.field ? pathOf(subject, verdict.field) : undefined };
  if (verdict.status === "pass") return { ...common, status: "pass", message: verdict.message ?? entry.rule.title };
  if (verdict.status === "not-applicable") return { ...common, status: "not-applicable", message: verdict.message ?? `${entry.rule.title} (not applicable)` };
  if (verdict.status === "not-checked") return { ...common, status: "not-checked", message: verdict.message ?? `${entry.rule.title} (needs the live page: not checked yet)` };
  if (verdict.status === "not-observable") {
    const unknown = verdict.field ? unknownAt(subject, verdict.field)?.[1] : undefined;
    return { ...common, status: "not-observable", enforcedOnApply: unknown?.enforcedOnApply ?? false, message: verdict.message ?? `${entry.rule.title}: ${verdict.field} cannot be read on this side` };
  }

  const message = verdict.message ?? `${entry.rule.title}: found ${show(verdict.found)}${verdict.expected ? `, expected ${verdict.expected}` : ""}`;
  const suppression = findSuppression(entry, subject);
  if (!suppression) return { ...common, status: "fail", message };
  const on = suppression.on;
  const s = suppression.suppression;
  if (subject.mode === "exempt" && !entry.suppressibleWhenExempt)
    return { ...common, status: "fail", message: `${message}. ${entry.rule.id} is a core condition of the exemption and cannot be suppressed on an exempt site: fix it, or declare the site \`mode: consent\`` };
  if (s.expires && s.expires < context.today)
    return { ...common, status: "fail", message: `${message} (the suppression by ${s.owner} expired on ${s.expires})` };
  return { ...common, status: "suppressed", message, suppression: { reason: s.reason, owner: s.owner, expires: s.expires, on } };
}

function findSuppression(entry: PackEntry, subject: Subject): { suppression: Suppression; on: "site" | "instance" } | undefined {
  const site = subject.suppressions.site.find((s) => s.rule === entry.rule.id);
  if (site) return { suppression: site, on: "site" };
  if (entry.rule.scope !== "instance") return undefined;
  const instance = subject.suppressions.instance.find((s) => s.rule === entry.rule.id);
  return instance ? { suppression: instance, on: "instance" } : undefined;
}

function attestationFinding(base: Omit<Finding, "status" | "message">, ruleId: string, subject: Subject, context: RuleContext, what = base.title): Finding {
  const candidates = subject.attestations.filter((a) => a.rule === ruleId);
  const valid = candidates.map((a) => ({ a, until: attestationUntil(a) })).filter(({ a, until }) => a.at <= context.today && until >= context.today);
  if (valid.length) {
    const { a, until } = valid.sort((x, y) => (x.until < y.until ? 1 : -1))[0];
    return { ...base, status: "attested", message: `${what} (attested by ${a.by} on ${a.at}, valid until ${until})`, attestation: { by: a.by, at: a.at, until, note: a.note } };
  }
  const expired = candidates.map((a) => ({ a, until: attestationUntil(a) })).sort((x, y) => (x.until < y.until ? 1 : -1))[0];
  const why = expired ? ` (the attestation by ${expired.a.by} ${expired.until < context.today ? `expired on ${expired.until}` : `starts on ${expired.a.at}`})` : "";
  return { ...base, status: "to-confirm", message: `${what}: to be confirmed by a person${why}` };
}

export function attestationUntil(a: Attestation): string {
  if (a.until) return a.until;
  const d = new Date(`${a.at}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + ATTESTATION_DEFAULT_MONTHS);
  return d.toISOString().slice(0, 10);
}

/** Suppressions and attestations that name no rule of the pack are errors: a typo must not silence anything. */
function checkSuppressionsAndAttestations(pack: RulePack, subject: Subject): Finding[] {
  if (subject.side !== "desired") return [];
  const out: Finding[] = [];
  const base = {
    level: "error" as Level,
    side: subject.side,
    product: subject.data.product,
    instanceId: subject.instanceId,
    siteKey: subject.siteKey,
    mode: subject.mode,
    source: "Exempt",
    sourceUrl: "",
    status: "fail" as const,
  };
  const check = (ruleId: string, what: string, path: string, onInstance: boolean) => {
    const entry = findEntry(pack, ruleId);
    if (!entry) out.push({ ...base, ruleId: "EXEMPT-UNKNOWN-RULE", title: `${what} names an unknown rule`, path, message: `${what} names ${ruleId}, which is not a rule of ${pack.name} (see the rule table in the README)` });
    else if (onInstance && what === "a suppression" && entry.rule.scope !== "instance")
      out.push({ ...base, ruleId: "EXEMPT-SUPPRESSION-SCOPE", title: "suppression of a site rule on an instance", path, message: `${ruleId} judges each site: suppress it on the site it excuses, not on the instance` });
  };
  // Instance-level entries are checked once, with the instance's first site, so they are not reported per site.
  const first = subject.instanceSites[0]?.key === subject.siteKey;
  subject.suppressions.site.forEach((s, i) => check(s.rule, "a suppression", `instances.${subject.instanceId}.sites.${subject.siteKey}.suppressions[${i}]`, false));
  if (first) subject.suppressions.instance.forEach((s, i) => check(s.rule, "a suppression", `instances.${subject.instanceId}.suppressions[${i}]`, true));
  // The subject merges instance and site attestations; instance ones come first (subjects.ts).
  const instanceAttestations = subject.attestationsOnInstance ?? 0;
  subject.attestations.forEach((a, i) => {
    const onInstance = i < instanceAttestations;
    if (onInstance && !first) return;
    const path = onInstance ? `instances.${subject.instanceId}.attestations[${i}]` : `instances.${subject.instanceId}.sites.${subject.siteKey}.attestations[${i - instanceAttestations}]`;
    check(a.rule, "an attestation", path, onInstance);
  });
  return out;
}

/** The document path of a field of a subject: site fields under the site, the rest under the instance. */
export function pathOf(subject: Subject, field: string): string {
  if (field.startsWith("site.")) return `instances.${subject.instanceId}.sites.${subject.siteKey}.${field.slice(5)}`;
  return `instances.${subject.instanceId}.${field}`;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string") return JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

export function isBlocking(f: Finding, strict = false): boolean {
  return f.status === "fail" && (f.level === "error" || (strict && f.level === "warning"));
}
