import type { Attestation, Suppression } from "../model/common";
import { entriesFor, findEntry, PackEntry, RulePack } from "./pack";
import type { Evidence, Finding, Level, Product, RuleContext, Subject, UnknownField, Verdict } from "./types";

/**
 * Runs a pack over subjects. Pure: no clock (today comes in the context), no I/O. Every rule gives
 * a finding for every subject it applies to, so reports can show passes, suppressions,
 * attestations and unobservable settings side by side with the failures.
 */
export function evaluatePack(pack: RulePack, subjects: readonly Subject[], context: RuleContext, memo: PackMemo = createPackMemo()): Finding[] {
  const findings: Finding[] = [];
  // The entries of a product, once per run rather than once per subject: a fleet has thousands of subjects.
  const entries = new Map<Product, PackEntry[]>();
  for (const subject of subjects) {
    const product = subject.data.product;
    let list = entries.get(product);
    if (!list) entries.set(product, (list = entriesFor(pack, product)));
    const j: Judging = { subject, context, memo, paths: pathsOfSubject(memo, subject), unknown: unknownIndexOf(memo, subject), out: findings };
    for (const entry of list) judge(entry, j);
    if (subject.side === "desired") findings.push(...checkSuppressionsAndAttestations(pack, subject));
  }
  return findings;
}

/**
 * Strings that many findings carry alike: document paths (the same for a site's desired and live
 * findings, and for every site on instance-wide fields) and the messages that depend on the rule
 * only. A fleet of 10,000 sites gives 700,000 findings; held once each, these strings were a third
 * of a plan's memory. Pass one memo to the evaluations of both sides of an instance.
 */
export interface PackMemo {
  /** instance id → site key ("" for fields outside the site) → field → path. */
  paths: Map<string, Map<string, Map<string, string>>>;
  /** "…: to be confirmed by a person" and "… (needs the live page: not checked yet)", by their first part. */
  toConfirm: Map<string, string>;
  needsPage: Map<string, string>;
  /** Messages of rules stopped by an unreadable field, by rule and field, with what they depend on. */
  notRead: Map<string, Map<string, { status: string; enforced: boolean; note: string | undefined; message: string }>>;
  /** List of unknown paths (joined) → read path → index of the first listed path it overlaps, or -1. */
  overlaps: Map<string, Map<string, number>>;
}

export function createPackMemo(): PackMemo {
  return { paths: new Map(), toConfirm: new Map(), needsPage: new Map(), notRead: new Map(), overlaps: new Map() };
}

/** What judging one subject needs, passed as one object. */
interface Judging {
  subject: Subject;
  context: RuleContext;
  memo: PackMemo;
  /** This subject's site paths (field → path) and the instance's (field → path). */
  paths: { site: Map<string, string>; instance: Map<string, string> };
  /** The subject's unknown paths, and which of them overlaps each read path (shared by subjects with the same list). */
  unknown?: { keys: string[]; overlapping: Map<string, number> };
  out: Finding[];
}

/**
 * Live subjects list the same unknown paths in the same order, site after site (the privacy
 * settings the API cannot read, the plugin features): which listed path a read overlaps is worked
 * out once per list, not once per rule, read and site.
 */
function unknownIndexOf(memo: PackMemo, subject: Subject): Judging["unknown"] {
  const keys = Object.keys(subject.unknown);
  if (keys.length === 0) return undefined;
  const signature = `${keys.length}\u0000${keys.join("\u0000")}`;
  let overlapping = memo.overlaps.get(signature);
  if (!overlapping) memo.overlaps.set(signature, (overlapping = new Map()));
  return { keys, overlapping };
}

/** unknownAt, answered from the subject's index: the exact path first, else the first listed path it overlaps. */
function unknownAtIndexed(subject: Subject, index: NonNullable<Judging["unknown"]>, path: string): [string, UnknownField] | undefined {
  const unknown = subject.unknown;
  const exact = unknown[path];
  if (exact) return [path, exact];
  let at = index.overlapping.get(path);
  if (at === undefined) {
    at = index.keys.findIndex((listed) => pathsOverlap(path, listed));
    index.overlapping.set(path, at);
  }
  return at < 0 ? undefined : [index.keys[at], unknown[index.keys[at]]];
}

function pathsOfSubject(memo: PackMemo, subject: Subject): Judging["paths"] {
  let bySite = memo.paths.get(subject.instanceId);
  if (!bySite) memo.paths.set(subject.instanceId, (bySite = new Map()));
  let site = bySite.get(subject.siteKey);
  if (!site) bySite.set(subject.siteKey, (site = new Map()));
  let instance = bySite.get("");
  if (!instance) bySite.set("", (instance = new Map()));
  return { site, instance };
}

