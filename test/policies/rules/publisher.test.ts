import type { Subject } from "../../../policies/types";
import { container, evaluate, failureOf, findings, judge, liveSubjectsOf, matomo, piwikPro, piwikTag, statuses } from "../fixtures";

describe("CNIL-SINGLE-PUBLISHER", () => {
  test("a site that accepts hits from any URL is refused", () => {
    expect(failureOf(matomo({}, { www: { excludeUnknownUrls: false } }), "CNIL-SINGLE-PUBLISHER")).toMatchObject({ level: "error", field: "site.excludeUnknownUrls" });
  });

  test("a site that accepts only its own URLs passes", () => {
    expect(statuses(matomo(), "CNIL-SINGLE-PUBLISHER")).toEqual(["pass", "pass"]);
  });

  test("two publishers' sites tracking the same URL are both refused", () => {
    const all = judge(matomo({}, { a: { urls: ["https://a.example.gouv.fr", "https://shared.example.gouv.fr"] }, b: { urls: ["https://b.example.gouv.fr", "https://shared.example.gouv.fr"] } }));
    expect(failureOf(all, "CNIL-SINGLE-PUBLISHER", "a")).toMatchObject({ field: "site.urls[1]", found: "https://shared.example.gouv.fr" });
    expect(failureOf(all, "CNIL-SINGLE-PUBLISHER", "b")).toMatchObject({ field: "site.urls[1]" });
  });

  test("a site tracking a path below another publisher's URL is refused", () => {
    const all = judge(piwikPro({}, { a: { urls: ["https://portal.example.gouv.fr"] }, b: { urls: ["https://b.example.gouv.fr", "http://www.portal.example.gouv.fr/b/"] } }));
    expect(failureOf(all, "CNIL-SINGLE-PUBLISHER", "b").message).toMatch(/site 'a'/);
  });

  test("sites of the same publisher may share a URL", () => {
    const config = matomo({}, { a: { publisher: "dinum", urls: ["https://a.example.gouv.fr", "https://shared.example.gouv.fr"] }, b: { publisher: "dinum", urls: ["https://b.example.gouv.fr", "https://shared.example.gouv.fr"] } });
    expect(statuses(config, "CNIL-SINGLE-PUBLISHER")).toEqual(["pass", "pass", "pass", "pass"]);
  });

  test("on the live side an unmanaged site tracking a declared site's URL is reported against both", () => {
    const [declared] = liveSubjectsOf(matomo());
    const unmanaged: Subject = { ...declared, siteKey: "#9", productId: "9", unmanaged: true };
    const sites = [
      { key: "www", publisher: "www", urls: declared.instanceSites[0].urls },
      { key: "#9", publisher: "#9", urls: ["https://www.example.gouv.fr/old"] },
    ];
    const all = evaluate([{ ...declared, instanceSites: sites }, { ...unmanaged, instanceSites: sites }]);
    expect(failureOf(all, "CNIL-SINGLE-PUBLISHER", "www").message).toMatch(/site '#9'/);
  });
});

describe("CNIL-NO-CROSS-SITE-ID", () => {
  test("a cookie domain beyond the site's own domain is refused", () => {
    const f = failureOf(matomo({}, { www: container({ cookieDomain: "*.gouv.fr" }) }), "CNIL-NO-CROSS-SITE-ID");
    expect(f).toMatchObject({ level: "error", field: "site.tagManager.containers.web.matomoConfiguration.cookieDomain", found: "*.gouv.fr" });
  });

  test("a cookie domain that also covers another publisher's site is refused", () => {
    const config = matomo({}, { www: { urls: ["https://www.example.gouv.fr"], ...container({ cookieDomain: "*.example.gouv.fr" }) }, blog: { urls: ["https://blog.example.gouv.fr"] } });
    expect(failureOf(config, "CNIL-NO-CROSS-SITE-ID", "www").message).toMatch(/blog\.example\.gouv\.fr/);
  });

  test("the site's own domain as cookie domain passes", () => {
    expect(statuses(matomo({}, { www: { urls: ["https://www.example.gouv.fr"], ...container({ cookieDomain: "*.example.gouv.fr" }) } }), "CNIL-NO-CROSS-SITE-ID")).toEqual(["pass"]);
  });

  test("no cookie domain at all passes", () => {
    expect(statuses(matomo({}, { www: container() }), "CNIL-NO-CROSS-SITE-ID")).toEqual(["pass"]);
  });

  test("a Piwik PRO tag with a foreign cookie domain is refused", () => {
    expect(failureOf(piwikPro({}, { app: { tags: { tracker: piwikTag({ cookie_domain: ".tracking.example.com" }) } } }), "CNIL-NO-CROSS-SITE-ID")).toMatchObject({
      field: "site.tags.tracker.templateOptions.cookie_domain",
    });
  });

  test("a Piwik PRO tag without a cookie domain passes", () => {
    expect(statuses(piwikPro({}, { app: { tags: { tracker: piwikTag() } } }), "CNIL-NO-CROSS-SITE-ID")).toEqual(["pass"]);
  });
});

describe("CNIL-NO-CROSS-DOMAIN", () => {
  test("Matomo cross-domain linking is refused", () => {
    expect(failureOf(matomo({}, { www: container({ enableCrossDomainLinking: true }) }), "CNIL-NO-CROSS-DOMAIN")).toMatchObject({ level: "error", field: "site.tagManager.containers.web.matomoConfiguration.enableCrossDomainLinking" });
  });

  test("a Matomo container without cross-domain linking passes", () => {
    expect(statuses(matomo({}, { www: container() }), "CNIL-NO-CROSS-DOMAIN")).toEqual(["pass"]);
  });

  test.each([[true], [{ enabled: true }]])("Piwik PRO cross-domain tracking written as %j is refused", (value) => {
    expect(failureOf(piwikPro({}, { app: { tags: { tracker: piwikTag({ cross_domain_tracking: value }) } } }), "CNIL-NO-CROSS-DOMAIN")).toMatchObject({ field: "site.tags.tracker.templateOptions.cross_domain_tracking" });
  });

  test.each([[false], [{ enabled: false }]])("Piwik PRO cross-domain tracking written as %j passes", (value) => {
    expect(statuses(piwikPro({}, { app: { tags: { tracker: piwikTag({ cross_domain_tracking: value }) } } }), "CNIL-NO-CROSS-DOMAIN")).toEqual(["pass"]);
  });
});

describe("CNIL-NO-THIRD-PARTY-COOKIE", () => {
  test("a Piwik PRO tag setting its cookie on another domain is refused", () => {
    expect(failureOf(piwikPro({}, { app: { tags: { tracker: piwikTag({ cookie_domain: "tracking.example.com" }) } } }), "CNIL-NO-THIRD-PARTY-COOKIE")).toMatchObject({ level: "error" });
  });

  test("Piwik PRO's first-party cookie passes", () => {
    expect(statuses(piwikPro({}, { app: { tags: { tracker: piwikTag({ cookie_domain: "app.example.gouv.fr" }) } } }), "CNIL-NO-THIRD-PARTY-COOKIE")).toEqual(["pass"]);
  });

  test("Matomo's third-party cookie lives in the server's config file and is reported as not checked", () => {
    expect(findings(judge(matomo()), "CNIL-NO-THIRD-PARTY-COOKIE")[0]).toMatchObject({ status: "not-checked", message: expect.stringMatching(/use_third_party_id_cookie/) });
  });
});
