import type { MatomoContainer, MatomoSite } from "../../model/matomo";
import type { PiwikProApp, PiwikProTag } from "../../model/piwikpro";
import { unknownAt } from "../runner";
import { hostsOf, siblingIndex } from "./siblings";
import type { Level, Subject, Verdict } from "../types";

/** Small builders so each rule reads as its condition. */
export const pass = (field: string, found: unknown, expected?: string, message?: string): Verdict => ({ status: "pass", field, found, expected, message });
export const fail = (field: string, found: unknown, expected: string, message?: string, level?: Level): Verdict => ({ status: "fail", field, found, expected, message, level });
export const notApplicable = (message: string, field?: string): Verdict => ({ status: "not-applicable", field, message });
export const notChecked = (message: string, field?: string): Verdict => ({ status: "not-checked", field, message });
export const notObservable = (field: string, message: string): Verdict => ({ status: "not-observable", field, message });
export const needsAttestation = (message: string, field?: string): Verdict => ({ status: "needs-attestation", field, message });

/** For `optionalReads`: a check reads such a field only when this says the side knows it. */
export function isKnown(subject: Subject, path: string): boolean {
  return unknownAt(subject, path) === undefined;
}

/** The declared Tag Manager containers of a Matomo site, by key (none when Tag Manager is not managed). */
export function matomoContainers(site: MatomoSite): Array<[string, MatomoContainer]> {
  return Object.entries(site.tagManager?.containers ?? {});
}

export const containerField = (key: string, rest: string): string => `site.tagManager.containers.${key}.${rest}`;

/**
 * What rules read of Piwik PRO tags, per attribute, so that a live side that listed the tags without
 * their options (the list endpoint has no template_options) can say `site.tags.<key>.templateOptions`
 * is unknown and stop only the rules that need the options.
 */
export const TAG_LIST_READS = ["site.tags.*.name", "site.tags.*.template", "site.tags.*.consentType", "site.tags.*.active"];
export const TAG_OPTION_READS = ["site.tags.*.name", "site.tags.*.template", "site.tags.*.templateOptions"];

/** Piwik PRO tags of an app, optionally of one template. */
export function piwikProTags(site: PiwikProApp, template?: string): Array<[string, PiwikProTag]> {
  return Object.entries(site.tags).filter(([, t]) => template === undefined || t.template === template);
}

/**
 * Why a Piwik PRO tag fires for visitors who have not consented, or undefined when it waits for consent.
 * Consent types only gate tags while the Consent Manager is on (`askConsent`, Piwik PRO's `gdpr`): with
 * it off every active tag fires for everyone. That reading of Piwik PRO's behaviour is an inference
 * from its documentation, not a recorded observation.
 */
export function piwikProFiresWithoutConsent(site: PiwikProApp, key: string, tag: PiwikProTag): { field: string; found: unknown; why: string } | undefined {
  if (!tag.active) return undefined;
  if (tag.consentType === "not_require_consent") return { field: `site.tags.${key}.consentType`, found: tag.consentType, why: `the tag '${tag.name}' (${tag.template}) is set to fire without consent` };
  if (!site.askConsent) return { field: "site.askConsent", found: false, why: `the Consent Manager is off, so the tag '${tag.name}' (${tag.template}) fires for every visitor` };
  return undefined;
}

/**
 * Judges Piwik PRO tags of some templates that need consent (heatmaps, A/B tests, marketing): one
 * failing verdict per tag that fires without consent, or one pass.
 */
export function piwikProTemplatesNeedConsent(site: PiwikProApp, templates: readonly string[], label: string): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const [key, tag] of piwikProTags(site)) {
    if (!templates.includes(tag.template)) continue;
    const fires = piwikProFiresWithoutConsent(site, key, tag);
    if (fires) verdicts.push(fail(fires.field, fires.found, `a consent type other than not_require_consent, with the Consent Manager on`, `${label} tags need consent: ${fires.why}`));
  }
  return verdicts.length ? verdicts : [pass("site.tags", undefined, undefined, `no ${label} tag fires without consent`)];
}

/** A Piwik PRO tag that is not declared is not managed: its options are judged where they are read, on the live side. */
export const piwikProTagNotDeclared = (option: string): Verdict =>
  notChecked(`no Piwik PRO tag is declared, so its ${option} option is not managed here; \`exempt plan\` judges the live tag`, "site.tags");

/** Host names of a site's URLs, lower-cased. */
export { hostsOf } from "./siblings";

/** A cookie domain as the browser applies it: `*.example.fr`, `.example.fr` and `example.fr` all cover example.fr and its subdomains. */
export function normaliseCookieDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^\*\./, "").replace(/^\./, "");
}

export const coversHost = (domain: string, host: string): boolean => host === domain || host.endsWith(`.${domain}`);

/**
 * CNIL-NO-CROSS-SITE-ID on a cookie domain: absent (the page's host), or the site's own host (with or
 * without `www.`), and not covering a host of another publisher's site on the same instance. A parent
 * domain (`*.example.fr` for app.example.fr) is refused: other sites under it would share the visitor id.
 */
export function judgeCookieDomain(subject: Subject, field: string, cookieDomain: unknown, urls: readonly string[]): Verdict {
  if (cookieDomain === undefined || cookieDomain === null || cookieDomain === "") return pass(field, cookieDomain, "absent or the site's own domain", "no cookie domain is set: the cookie stays on the page's own host");
  if (typeof cookieDomain !== "string") return notChecked(`the cookie domain ${JSON.stringify(cookieDomain)} is not a domain name Exempt can judge`, field);
  const domain = normaliseCookieDomain(cookieDomain);
  const hosts = hostsOf(urls);
  const own = new Set(hosts.flatMap((h) => [h, h.replace(/^www\./, "")]));
  const expected = `absent, or the site's own domain (${[...own].join(", ")})`;
  if (!own.has(domain)) return fail(field, cookieDomain, expected, `the cookie domain ${cookieDomain} reaches beyond the site's own domain, so its visitor id can be shared with other sites`);
  const siblings = siblingIndex(subject.instanceSites);
  const selfAt = siblings.positionOf.get(subject.siteKey);
  const publisher = selfAt === undefined ? subject.siteKey : subject.instanceSites[selfAt].publisher;
  // Only siblings with a host the domain covers can share it; in list order, as a full scan would find them.
  for (const position of siblings.byDomain().get(domain) ?? []) {
    const other = subject.instanceSites[position];
    if (other.key === subject.siteKey || other.publisher === publisher) continue;
    const shared = siblings.hosts(position).find((h) => coversHost(domain, h) && !own.has(h));
    if (shared) return fail(field, cookieDomain, expected, `the cookie domain ${cookieDomain} also covers ${shared}, a site of another publisher ('${other.key}'), which would share the visitor id`);
  }
  return pass(field, cookieDomain, expected);
}

/** A Piwik PRO template option that is either a boolean or `{ enabled }` (the shape of `heart_beat_timer`). */
export function switchValue(value: unknown): boolean | undefined | "unrecognised" {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (typeof value === "object" && typeof (value as { enabled?: unknown }).enabled === "boolean") return (value as { enabled: boolean }).enabled;
  return "unrecognised";
}

/** An identifier option (user id expression): anything but absent or blank counts as set. */
export const isSet = (value: unknown): boolean => !(value === undefined || value === null || (typeof value === "string" && value.trim() === ""));
