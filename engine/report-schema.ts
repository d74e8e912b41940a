import { z } from "zod";

/**
 * The JSON report of `exempt plan|apply|drift --format json`: its schema is the contract CI
 * scripts rely on. Additive changes keep `schemaVersion`; anything else bumps it.
 */
export const REPORT_SCHEMA_VERSION = 1;

const Value = z.unknown().describe("a value in the model's vocabulary (null: absent)");

export const ChangeSchema = z.object({
  area: z.enum(["site", "access", "tagmanager", "instance"]).describe("what kind of setting"),
  siteKey: z.string().optional().describe("the declared site key (absent for instance-wide settings)"),
  field: z.string().describe("dotted model path relative to the site or instance, e.g. excludeUnknownUrls, access.alice, privacy.ipMaskBytes"),
  live: Value.describe("the value read live"),
  desired: Value.describe("the declared value"),
  blockedBy: z.string().optional().describe("why this change is not applied on this run (needs --prune, deletion protection)"),
});

export const FindingSchema = z.object({
  ruleId: z.string(),
  level: z.enum(["error", "warning", "info", "attestation"]),
  status: z.enum(["pass", "fail", "suppressed", "not-applicable", "not-observable", "not-checked", "attested", "to-confirm"]),
  side: z.enum(["desired", "live"]).describe("judged on the declaration or on what was read"),
  product: z.enum(["matomo", "piwikpro"]),
  instanceId: z.string(),
  siteKey: z.string().optional().describe("declared key; `#<id>` for an unmanaged live site"),
  productId: z.string().optional(),
  mode: z.enum(["exempt", "consent"]),
  title: z.string(),
  source: z.string(),
  sourceUrl: z.string(),
  path: z.string().optional().describe("document path of the judged field, e.g. instances.stats.privacy.ipMaskBytes"),
  location: z.object({ file: z.string(), line: z.number(), column: z.number() }).optional().describe("where that path is in exempt.yaml"),
  field: z.string().optional(),
  found: Value.optional(),
  expected: z.string().optional(),
  message: z.string(),
  evidence: z.enum(["declaration", "api", "database"]).optional(),
  enforcedOnApply: z.boolean().optional(),
  suppression: z.object({ reason: z.string(), owner: z.string(), expires: z.string().optional(), on: z.enum(["site", "instance"]) }).optional(),
  attestation: z.object({ by: z.string(), at: z.string(), until: z.string(), note: z.string().optional() }).optional(),
});

export const SiteReportSchema = z.object({
  siteKey: z.string(),
  productId: z.string().optional(),
  name: z.string(),
  operation: z.enum(["create", "update", "delete", "none"]),
  changes: z.array(ChangeSchema),
  blockedBy: z.string().optional(),
  outcome: z.object({ ok: z.boolean(), wrote: z.array(z.string()), error: z.string().optional() }).optional().describe("apply only"),
});

export const InstanceReportSchema = z.object({
  instanceId: z.string(),
  product: z.enum(["matomo", "piwikpro"]),
  url: z.string(),
  version: z.string().optional().describe("what the product reports, e.g. 5.1.2"),
  readAt: z.string().optional(),
  error: z.string().optional().describe("the instance could not be read or written; nothing else in this entry is reliable"),
  sites: z.array(SiteReportSchema),
  instanceChanges: z.array(ChangeSchema),
  reassert: z.array(z.object({ field: z.string(), desired: Value, enforced: z.boolean(), note: z.string().optional() })).describe("settings the API cannot read: written on every apply, never reported in sync"),
  unmanaged: z.array(z.object({ productId: z.string(), name: z.string(), urls: z.array(z.string()) })),
  problems: z.array(z.object({ siteKey: z.string().optional(), message: z.string() })),
  findings: z.array(FindingSchema),
  notes: z.array(z.string()),
  compliance: z.object({ supported: z.boolean(), status: z.unknown().optional(), note: z.string() }).optional(),
  passed: z.number().describe("checks that passed, on both sides (with --format json their findings are listed too; other formats only count them)"),
  traffic: z.object({ requests: z.number(), bytesSent: z.number(), bytesReceived: z.number() }),
});

export const RunReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  command: z.enum(["plan", "apply", "drift"]),
  generatedAt: z.string().describe("ISO date-time of the run"),
  exemptVersion: z.string(),
  configFile: z.string().optional(),
  strict: z.boolean(),
  summary: z.object({
    instances: z.number(),
    sites: z.number(),
    changes: z.number().describe("observable differences that an apply would write (or wrote)"),
    blocked: z.number().describe("differences that need --prune or a config change to be applied"),
    violations: z.number().describe("unsuppressed error-level findings (warnings too with --strict)"),
    warnings: z.number(),
    notObservable: z.number().describe("instance settings the API cannot read (written on every apply where a setter exists)"),
    toConfirm: z.number().describe("conditions only a person can confirm, without a valid attestation (one per rule and instance)"),
    unmanaged: z.number(),
    failed: z.number().describe("instances or sites that could not be read, applied or verified"),
    exitCode: z.number(),
    verdict: z.string().describe("one line for humans"),
  }),
  instances: z.array(InstanceReportSchema),
});

export type RunReport = z.infer<typeof RunReportSchema>;
export type InstanceReport = z.infer<typeof InstanceReportSchema>;
export type SiteReport = z.infer<typeof SiteReportSchema>;
export type ReportFinding = z.infer<typeof FindingSchema>;
