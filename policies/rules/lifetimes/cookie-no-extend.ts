import type { Rule } from "../../types";
import { isKnown, matomoContainers, notChecked, pass } from "../helpers";
import { cite } from "../sources";

/**
 * Matomo's JS rewrites `_pk_id` on every visit; the CNIL guide's remedy is a callback in the snippet,
 * which only the live page shows. Without cookies there is nothing to extend, which configuration does show.
 */
export const CookieNoExtend: Rule = {
  id: "CNIL-COOKIE-NO-EXTEND",
  title: "The visitor cookie's lifetime is not extended on later visits",
  explanation:
    "A 13-month cookie renewed on every visit never expires for a regular visitor. The guidelines count the lifetime from the first deposit. Matomo's tracker extends it by default; cookieless tracking avoids the question.",
  ...cite(["G20", "§52"], "BETA"),
  remediation:
    "Matomo: track without cookies (`disableCookies` in Tag Manager, or `privacy.forceCookielessTracking`), or add the CNIL guide's `setVisitorCookieTimeout` callback that counts from the cookie's creation. Piwik PRO: collect without cookies from visitors who have not consented (`askConsent: true`, `withoutConsent: cookieless`).",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "S", piwikpro: "S" },
  reads: { matomo: ["site.tagManager"], piwikpro: ["site.askConsent", "site.withoutConsent"] },
  optionalReads: { matomo: ["privacy.forceCookielessTracking"] },
  check(subject) {
    const data = subject.data;
    if (data.product === "piwikpro") {
      const { askConsent, withoutConsent } = data.site;
      if (askConsent && withoutConsent !== "session-cookie") return pass("site.withoutConsent", withoutConsent, "cookieless or nothing", "visitors who have not consented get no cookie to extend");
      return notChecked("Piwik PRO's cookie renewal is UNCONFIRMED: whether the visitor cookie is extended shows only on the live page", askConsent ? "site.withoutConsent" : "site.askConsent");
    }
    if (isKnown(subject, "privacy.forceCookielessTracking") && data.privacy.forceCookielessTracking) return pass("privacy.forceCookielessTracking", true, "true", "the instance tracks without cookies");
    const containers = matomoContainers(data.site);
    if (containers.length && containers.every(([, c]) => c.matomoConfiguration.disableCookies)) return pass("site.tagManager", undefined, "disableCookies", "every Tag Manager container tracks without cookies");
    return notChecked("the callback that stops Matomo from extending its cookie lives in the snippet and shows only on the live page", "site.tagManager");
  },
};
