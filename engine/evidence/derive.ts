import type { PackEntry } from "../../policies/pack";
import type { Product } from "../../policies/types";
import type { ReportFinding } from "../report-schema";
import { showValue } from "../render/values";
import type { RuleEvidence, RulePart } from "./schema";
import { EvidenceStatus, PRODUCT_NAMES, STATUS_WORDS, weakest } from "./vocabulary";

/**
 * From the findings of one site to one status per rule. The live side decides wherever it has a
 * finding: evidence is about the actual configuration. The declaration speaks where the live side
 * is silent: what Exempt writes but cannot read back is the declared value, so a declared breach
 * stays a breach; a declared pass is never more than "enforced" or "declared".
 */

export interface SiteFindings {
  product: Product;
  /** Empty when the site was not read live: the declaration then speaks alone. */
  live: ReportFinding[];
  desired: ReportFinding[];
  /** Declared values of the settings the API cannot read back (`privacy.ipMaskBytes` → 2). */
  enforcedValues: Record<string, unknown>;
}

export function deriveRules(entries: readonly PackEntry[], site: SiteFindings): RuleEvidence[] {
  return entries.map((entry) => deriveRule(entry, site));
}

export function deriveRule(entry: PackEntry, site: SiteFindings): RuleEvidence {
  const { rule } = entry;
  const live = site.live.filter((f) => f.ruleId === rule.id);
  const desired = site.desired.filter((f) => f.ruleId === rule.id);
  const declaredBreach = worstDesiredBreach(desired);

  let parts: RulePart[];
  if (live.length) parts = live.map((f) => livePart(f, declaredBreach));
  else if (desired.length) parts = desired.map((f) => ({ ...partOf(f), status: desiredStatus(f) }));
  else parts = [{ status: "not-applicable", side: "desired", message: `${rule.title} (no finding on this site)` }];

  const status = weakest(parts.map((p) => p.status));
  const deciding = parts.find((p) => p.status === status)!;
  const source = [...live, ...desired].find((f) => sameFinding(f, deciding)) ?? live[0] ?? desired[0];
  const level = (live[0] ?? desired[0])?.level ?? entry.level;
  const declared = deciding.side === "live" && deciding.field ? declaredValue(deciding.field, desired, site.enforcedValues) : undefined;

  const evidence: RuleEvidence = {
    ruleId: rule.id,
    title: rule.title,
    source: rule.source,
    sourceUrl: rule.sourceUrl,
    level,
    verification: rule.verification[site.product],
    status,
    label: STATUS_WORDS[status].label,
    detail: "",
    evidence: deciding.evidence,
    field: deciding.field,
    found: deciding.found,
    required: deciding.expected,
    declared,
    suppression: source?.status === "suppressed" ? source.suppression : undefined,
    attestation: source?.status === "attested" ? source.attestation : undefined,
    parts,
  };
  evidence.detail = detailOf(evidence, deciding, site);
  return evidence;
}

function partOf(f: ReportFinding): Omit<RulePart, "status"> {
  return { side: f.side, message: f.message, field: f.field, found: f.found, expected: f.expected, evidence: f.evidence };
}

function sameFinding(f: ReportFinding, p: RulePart): boolean {
  return f.side === p.side && f.message === p.message && f.field === p.field;
}

/** A declared breach (or accepted deviation) of the rule, which the live side may be unable to see. */
function worstDesiredBreach(desired: ReportFinding[]): ReportFinding | undefined {
  return desired.find((f) => f.status === "fail" && f.level !== "info") ?? desired.find((f) => f.status === "suppressed") ?? desired.find((f) => f.status === "fail");
}

function failStatus(f: ReportFinding): EvidenceStatus {
  return f.level === "info" ? "recommendation-not-followed" : "violated";
}

function livePart(f: ReportFinding, declaredBreach: ReportFinding | undefined): RulePart {
  const base = partOf(f);
  switch (f.status) {
    case "pass":
      return { ...base, status: f.evidence === "database" ? "observed-database" : "verified-live" };
    case "fail":
      return { ...base, status: failStatus(f) };
    case "suppressed":
      return { ...base, status: "suppressed" };
    case "attested":
      return { ...base, status: "attested" };
    case "to-confirm":
      return { ...base, status: "to-confirm" };
    case "not-applicable":
      return { ...base, status: "not-applicable" };
    case "not-observable":
    case "not-checked": {
      // What cannot be seen live is what was declared (and, where enforced, written): a declared
      // breach is reported as such, with the declaration as its evidence.
      if (declaredBreach) return { ...partOf(declaredBreach), status: declaredBreach.status === "suppressed" ? "suppressed" : failStatus(declaredBreach) };
      if (f.status === "not-checked") return { ...base, status: "not-checked" };
      return { ...base, status: f.enforcedOnApply ? "enforced-not-observable" : "not-observable" };
    }
  }
}

