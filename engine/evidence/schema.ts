import { z } from "zod";
import { EVIDENCE_STATUSES, SITE_VERDICTS } from "./vocabulary";

/**
 * `evidence.json`, written by `exempt evidence` beside the HTML: the same content, for archives and
 * scripts. This schema is the contract (a JSON Schema rendering of it is written beside it as
 * `evidence.schema.json`). Additive changes keep `schemaVersion`; anything else bumps it.
 */
export const EVIDENCE_SCHEMA_VERSION = 1;

const Value = z.unknown().describe("a value in the model's vocabulary, as read or declared");
const Status = z.enum(EVIDENCE_STATUSES).describe("the evidence status; see `legend` for the words and meaning of each");
const FindingEvidence = z.enum(["declaration", "api", "database"]);

export const SuppressionSchema = z.object({
  reason: z.string(),
  owner: z.string(),
  expires: z.string().optional().describe("YYYY-MM-DD; absent: no expiry"),
  on: z.enum(["site", "instance"]).describe("where the suppression is declared"),
});

export const AttestationSchema = z.object({
  by: z.string().describe("who attested"),
  at: z.string().describe("YYYY-MM-DD, when"),
  until: z.string().describe("YYYY-MM-DD, valid until"),
  note: z.string().optional(),
});

export const RulePartSchema = z
  .object({
    status: Status,
    side: z.enum(["desired", "live"]).describe("judged on the declaration or on what was read"),
    message: z.string(),
    field: z.string().optional().describe("model path judged, e.g. privacy.ipMaskBytes or site.excludeUnknownUrls"),
    found: Value.optional(),
    expected: z.string().optional(),
    evidence: FindingEvidence.optional(),
  })
  .describe("one verdict of the rule on this site (a rule may judge several fields)");

export const RuleEvidenceSchema = z.object({
  ruleId: z.string(),
  title: z.string().describe("the condition, in one sentence"),
  source: z.string(),
  sourceUrl: z.string(),
  level: z.enum(["error", "warning", "info", "attestation"]).describe("the rule's level on this site (lowered to info on a consent site, except the rules that keep it)"),
  verification: z.enum(["A", "A-w", "C", "S", "H"]).optional().describe("how the condition can be verified on this product (cnil-rules.md)"),
  status: Status,
  label: z.string().describe("the status in words"),
  detail: z.string().describe("why this status, in one sentence: the value read, who attested, the reason of a suppression…"),
  evidence: FindingEvidence.optional().describe("where the deciding value came from"),
  field: z.string().optional(),
  found: Value.optional().describe("the value read (live) or declared"),
  required: z.string().optional().describe("what the condition requires"),
  declared: Value.optional().describe("the declared value, where the live side could not read it"),
  suppression: SuppressionSchema.optional(),
  attestation: AttestationSchema.optional(),
  parts: z.array(RulePartSchema),
});

export const DriftSchema = z.object({
  field: z.string(),
  live: Value,
  desired: Value,
  blockedBy: z.string().optional(),
});

export const SiteEvidenceSchema = z.object({
  id: z.string().describe("<instance>/<site key>, or <instance>/#<product id> for an unmanaged site"),
  page: z.string().describe("the site's HTML page, relative to the report folder"),
  instanceId: z.string(),
  siteKey: z.string().optional().describe("absent for an unmanaged site"),
  unmanaged: z.boolean().describe("found on the instance, not declared: judged as found, never changed"),
  productId: z.string().optional().describe("Matomo idSite or Piwik PRO app id"),
  name: z.string(),
  urls: z.array(z.string()),
  mode: z.enum(["exempt", "consent"]),
  product: z.enum(["matomo", "piwikpro"]),
  instanceUrl: z.string(),
  readAt: z.string().optional().describe("ISO date-time of the reading"),
  productVersion: z.string().optional(),
  declarationHash: z.string().optional().describe("SHA-256 of the canonical JSON of the instance's declaration (Terraform's triggers_replace)"),
  read: z.boolean().describe("whether the site was read live"),
  readNote: z.string().optional().describe("why it was not"),
  verdict: z.enum(SITE_VERDICTS),
  verdictLabel: z.string(),
  counts: z.record(z.string(), z.number()).describe("rules per status"),
  drift: z.array(DriftSchema).describe("declared and live values that differ"),
  problems: z.array(z.string()),
  rules: z.array(RuleEvidenceSchema).describe("every rule of the pack for this product, in the pack's order"),
});

