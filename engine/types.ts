import type { Instance, Site } from "../model/config";
import type { MatomoTrackerConfiguration } from "../model/matomo";
import type { Product, UnknownField } from "../policies/types";

/**
 * The contract between the engine and a product backend. Everything here is in the model's
 * vocabulary: a backend maps its product's fields to these names and back, and the engine never
 * sees a Matomo or Piwik PRO parameter name.
 */

/** A live site/app as read, normalised into the model's words. */
export interface LiveSite {
  /** Matomo idSite (as a string) or Piwik PRO app id. */
  productId: string;
  name: string;
  /** Main URL first, then the aliases. */
  urls: string[];
  /**
   * Site settings the API can read, under model field names (excludeUnknownUrls,
   * excludedQueryParameters, ecommerce, timezone, ...). Lists are arrays, flags booleans.
   * Holds unmanaged fields too (timezone, currency...), so full-state writes can keep them.
   */
  settings: Record<string, unknown>;
  /** Principal (Matomo login, Piwik PRO user e-mail; `anonymous` for public statistics) to role. Superusers are not listed. */
  access: Record<string, string>;
  /** Matomo Tag Manager containers (only read for sites that declare containers, and for the rule pack). */
  containers?: LiveContainer[];
  /** Piwik PRO Tag Manager tags. */
  tags?: LiveTag[];
  /** Piwik PRO: the Tag Manager draft holds changes not yet published (read for apps that declare tags to publish). */
  unpublishedTagChanges?: boolean;
  /** Piwik PRO: per-app tracker-setting overrides, in model privacy names (ipMaskBytes, ...). */
  privacyOverrides?: Record<string, unknown>;
  /** The product's own type of the site (Matomo `type`, e.g. website, rollup). */
  productType?: string;
}

export interface LiveContainer {
  idContainer: string;
  name: string;
  /** The draft version, where edits go. */
  draftVersionId: number;
  /** The version released to the `live` environment, if any. */
  liveVersionId?: number;
  /** The "Matomo Configuration" variable of the draft, when present. */
  matomoConfiguration?: {
    idVariable: number;
    name: string;
    settings: Partial<MatomoTrackerConfiguration>;
  };
  /** Tags of the draft: id, name, type, and the ids of the triggers that fire them. */
  tags: Array<{ id: string; name: string; type: string; fireTriggerIds: number[] }>;
}

export interface LiveTag {
  tagId: string;
  name: string;
  template: string;
  consentType: string;
  active: boolean;
  /** Piwik PRO's `is_published`. */
  published?: boolean;
  /** Piwik PRO's `template_options`, where they were read (the tag list omits them; the rule pack judges them on `piwik` tags). */
  templateOptions?: Record<string, unknown>;
}

export interface LivePrincipal {
  /** Matomo login or Piwik PRO e-mail. */
  id: string;
  /** Piwik PRO's user uuid. */
  userId?: string;
  superuser: boolean;
}

export interface LiveInstance {
  product: Product;
  /** What the product says its version is (Matomo `API.getMatomoVersion`). */
  version: string;
  /** Instance-wide privacy settings under model names, for those this reading could observe. */
  privacy: Record<string, unknown>;
  /** Privacy settings this reading could not observe, with why. */
  privacyUnknown: Record<string, UnknownField>;
  /** Where each observed privacy value came from (`api`, or `database` through the observer). */
  privacyEvidence: Record<string, "api" | "database">;
  /** Other instance-wide settings (Matomo: globalExcludedQueryParameters). */
  globals: Record<string, unknown>;
  sites: LiveSite[];
  principals: LivePrincipal[];
  /** The product's own compliance status, where it has one (Matomo's CNIL policy). */
  compliance?: { supported: boolean; status?: unknown; note: string };
  /** Remarks for reports (e.g. "retention not enforced: no passwordEnv"). */
  notes: string[];
  readAt: string;
}

/** One field that differs: where, what is live, what is declared. Values are in model vocabulary. */
export interface Change {
  /** site: a site's setting; access: a principal's role on a site; tagmanager: a container/tag; instance: instance-wide. */
  area: "site" | "access" | "tagmanager" | "instance";
  siteKey?: string;
  /** Dotted model path relative to the site (site/access/tagmanager areas) or to the instance. */
  field: string;
  live: unknown;
  desired: unknown;
  /** Why the change cannot be applied on this run (e.g. revoking access needs --prune), if so. */
  blockedBy?: string;
}

export type SiteOperation = "create" | "update" | "delete" | "none";

export interface SitePlan {
  siteKey: string;
  productId?: string;
  operation: SiteOperation;
  changes: Change[];
  desired: Site;
  live?: LiveSite;
  /** Why a requested removal does not happen (deletion protection on, or no --prune). */
  blockedBy?: string;
}

/** A setting the API cannot read back: written on every apply, never reported as in sync. */
export interface Reassertion {
  field: string;
  desired: unknown;
  /** False when it cannot even be written (e.g. retention without the account password). */
  enforced: boolean;
  note?: string;
}

export interface PlanProblem {
  siteKey?: string;
  message: string;
}

export interface InstancePlan {
  instanceId: string;
  product: Product;
  url: string;
  version: string;
  sites: SitePlan[];
  /** Observable instance-wide differences (Piwik PRO global tracker settings, Matomo global lists). */
  instanceChanges: Change[];
  reassert: Reassertion[];
  /** Live sites no declaration matches: reported, judged, never touched (except by prune of a declared `remove`). */
  unmanaged: LiveSite[];
  /** Problems that stop this instance's apply (identity conflicts, unknown users...). */
  problems: PlanProblem[];
}

export interface SiteOutcome {
  siteKey: string;
  ok: boolean;
  productId?: string;
  /** What was written, for the report. */
  wrote: string[];
  error?: string;
}

export interface ApplyOutcome {
  sites: SiteOutcome[];
  instance: { ok: boolean; wrote: string[]; error?: string };
}

export interface TrafficCounters {
  requests: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface BackendOptions {
  env: NodeJS.ProcessEnv;
  /** Plain http to a non-loopback host is refused unless this is set (--allow-insecure-http). */
  allowInsecureHttp: boolean;
  /** Overrides of the instance's `client` settings from the command line. */
  timeoutMs?: number;
  retries?: number;
  concurrency?: number;
  /** Progress and warnings go here (stderr); never secrets. */
  log: (message: string) => void;
  /** Scope of the read: only these declared site keys need their Tag Manager/tags read in full. */
  onlySites?: string[];
  /** Read whether every app's Tag Manager draft holds unpublished changes, declared or not (import). */
  readAllTagDrafts?: boolean;
}

/** One product's client, seen from the engine. */
export interface ProductBackend {
  readonly product: Product;
  /** Reads everything the engine needs, in as few requests as the API allows. Throws on auth/version problems. */
  read(): Promise<LiveInstance>;
  /** Executes a plan's writes. A failing site does not stop the others: its outcome says why. */
  apply(plan: InstancePlan, live: LiveInstance, options: { prune: boolean }): Promise<ApplyOutcome>;
  readonly traffic: TrafficCounters;
}

export type BackendFactory = (instanceId: string, instance: Instance, options: BackendOptions) => ProductBackend;