function memoPath(j: Judging, field: string): string {
  const cache = field.startsWith("site.") ? j.paths.site : j.paths.instance;
  let path = cache.get(field);
  if (path === undefined) cache.set(field, (path = pathOf(j.subject, field)));
  return path;
}

function memoString(cache: Map<string, string>, key: string, make: (key: string) => string): string {
  let value = cache.get(key);
  if (value === undefined) cache.set(key, (value = make(key)));
  return value;
}

const needsPageMessage = (title: string): string => `${title} (needs the live page: not checked yet)`;
const toConfirmMessage = (what: string): string => `${what}: to be confirmed by a person`;

const ATTESTATION_DEFAULT_MONTHS = 12;

function levelFor(entry: PackEntry, subject: Subject, verdictLevel?: Level): Level {
  const level = verdictLevel ?? entry.level;
  if (subject.mode === "consent" && !entry.appliesInConsentMode && level !== "attestation") return "info";
  // Nobody declared an unmanaged site exempt: its breaches are reported for the first PR that adopts
  // it, but they cannot fail a run that is about the declared sites.
  if (subject.unmanaged && level === "error") return "warning";
  return level;
}

/**
 * Findings are built as whole object literals, in the key order reports have always had, rather
 * than by spreading a common base: a fleet gives hundreds of thousands of findings, and spread
 * chains were most of the pack's time and garbage. Each literal ends with an empty `location`,
 * the key the run report fills in last: filling a key an object already has costs no memory,
 * adding one grows every finding. (`undefined` keys are left out of JSON, so output is unchanged.)
 */
type Slotted = Finding & { location: undefined };

/** The base (rule, level, subject), then status and message. */
function plainFinding(entry: PackEntry, subject: Subject, level: Level, status: Finding["status"], message: string): Slotted {
  const rule = entry.rule;
  return {
    ruleId: rule.id, level, side: subject.side, product: subject.data.product, instanceId: subject.instanceId, siteKey: subject.siteKey, productId: subject.productId, mode: subject.mode, title: rule.title, source: rule.source, sourceUrl: rule.sourceUrl,
    status,
    message,
    location: undefined,
  };
}

/** The base, then field, found, expected, evidence, path, then status and message. */
function verdictFinding(entry: PackEntry, subject: Subject, level: Level, verdict: Verdict, evidence: Evidence, path: string | undefined, status: Finding["status"], message: string): Slotted {
  const rule = entry.rule;
  return {
    ruleId: rule.id, level, side: subject.side, product: subject.data.product, instanceId: subject.instanceId, siteKey: subject.siteKey, productId: subject.productId, mode: subject.mode, title: rule.title, source: rule.source, sourceUrl: rule.sourceUrl,
    field: verdict.field, found: verdict.found, expected: verdict.expected, evidence, path,
    status,
    message,
    location: undefined,
  };
}

/** Judges one rule on one subject and appends its findings to `j.out`. */
function judge(entry: PackEntry, j: Judging): void {
  const { rule } = entry;
  const { subject, context, out } = j;
  const product = subject.data.product;

  if (!rule.check) {
    // Conditions only a person can confirm, or only the live page shows.
    if (entry.level === "attestation") out.push(attestationFinding(entry, j, rule.title, false, undefined));
    else out.push(plainFinding(entry, subject, levelFor(entry, subject), "not-checked", memoString(j.memo.needsPage, rule.title, needsPageMessage)));
    return;
  }

  const reads = rule.reads[product] ?? NO_READS;
  let missing: Array<[string, UnknownField]> | undefined;
  if (j.unknown)
    for (const r of reads) {
      const m = unknownAtIndexed(subject, j.unknown, r);
      if (m) (missing ??= []).push(m);
    }
  if (missing) {
    const [field, why] = missing[0];
    const status = why.why === "not-observable" ? "not-observable" : "not-checked";
    const enforced = missing.every(([, u]) => u.enforcedOnApply);
    const message = notReadMessage(j.memo, rule, product, field, status, enforced, why.note);
    const notRead: Slotted = {
      ruleId: rule.id, level: levelFor(entry, subject), side: subject.side, product, instanceId: subject.instanceId, siteKey: subject.siteKey, productId: subject.productId, mode: subject.mode, title: rule.title, source: rule.source, sourceUrl: rule.sourceUrl,
      status,
      field,
      message,
      enforcedOnApply: enforced,
      path: memoPath(j, field),
      location: undefined,
    };
    out.push(notRead);
    return;
  }

  const raw = rule.check(subject, context);
  const verdicts = Array.isArray(raw) ? raw : [raw];
  let evidence: Evidence | undefined;
  for (const v of verdicts) {
    if (v.status === "needs-attestation") {
      out.push(attestationFinding(entry, j, v.message ?? rule.title, true, v.field));
      continue;
    }
    evidence ??= evidenceOf(subject, reads);
    out.push(toFinding(entry, j, v, levelFor(entry, subject, v.level), evidence));
  }
}