export const ComplianceRequirementSchema = z.object({
  name: z.string().describe("the product's name for the requirement"),
  productStatus: z.string().describe("what the product says, e.g. compliant, non_compliant, enforced, manual"),
  notes: z.string().optional(),
  ruleId: z.string().optional().describe("the rule of the pack it corresponds to, where one does"),
  exemptStatus: Status.optional().describe("Exempt's weakest status for that rule over the instance's declared sites"),
  agreement: z.enum(["agree", "disagree", "exempt-cannot-tell", "product-cannot-tell", "no-rule"]),
  explanation: z.string(),
});

export const InstanceEvidenceSchema = z.object({
  instanceId: z.string(),
  product: z.enum(["matomo", "piwikpro"]),
  url: z.string(),
  version: z.string().optional().describe("what the product reports, e.g. 5.1.2 (API.getMatomoVersion)"),
  readAt: z.string().optional(),
  error: z.string().optional().describe("the instance could not be read: its sites carry no live evidence"),
  declarationHash: z.string(),
  notes: z.array(z.string()),
  notObservable: z.array(z.object({ field: z.string(), desired: Value, enforced: z.boolean(), note: z.string().optional() })).describe("settings the API cannot read back"),
  problems: z.array(z.string()),
  compliance: z
    .object({
      available: z.boolean().describe("whether the product offers a readable compliance status"),
      note: z.string(),
      modeEnforced: z.boolean().optional().describe("Matomo: whether its CNIL compliance mode is switched on"),
      requirements: z.array(ComplianceRequirementSchema),
      disagreements: z.number(),
    })
    .describe("the product's own CNIL compliance status, beside Exempt's findings"),
  sites: z.array(z.string()).describe("ids of its declared sites in this report"),
  unmanaged: z.array(z.string()).describe("ids of its unmanaged sites"),
});

export const AttentionSchema = z.object({
  violations: z.array(z.object({ site: z.string(), ruleId: z.string(), detail: z.string() })),
  toConfirm: z.array(z.object({ ruleId: z.string(), title: z.string(), sites: z.array(z.string()) })).describe("conditions a person must attest, with the sites that lack it"),
  notObservable: z.array(z.object({ site: z.string(), ruleId: z.string(), detail: z.string() })),
  disagreements: z.array(z.object({ instanceId: z.string(), requirement: z.string(), explanation: z.string() })),
  unread: z.array(z.object({ site: z.string(), detail: z.string() })),
});

export const EvidenceReportSchema = z.object({
  schemaVersion: z.literal(EVIDENCE_SCHEMA_VERSION),
  kind: z.literal("exempt-evidence"),
  generatedAt: z.string().describe("ISO date-time the report was built"),
  today: z.string().describe("YYYY-MM-DD that expiries of suppressions and attestations were judged against"),
  exemptVersion: z.string(),
  pack: z.object({ name: z.string(), version: z.string() }),
  jurisdiction: z.literal("FR").describe("the exemption is French law (art. 82 Loi Informatique et Libertés)"),
  configFile: z.string().optional(),
  scope: z.object({ instance: z.string().optional(), site: z.string().optional() }).optional().describe("--only"),
  summary: z.object({
    headline: z.string().describe("one sentence for humans"),
    sites: z.number().describe("declared sites in the report"),
    verdicts: z.record(z.string(), z.number()).describe("declared sites per verdict"),
    unmanagedSites: z.number(),
    instances: z.number(),
    instancesUnread: z.number(),
    notChecked: z.number().describe("rule verdicts, over all declared sites, that Exempt cannot check yet"),
  }),
  attention: AttentionSchema,
  legend: z.array(z.object({ status: Status, label: z.string(), meaning: z.string(), proof: z.boolean().describe("true only for the statuses that are live proof") })),
  instances: z.array(InstanceEvidenceSchema),
  sites: z.array(SiteEvidenceSchema).describe("declared sites first, then unmanaged ones"),
});

export type EvidenceReport = z.infer<typeof EvidenceReportSchema>;
export type SiteEvidence = z.infer<typeof SiteEvidenceSchema>;
export type InstanceEvidence = z.infer<typeof InstanceEvidenceSchema>;
export type RuleEvidence = z.infer<typeof RuleEvidenceSchema>;
export type RulePart = z.infer<typeof RulePartSchema>;
export type ComplianceRequirement = z.infer<typeof ComplianceRequirementSchema>;

/** The JSON Schema written beside evidence.json, so archives stay readable without this code. */
export function evidenceJsonSchema(): unknown {
  return z.toJSONSchema(EvidenceReportSchema, { target: "draft-2020-12", unrepresentable: "any" });
}
