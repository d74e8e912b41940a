import type { InstanceReport } from "../report-schema";
import type { ComplianceRequirement, InstanceEvidence } from "./schema";
import { EvidenceStatus, PRODUCT_NAMES, STATUS_WORDS, weakest } from "./vocabulary";

/**
 * Matomo's own CNIL compliance mode (`PrivacyManager.getComplianceStatus`, cnil_v1), beside
 * Exempt's findings. Its answer is internal API, documented nowhere: the shape read here is the one
 * of matomo-org/matomo's PrivacyManager/API.php (`complianceModeEnforced`, `complianceRequirements`
 * of `{ name, value, notes }`), with the per-setting rows of the granular API (`id`, `status`)
 * accepted too. Anything else is shown as the product gave it, compared with nothing.
 */

/** Requirement names or ids → the rule of the pack (the cnil-rules.md mapping table). */
const REQUIREMENT_RULES: Array<[RegExp, string]> = [
  [/ip.?anonymi[sz]ation|ip.?address.?mask|ipanonymi/i, "CNIL-IP-MASK-2B"],
  [/retention|delete.?logs/i, "CNIL-RETENTION-25M"],
  [/visit(s|or)?.?log|visitor.?profile/i, "CNIL-AGGREGATE-ONLY"],
  [/e-?commerce/i, "CNIL-ECOMMERCE-OFF"],
  [/opt.?out/i, "CNIL-OPT-OUT"],
  [/third.?party/i, "CNIL-NO-THIRD-PARTY-COOKIE"],
  [/\bpii\b|personal/i, "CNIL-NO-PII-URL"],
  [/heatmap|session.?record/i, "CNIL-NO-HSR"],
  [/a\/?b.?test/i, "CNIL-NO-COHORTS"],
  [/advertis|marketing|campaign/i, "CNIL-NO-MARKETING"],
  [/screen|device|segment|rounding/i, "CNIL-DEVICE-MINIMISE"],
];

export function ruleForRequirement(nameOrId: string): string | undefined {
  return REQUIREMENT_RULES.find(([re]) => re.test(nameOrId))?.[1];
}

interface RawRequirement {
  name: string;
  status: string;
  notes?: string;
}

/** Reads the product's answer, whatever it is; undefined when there is nothing to compare. */
export function parseComplianceStatus(status: unknown): { modeEnforced?: boolean; requirements: RawRequirement[] } | undefined {
  if (status === null || typeof status !== "object") return undefined;
  const obj = status as Record<string, unknown>;
  const rows = Array.isArray(status) ? status : Array.isArray(obj.complianceRequirements) ? obj.complianceRequirements : Array.isArray(obj.settings) ? obj.settings : undefined;
  const modeEnforced = typeof obj.complianceModeEnforced === "boolean" ? obj.complianceModeEnforced : undefined;
  if (!rows) return modeEnforced === undefined ? undefined : { modeEnforced, requirements: [] };
  const requirements: RawRequirement[] = [];
  for (const row of rows) {
    if (row === null || typeof row !== "object") continue;
    const r = row as Record<string, unknown>;
    const name = firstString(r.name, r.title, r.id);
    const value = firstString(r.value, r.status);
    if (!name || !value) continue;
    const id = typeof r.id === "string" && r.id !== name ? ` (${r.id})` : "";
    requirements.push({ name: `${name}${id}`, status: value, notes: firstString(r.notes, r.note, r.explanation) });
  }
  return { modeEnforced, requirements };
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === "string" && v.trim() !== "") return v;
  return undefined;
}

const MEETS: EvidenceStatus[] = ["verified-live", "observed-database", "enforced-not-observable", "attested", "not-applicable"];
const BREAKS: EvidenceStatus[] = ["violated", "suppressed", "recommendation-not-followed"];

