import type { Rule, Verdict } from "../../types";
import { containerField, fail, isKnown, matomoContainers, notChecked, notObservable, pass, piwikProTagNotDeclared, piwikProTags, TAG_OPTION_READS } from "../helpers";
import { cite } from "../sources";

/** 13 months as the tracker counts them: Matomo's default visitor-cookie timeout, 33 955 200 s. */
export const MAX_VISITOR_COOKIE_DAYS = 393;
export const MAX_VISITOR_COOKIE_SECONDS = MAX_VISITOR_COOKIE_DAYS * 86_400;

/**
 * The unit of Piwik PRO's `visitor_cookie_timeout` is UNCONFIRMED. A value of at most 393 is within
 * the limit whether it counts days or seconds, and one above 393 days in seconds is over it in any
 * plausible unit; only values in between are left unjudged.
 */
function judgePiwikProTimeout(field: string, name: string, value: unknown): Verdict | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isNaN(n)) return notChecked(`the Piwik PRO tag's visitor_cookie_timeout ${JSON.stringify(value)} is not a number Exempt can judge`, field);
  if (n <= MAX_VISITOR_COOKIE_DAYS) return undefined;
  if (n > MAX_VISITOR_COOKIE_SECONDS) return fail(field, value, `at most ${MAX_VISITOR_COOKIE_SECONDS} seconds (13 months)`, `the Piwik PRO tag '${name}' keeps its visitor cookie longer than 13 months`);
  return notChecked(`the Piwik PRO tag's visitor_cookie_timeout is ${n}: within 13 months if it counts seconds, over them if it counts days (the unit is UNCONFIRMED)`, field);
}

export const Cookie13m: Rule = {
  id: "CNIL-COOKIE-13M",
  title: "The visitor cookie lasts at most 13 months (393 days) from its first deposit, or there is no cookie at all",
  explanation:
    "The guidelines recommend a tracker lifetime of at most 13 months, and the CNIL treats it as part of the exemption; it protects visitors on consent sites too. Matomo's visitor cookie lasts 13 months by default; a longer custom timeout breaks it, cookieless tracking meets it trivially.",
  ...cite(["G20", "§52"], "R13", "MCK"),
  remediation: "Matomo: leave Tag Manager `visitorCookieDays` unset or at most 393, or track without cookies (`disableCookies`, `privacy.forceCookielessTracking`). Piwik PRO: keep the Piwik PRO tag's `visitor_cookie_timeout` within 13 months.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "S", piwikpro: "A" },
  reads: { matomo: ["site.tagManager"], piwikpro: TAG_OPTION_READS },
  optionalReads: { matomo: ["privacy.forceCookielessTracking"] },
  check(subject) {
    const data = subject.data;
    if (data.product === "piwikpro") {
      const tags = piwikProTags(data.site, "piwik");
      if (!tags.length) return piwikProTagNotDeclared("visitor_cookie_timeout");
      const verdicts = tags.map(([key, t]) => judgePiwikProTimeout(`site.tags.${key}.templateOptions.visitor_cookie_timeout`, t.name, t.templateOptions?.visitor_cookie_timeout)).filter((v): v is Verdict => !!v);
      return verdicts.length ? verdicts : pass("site.tags", undefined, "visitor_cookie_timeout within 13 months", "the Piwik PRO tag keeps its visitor cookie within 13 months");
    }
    const cookielessKnown = isKnown(subject, "privacy.forceCookielessTracking");
    if (cookielessKnown && data.privacy.forceCookielessTracking) return pass("privacy.forceCookielessTracking", true, "true", "the instance tracks without cookies");
    const containers = matomoContainers(data.site);
    if (!containers.length) return notChecked("no Tag Manager container is declared: a `setVisitorCookieTimeout` call in the snippet shows only on the live page", "site.tagManager");
    const verdicts: Verdict[] = [];
    for (const [key, c] of containers) {
      const cfg = c.matomoConfiguration;
      const days = cfg.visitorCookieDays ?? MAX_VISITOR_COOKIE_DAYS;
      if (cfg.disableCookies || days <= MAX_VISITOR_COOKIE_DAYS) continue;
      const field = containerField(key, "matomoConfiguration.visitorCookieDays");
      verdicts.push(
        cookielessKnown
          ? fail(field, days, `at most ${MAX_VISITOR_COOKIE_DAYS}, or disableCookies`, `the container '${c.name}' keeps the visitor cookie ${days} days`)
          : notObservable("privacy.forceCookielessTracking", `the container '${c.name}' asks for a ${days}-day visitor cookie, harmless only if the instance forces cookieless tracking, which cannot be read on this side`),
      );
    }
    return verdicts.length ? verdicts : pass("site.tagManager", undefined, `at most ${MAX_VISITOR_COOKIE_DAYS} days, or no cookie`, "every Tag Manager container keeps the visitor cookie at most 13 months, or sets none");
  },
};