function desiredStatus(f: ReportFinding): EvidenceStatus {
  switch (f.status) {
    case "pass":
      return "declared-only";
    case "fail":
      return failStatus(f);
    case "suppressed":
      return "suppressed";
    case "attested":
      return "attested";
    case "to-confirm":
      return "to-confirm";
    case "not-applicable":
      return "not-applicable";
    case "not-checked":
      return "not-checked";
    case "not-observable":
      return "declared-only";
  }
}

function declaredValue(field: string, desired: ReportFinding[], enforced: Record<string, unknown>): unknown {
  if (field in enforced) return enforced[field];
  return desired.find((f) => f.field === field && f.found !== undefined)?.found;
}

const show = (v: unknown) => showValue(v, 120);

/** A finding's message without the rule's title in front (the report shows the title beside it). */
function tail(message: string, title: string): string {
  if (message === title) return "";
  if (message.startsWith(`${title}: `)) return message.slice(title.length + 2);
  if (message.startsWith(`${title} (`) && message.endsWith(")")) return message.slice(title.length + 2, -1);
  return message;
}

function detailOf(r: RuleEvidence, part: RulePart, site: SiteFindings): string {
  const why = tail(part.message, r.title);
  const product = PRODUCT_NAMES[site.product] ?? site.product;
  const field = part.field ? part.field.replace(/^site\./, "") : undefined;
  const required = r.required ? `; required: ${r.required}` : "";
  switch (r.status) {
    case "verified-live":
      return part.found !== undefined
        ? `read through the ${product} API${field ? ` (${field})` : ""}: ${show(part.found)}${required}${why ? ` (${why})` : ""}`
        : `checked on what the ${product} API returned${why ? `: ${why}` : ""}`;
    case "observed-database":
      return `read from ${product}'s database by the observer${field ? ` (${field})` : ""}: ${show(part.found)}${required}`;
    case "enforced-not-observable":
      return `${product}'s API cannot read ${field ?? "this setting"}; Exempt writes the declared value${r.declared !== undefined ? ` ${show(r.declared)}` : ""} on every apply, and cannot see whether it was changed since`;
    case "not-observable":
      return `${product}'s API cannot read ${field ?? "this setting"}, and Exempt does not write it${why ? `: ${why}` : ""}`;
    case "attested":
      return r.attestation ? `attested by ${r.attestation.by} on ${r.attestation.at}, valid until ${r.attestation.until}${r.attestation.note ? ` (${r.attestation.note})` : ""}` : part.message;
    case "to-confirm": {
      // The runner's message is "<what>: to be confirmed by a person (why)"; the badge already says the middle.
      const m = /^(.*): to be confirmed by a person(?: \((.*)\))?$/.exec(part.message);
      if (!m) return part.message;
      const what = m[1] !== r.title ? `${m[1]}; ` : "";
      return `${what}${m[2] ?? "no attestation is declared"}`;
    }
    case "suppressed": {
      const s = r.suppression;
      const what = part.found !== undefined ? `found ${show(part.found)}${required}. ` : "";
      return s ? `${what}Accepted by ${s.owner}: ${s.reason} (${s.expires ? `expires ${s.expires}` : "no expiry"}; declared on the ${s.on})` : `${what}${part.message}`;
    }
    case "violated":
    case "recommendation-not-followed": {
      const where = part.side === "desired" ? "declared" : "found";
      return `${where}: ${show(part.found)}${required}${why && !why.startsWith("found ") ? ` (${why})` : ""}`;
    }
    case "not-checked": {
      const reason = why.replace(/^not checked \((.*)\)$/, "$1");
      if (r.verification === "S" && !/live page/.test(reason)) return `only the live web page shows it (tracker snippet, cookies), which Exempt does not check yet${reason ? ` (${reason})` : ""}`;
      return reason || "not checked yet";
    }
    case "declared-only":
      return `declared${part.found !== undefined ? ` ${show(part.found)}` : ""}${required}; not verified on the live instance`;
    case "not-applicable":
      return why || "not applicable";
  }
}