function notReadMessage(memo: PackMemo, rule: PackEntry["rule"], product: Product, field: string, status: string, enforced: boolean, note: string | undefined): string {
  let byField = memo.notRead.get(rule.id);
  if (!byField) memo.notRead.set(rule.id, (byField = new Map()));
  const known = byField.get(field);
  if (known && known.status === status && known.enforced === enforced && known.note === note) return known.message;
  const message =
    status === "not-observable"
      ? `${rule.title}: ${field} cannot be read through the ${product === "matomo" ? "Matomo" : "Piwik PRO"} API (${enforced ? "enforced on every apply" : "not enforced"})${note ? `; ${note}` : ""}`
      : `${rule.title}: not checked (${note ?? `${field} is not read`})`;
  byField.set(field, { status, enforced, note, message });
  return message;
}

const NO_READS: string[] = [];

/**
 * Whether a dotted path is unknown on this side, and under which listed path. A path counts as
 * unknown when it, one of its parents (`site.features` covers `site.features.heatmaps`) or one of its
 * children (reading `site.tagManager` needs all of it) is listed, so a check is never given a value
 * the side could not read. `*` stands for any one segment, on either side: a rule reading
 * `site.tags.*.templateOptions` is stopped by `site.tags.live-7.templateOptions`, one reading
 * `site.tags.*.consentType` is not.
 */
export function unknownAt(subject: Subject, path: string): [string, UnknownField] | undefined {
  const unknown = subject.unknown;
  const exact = unknown[path];
  if (exact) return [path, exact];
  for (const listed in unknown) if (Object.prototype.hasOwnProperty.call(unknown, listed) && pathsOverlap(path, listed)) return [listed, unknown[listed]];
  return undefined;
}

/**
 * Two dotted paths overlap when one is the other or lies under it, `*` matching any one segment.
 * Compared segment by segment in place: it runs for every read of every rule on every subject.
 */
export function pathsOverlap(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  for (;;) {
    const dotA = a.indexOf(".", i);
    const dotB = b.indexOf(".", j);
    const endA = dotA < 0 ? a.length : dotA;
    const endB = dotB < 0 ? b.length : dotB;
    if (!sameSegment(a, i, endA, b, j, endB)) return false;
    if (dotA < 0 || dotB < 0) return true;
    i = dotA + 1;
    j = dotB + 1;
  }
}

function sameSegment(a: string, i: number, endA: number, b: string, j: number, endB: number): boolean {
  if ((endA - i === 1 && a.charCodeAt(i) === 42) || (endB - j === 1 && b.charCodeAt(j) === 42)) return true; // "*"
  if (endA - i !== endB - j) return false;
  for (let k = 0; k < endA - i; k++) if (a.charCodeAt(i + k) !== b.charCodeAt(j + k)) return false;
  return true;
}

function evidenceOf(subject: Subject, reads: string[]): Evidence {
  // The weakest link names the evidence: one database reading makes the finding "observed through the database".
  for (const r of reads) if (subject.fieldEvidence[r] === "database") return "database";
  return subject.evidence;
}

function toFinding(entry: PackEntry, j: Judging, verdict: Verdict, level: Level, evidence: Evidence): Finding {
  const { subject, context } = j;
  const field = verdict.field;
  const path = field ? memoPath(j, field) : undefined;
  const rule = entry.rule;
  if (verdict.status === "pass") return verdictFinding(entry, subject, level, verdict, evidence, path, "pass", verdict.message ?? rule.title);
  if (verdict.status === "not-applicable") return verdictFinding(entry, subject, level, verdict, evidence, path, "not-applicable", verdict.message ?? `${rule.title} (not applicable)`);
  if (verdict.status === "not-checked") return verdictFinding(entry, subject, level, verdict, evidence, path, "not-checked", verdict.message ?? `${rule.title} (needs the live page: not checked yet)`);
  if (verdict.status === "not-observable") {
    const unknown = field ? unknownAt(subject, field)?.[1] : undefined;
    const notObservable: Slotted = {
      ruleId: rule.id, level, side: subject.side, product: subject.data.product, instanceId: subject.instanceId, siteKey: subject.siteKey, productId: subject.productId, mode: subject.mode, title: rule.title, source: rule.source, sourceUrl: rule.sourceUrl,
      field, found: verdict.found, expected: verdict.expected, evidence, path,
      status: "not-observable",
      enforcedOnApply: unknown?.enforcedOnApply ?? false,
      message: verdict.message ?? `${rule.title}: ${field} cannot be read on this side`,
      location: undefined,
    };
    return notObservable;
  }

  const message = verdict.message ?? `${rule.title}: found ${show(verdict.found)}${verdict.expected ? `, expected ${verdict.expected}` : ""}`;
  const suppression = findSuppression(entry, subject);
  if (!suppression) return verdictFinding(entry, subject, level, verdict, evidence, path, "fail", message);
  const on = suppression.on;
  const s = suppression.suppression;
  if (subject.mode === "exempt" && !entry.suppressibleWhenExempt)
    return verdictFinding(entry, subject, level, verdict, evidence, path, "fail", `${message}. ${rule.id} is a core condition of the exemption and cannot be suppressed on an exempt site: fix it, or declare the site \`mode: consent\``);
  if (s.expires && s.expires < context.today) return verdictFinding(entry, subject, level, verdict, evidence, path, "fail", `${message} (the suppression by ${s.owner} expired on ${s.expires})`);
  const suppressed: Slotted = {
    ruleId: rule.id, level, side: subject.side, product: subject.data.product, instanceId: subject.instanceId, siteKey: subject.siteKey, productId: subject.productId, mode: subject.mode, title: rule.title, source: rule.source, sourceUrl: rule.sourceUrl,
    field, found: verdict.found, expected: verdict.expected, evidence, path,
    status: "suppressed",
    message,
    suppression: { reason: s.reason, owner: s.owner, expires: s.expires, on },
    location: undefined,
  };
  return suppressed;
}