function compare(productStatus: string, exempt: EvidenceStatus | undefined, ruleId: string | undefined): Pick<ComplianceRequirement, "agreement" | "explanation"> {
  const s = productStatus.toLowerCase().replace(/[\s-]+/g, "_");
  const productSays = s === "compliant" || s === "enforced" ? "meets" : s === "non_compliant" || s === "noncompliant" ? "breaks" : "unknown";
  if (!ruleId || !exempt) return { agreement: "no-rule", explanation: "no rule of the pack corresponds to this requirement; shown as the product reports it" };
  const words = STATUS_WORDS[exempt].label.toLowerCase();
  if (productSays === "unknown") return { agreement: "product-cannot-tell", explanation: `the product does not judge it (${productStatus}); Exempt: ${words}` };
  if (!MEETS.includes(exempt) && !BREAKS.includes(exempt)) return { agreement: "exempt-cannot-tell", explanation: `the product says ${productStatus}; Exempt has no evidence of its own (${words})` };
  const exemptSays = MEETS.includes(exempt) ? "meets" : "breaks";
  if (productSays === exemptSays) return { agreement: "agree", explanation: `both say the condition is ${productSays === "meets" ? "met" : "not met"} (Exempt: ${words})` };
  return { agreement: "disagree", explanation: `the product says ${productStatus}, Exempt says ${words}` };
}

/**
 * The compliance section of one instance. `exemptStatusOf` gives Exempt's weakest status for a rule
 * over the instance's declared sites (Matomo's answer here is instance-wide).
 */
export function complianceOf(i: InstanceReport, exemptStatusOf: (ruleId: string) => EvidenceStatus | undefined): InstanceEvidence["compliance"] {
  const product = PRODUCT_NAMES[i.product] ?? i.product;
  if (i.error && !i.compliance) return { available: false, note: "the instance could not be read, so neither was its compliance status", requirements: [], disagreements: 0 };
  if (!i.compliance) {
    const note = i.product === "piwikpro" ? "Piwik PRO offers no readable CNIL compliance status through its API: only Exempt's findings are shown." : `${product} reported no compliance status.`;
    return { available: false, note, requirements: [], disagreements: 0 };
  }
  if (!i.compliance.supported) {
    const version = i.version ? ` ${i.version}` : "";
    return {
      available: false,
      note: `${product}${version} has no readable CNIL compliance mode: PrivacyManager.getComplianceStatus does not exist on this version (it answered: ${i.compliance.note.replace(/^PrivacyManager\.getComplianceStatus is not available on this Matomo: /, "")}). Only Exempt's findings are shown.`,
      requirements: [],
      disagreements: 0,
    };
  }
  const parsed = parseComplianceStatus(i.compliance.status);
  if (!parsed) return { available: true, note: `${product} answered PrivacyManager.getComplianceStatus in a shape Exempt does not know: ${JSON.stringify(i.compliance.status).slice(0, 300)}`, requirements: [], disagreements: 0 };
  const requirements: ComplianceRequirement[] = parsed.requirements.map((r) => {
    const ruleId = ruleForRequirement(r.name);
    const exemptStatus = ruleId ? exemptStatusOf(ruleId) : undefined;
    return { name: r.name, productStatus: r.status, notes: r.notes, ruleId, exemptStatus, ...compare(r.status, exemptStatus, ruleId) };
  });
  const mode = parsed.modeEnforced === undefined ? "" : parsed.modeEnforced ? " Its CNIL compliance mode is switched on (settings forced)." : " Its CNIL compliance mode is switched off.";
  return {
    available: true,
    note: `read with PrivacyManager.getComplianceStatus at the time of the reading.${mode}`,
    modeEnforced: parsed.modeEnforced,
    requirements,
    disagreements: requirements.filter((r) => r.agreement === "disagree").length,
  };
}

export function weakestOver(statuses: EvidenceStatus[]): EvidenceStatus | undefined {
  return statuses.length ? weakest(statuses) : undefined;
}
