import type { Attestation, Suppression, SiteMode } from "../model/common";
import type { MatomoAccess, MatomoPrivacy, MatomoSite } from "../model/matomo";
import type { PiwikProApp, PiwikProPrivacy } from "../model/piwikpro";

/**
 * The rule pack judges a *subject*: one site as declared (desired side) or as read from the live
 * instance (live side), with its instance's settings. Both sides have the same shape, so one rule
 * judges both; a field the live side could not read is listed in `unknown` and the runner reports
 * the rule as not observable instead of calling it.
 */

export type Product = "matomo" | "piwikpro";
export type Side = "desired" | "live";
export type Evidence = "declaration" | "api" | "database";

/** Why a field has no value on this side. */
export interface UnknownField {
  /** `not-observable`: the product's API cannot read it; `not-checked`: Exempt does not read it (yet), e.g. the live page. */
  why: "not-observable" | "not-checked";
  /** The setting is written on every apply (so it holds unless changed behind Exempt's back). */
  enforcedOnApply: boolean;
  note?: string;
}

export interface MatomoSubjectData {
  product: "matomo";
  privacy: MatomoPrivacy;
  access: MatomoAccess;
  site: MatomoSite;
}

export interface PiwikProSubjectData {
  product: "piwikpro";
  privacy: PiwikProPrivacy;
  site: PiwikProApp;
}

export type SubjectData = MatomoSubjectData | PiwikProSubjectData;

export interface Subject {
  side: Side;
  instanceId: string;
  /** The declared site key; an unmanaged live site gets `#<product id>`. */
  siteKey: string;
  /** Present for live sites: Matomo idSite or Piwik PRO app id. */
  productId?: string;
  mode: SiteMode;
  /** The product and the settings, in the model's words. */
  data: SubjectData;
  /** Dotted paths (e.g. `privacy.ipMaskBytes`, `site.features.heatmaps`) whose value is not known on this side. */
  unknown: Record<string, UnknownField>;
  /** Where known values come from: `declaration` on the desired side, `api` live, `database` for fields the observer read. */
  evidence: Evidence;
  fieldEvidence: Record<string, Evidence>;
  suppressions: { site: Suppression[]; instance: Suppression[] };
  attestations: Attestation[];
  /** How many of `attestations`, from the first, were given on the instance (so a typo there is reported once, at its own path). */
  attestationsOnInstance?: number;
  /** The site is not declared (live side only). */
  unmanaged?: boolean;
  /** Every site of the same instance on the same side (this one included), for rules across sites. */
  instanceSites: Array<{ key: string; publisher: string; urls: string[] }>;
}

/** What one rule says about one subject. */
export interface Verdict {
  /**
   * `not-checked`: on this subject the condition can only be seen on the live page (class S).
   * `not-observable`: the verdict hangs on `field`, which is unknown on this side (an optional read).
   * `needs-attestation`: for this product only a person can confirm it (e.g. Piwik PRO retention is
   * contractual while Matomo's is a setting); the runner looks for an attestation.
   */
  status: "pass" | "fail" | "not-applicable" | "not-checked" | "not-observable" | "needs-attestation";
  /** The model path judged, e.g. `privacy.ipMaskBytes` or `site.excludeUnknownUrls`; reports point at it in the YAML. */
  field?: string;
  found?: unknown;
  expected?: string;
  /** Why, in one sentence, when the rule's title is not enough. */
  message?: string;
  /** A rule may lower its level for a lesser breach (Piwik PRO: a 1-byte mask is a warning, 0 an error). */
  level?: Level;
}

export type Level = "error" | "warning" | "info" | "attestation";

/** How a condition can be verified (cnil-rules.md): A readable by API, A-w writable only, C server config, S live page, H human. */
export type VerificationClass = "A" | "A-w" | "C" | "S" | "H";

export interface RuleContext {
  /** Today, as YYYY-MM-DD: rules about dates (reviews) must not read the clock. */
  today: string;
}

/** One rule: a small pure function and what a report needs to explain it. The pack assigns its level. */
export interface Rule {
  id: string;
  /** The condition, in one sentence a DPO understands. */
  title: string;
  /** Why it matters, two or three sentences. */
  explanation: string;
  /** The source, in the catalogue's words, e.g. "CNIL guidelines 2020-091 art. 5 §51". */
  source: string;
  sourceUrl: string;
  remediation: string;
  /** Instance-wide settings are suppressed on the instance; site settings on the site. */
  scope: "instance" | "site";
  products: Product[];
  verification: Partial<Record<Product, VerificationClass>>;
  /**
   * Fields the check reads, per product (dotted paths into SubjectData without the `product` key).
   * If one is unknown on a side, the check is not called and the finding says why.
   */
  reads: Partial<Record<Product, string[]>>;
  /**
   * Fields the check uses when they are known and does without otherwise (it must test
   * `subject.unknown` first). They do not stop the check, so the known part of a condition is still
   * judged on the live side (e.g. a Tag Manager cookie lifetime while Matomo's cookieless switch is unreadable).
   */
  optionalReads?: Partial<Record<Product, string[]>>;
  /** Absent for conditions only a person can confirm (attestations) or only the live page shows (class S). */
  check?: (subject: Subject, context: RuleContext) => Verdict | Verdict[];
}

export type FindingStatus =
  | "pass" //           verified compliant (on the desired side: declared compliant)
  | "fail" //           violated, not suppressed
  | "suppressed" //     violated, accepted with a written reason
  | "not-applicable"
  | "not-observable" // the API cannot read the setting (enforced on apply, or not)
  | "not-checked" //    needs the live page or a reader Exempt does not have yet
  | "attested" //       a person confirmed it
  | "to-confirm"; //    an attestation is missing or expired

export interface Finding {
  ruleId: string;
  level: Level;
  status: FindingStatus;
  side: Side;
  product: Product;
  instanceId: string;
  siteKey?: string;
  productId?: string;
  mode: SiteMode;
  title: string;
  source: string;
  sourceUrl: string;
  /** Model path relative to the document root, e.g. `instances.stats.privacy.ipMaskBytes`. */
  path?: string;
  field?: string;
  found?: unknown;
  expected?: string;
  message: string;
  evidence?: Evidence;
  enforcedOnApply?: boolean;
  suppression?: { reason: string; owner: string; expires?: string; on: "site" | "instance" };
  attestation?: { by: string; at: string; until: string; note?: string };
}