function findSuppression(entry: PackEntry, subject: Subject): { suppression: Suppression; on: "site" | "instance" } | undefined {
  const site = subject.suppressions.site.find((s) => s.rule === entry.rule.id);
  if (site) return { suppression: site, on: "site" };
  if (entry.rule.scope !== "instance") return undefined;
  const instance = subject.suppressions.instance.find((s) => s.rule === entry.rule.id);
  return instance ? { suppression: instance, on: "instance" } : undefined;
}

/**
 * The finding of a rule a person confirms. `withField`: it answers a check's "needs attestation"
 * verdict, whose field the finding names after what it always had.
 */
function attestationFinding(entry: PackEntry, j: Judging, what: string, withField: boolean, field: string | undefined): Finding {
  const { subject, context } = j;
  const ruleId = entry.rule.id;
  const candidates = subject.attestations.length ? subject.attestations.filter((a) => a.rule === ruleId) : NO_ATTESTATIONS;
  const valid = candidates.length ? candidates.map((a) => ({ a, until: attestationUntil(a) })).filter(({ a, until }) => a.at <= context.today && until >= context.today) : [];
  if (valid.length) {
    const { a, until } = valid.sort((x, y) => (x.until < y.until ? 1 : -1))[0];
    const rule = entry.rule;
    const common = {
      ruleId: rule.id, level: "attestation" as const, side: subject.side, product: subject.data.product, instanceId: subject.instanceId, siteKey: subject.siteKey, productId: subject.productId, mode: subject.mode, title: rule.title, source: rule.source, sourceUrl: rule.sourceUrl,
      status: "attested" as const,
      message: `${what} (attested by ${a.by} on ${a.at}, valid until ${until})`,
      attestation: { by: a.by, at: a.at, until, note: a.note },
    };
    const attested: Slotted = withField ? { ...common, field, location: undefined } : { ...common, location: undefined };
    return attested;
  }
  let message = memoString(j.memo.toConfirm, what, toConfirmMessage);
  if (candidates.length) {
    const expired = candidates.map((a) => ({ a, until: attestationUntil(a) })).sort((x, y) => (x.until < y.until ? 1 : -1))[0];
    message += ` (the attestation by ${expired.a.by} ${expired.until < context.today ? `expired on ${expired.until}` : `starts on ${expired.a.at}`})`;
  }
  if (!withField) return plainFinding(entry, subject, "attestation", "to-confirm", message);
  const rule = entry.rule;
  const toConfirm: Slotted = {
    ruleId: rule.id, level: "attestation", side: subject.side, product: subject.data.product, instanceId: subject.instanceId, siteKey: subject.siteKey, productId: subject.productId, mode: subject.mode, title: rule.title, source: rule.source, sourceUrl: rule.sourceUrl,
    status: "to-confirm",
    message,
    field,
    location: undefined,
  };
  return toConfirm;
}

const NO_ATTESTATIONS: Attestation[] = [];

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
  // join() gives one flat string; a template literal gives a tree of pieces, twice the memory on
  // every finding of a fleet, and flattened again when the report looks the path up.
  if (field.startsWith("site.")) return ["instances", subject.instanceId, "sites", subject.siteKey, field.slice(5)].join(".");
  return ["instances", subject.instanceId, field].join(".");
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string") return JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

export function isBlocking(f: Finding, strict = false): boolean {
  return f.status === "fail" && (f.level === "error" || (strict && f.level === "warning"));
}
