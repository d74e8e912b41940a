import { Config, type ConfigInput } from "../../model/config";
import { MatomoPrivacy, MeasurementFeatures, type MatomoInstanceInput, type MatomoSiteInput } from "../../model/matomo";
import type { PiwikProAppInput, PiwikProConsentType, PiwikProInstanceInput } from "../../model/piwikpro";
import { CnilPack, desiredSubjects, evaluatePack } from "../../policies";
import type { Finding, RuleContext, Subject, UnknownField } from "../../policies/types";

/** Tests never read the clock. */
export const TODAY = "2026-03-01";
export const context: RuleContext = { today: TODAY };

type SiteSpec<T> = Partial<T>;
type InstanceExtras<T> = Omit<Partial<T>, "kind" | "url" | "auth" | "sites">;

/** A site needs only a key: its name and URL are derived from it unless given. */
function site<T extends { name?: string; urls?: string[] }>(key: string, spec: T): T {
  return { name: spec.name ?? `Site ${key}`, urls: spec.urls ?? [`https://${key}.example.gouv.fr`], ...spec };
}

/** One Matomo instance `stats`, by default with one site `www` declared with only a name and URLs. */
export function matomo(instance: InstanceExtras<MatomoInstanceInput> = {}, sites: Record<string, SiteSpec<MatomoSiteInput>> = { www: {} }): ConfigInput {
  return {
    instances: {
      stats: {
        kind: "matomo",
        url: "https://stats.example.gouv.fr",
        auth: { tokenEnv: "MATOMO_TOKEN" },
        ...instance,
        sites: Object.fromEntries(Object.entries(sites).map(([k, s]) => [k, site(k, s)])) as Record<string, MatomoSiteInput>,
      },
    },
  };
}

/** One Piwik PRO account `pp`, by default with one app `app` declared with only a name and URLs. */
export function piwikPro(instance: InstanceExtras<PiwikProInstanceInput> = {}, sites: Record<string, SiteSpec<PiwikProAppInput>> = { app: {} }): ConfigInput {
  return {
    instances: {
      pp: {
        kind: "piwikpro",
        url: "https://acme.piwik.pro",
        auth: { clientIdEnv: "PIWIK_CLIENT_ID", clientSecretEnv: "PIWIK_CLIENT_SECRET" },
        ...instance,
        sites: Object.fromEntries(Object.entries(sites).map(([k, s]) => [k, site(k, s)])) as Record<string, PiwikProAppInput>,
      },
    },
  };
}

/** The Piwik PRO analytics tag, with options. */
export const piwikTag = (templateOptions?: Record<string, unknown>, extra: { consentType?: PiwikProConsentType; active?: boolean } = {}) => ({
  name: "Piwik PRO",
  template: "piwik",
  consentType: "analytics" as PiwikProConsentType,
  ...(templateOptions ? { templateOptions } : {}),
  ...extra,
});

/** Another Tag Manager tag of a template, e.g. `tag("hot_jar", "not_require_consent")`. */
export const tag = (template: string, consentType: PiwikProConsentType, extra: { active?: boolean } = {}) => ({ name: `A ${template} tag`, template, consentType, ...extra });

/** A Matomo Tag Manager container with a Matomo Configuration variable and extra tags. */
export const container = (matomoConfiguration: Record<string, unknown> = {}, tags: Record<string, { name: string; type: string; firesWithoutConsent?: boolean }> = {}) => ({
  tagManager: { containers: { web: { matomoConfiguration, tags } } },
});

export const subjectsOf = (input: ConfigInput): Subject[] => desiredSubjects(Config.parse(input));

export const evaluate = (subjects: Subject[], today = TODAY): Finding[] => evaluatePack(CnilPack, subjects, { today });

/** The findings of the whole pack on a config's desired side. */
export const judge = (input: ConfigInput, today = TODAY): Finding[] => evaluate(subjectsOf(input), today);

/** The findings of one rule (optionally on one site). */
export function findings(all: Finding[], ruleId: string, siteKey?: string): Finding[] {
  return all.filter((f) => f.ruleId === ruleId && (siteKey === undefined || f.siteKey === siteKey));
}

/** The statuses one rule gave on a config, e.g. ["pass"] or ["fail", "pass"]. */
export function statuses(input: ConfigInput | Finding[], ruleId: string, siteKey?: string): string[] {
  const all = Array.isArray(input) ? input : judge(input);
  return findings(all, ruleId, siteKey).map((f) => f.status);
}

/** The one failing finding of a rule; fails the test when there is not exactly one. */
export function failureOf(input: ConfigInput | Finding[], ruleId: string, siteKey?: string): Finding {
  const all = Array.isArray(input) ? input : judge(input);
  const failing = findings(all, ruleId, siteKey).filter((f) => f.status === "fail");
  if (failing.length !== 1) throw new Error(`expected one failing ${ruleId} finding, got ${failing.length}: ${JSON.stringify(findings(all, ruleId, siteKey), null, 2)}`);
  return failing[0];
}

const notObservable = (enforcedOnApply: boolean, note?: string): UnknownField => ({ why: "not-observable", enforcedOnApply, note });

/**
 * What Matomo's HTTP API cannot read (matomo-api.md §3): every privacy setting (written on every
 * apply) and the premium feature switches. The engine builds live subjects this way.
 */
export function matomoApiUnknown(): Record<string, UnknownField> {
  const unknown: Record<string, UnknownField> = {};
  for (const k of Object.keys(MatomoPrivacy.shape)) unknown[`privacy.${k}`] = notObservable(true);
  for (const k of Object.keys(MeasurementFeatures.shape)) unknown[`site.features.${k}`] = notObservable(false);
  return unknown;
}

/** The live side of a declared config: the same values, as read through the API, with some fields unknown. */
export function liveSubjectsOf(input: ConfigInput, unknown: Record<string, UnknownField> = {}, fieldEvidence: Subject["fieldEvidence"] = {}): Subject[] {
  return subjectsOf(input).map((s, i) => ({ ...s, side: "live" as const, evidence: "api" as const, productId: String(i + 1), unknown, fieldEvidence }));
}
