import { container, failureOf, findings, judge, liveSubjectsOf, evaluate, matomo, matomoApiUnknown, piwikPro, piwikTag, statuses, tag } from "../fixtures";

describe("CNIL-AGGREGATE-ONLY", () => {
  test("a Matomo site with the visitor log on is refused", () => {
    expect(failureOf(matomo({}, { www: { features: { visitorLog: true } } }), "CNIL-AGGREGATE-ONLY")).toMatchObject({ level: "error", field: "site.features.visitorLog" });
  });

  test("a Matomo site with the visitor log off passes", () => {
    expect(statuses(matomo(), "CNIL-AGGREGATE-ONLY")).toEqual(["pass"]);
  });

  test("on Piwik PRO the hidden session log is to be confirmed by a person, never passed", () => {
    const [f] = findings(judge(piwikPro()), "CNIL-AGGREGATE-ONLY");
    expect(f).toMatchObject({ status: "to-confirm", level: "attestation" });
    expect(f.message).toMatch(/session log/);
  });

  test("on Piwik PRO an attestation that the session log is hidden is shown as attested", () => {
    const all = judge(piwikPro({}, { app: { attestations: [{ rule: "CNIL-AGGREGATE-ONLY", by: "ops@example.gouv.fr", at: "2026-02-01" }] } }));
    expect(findings(all, "CNIL-AGGREGATE-ONLY")[0]).toMatchObject({ status: "attested", attestation: { by: "ops@example.gouv.fr", until: "2027-02-01" } });
  });

  test("on the live Matomo side the visitor log switch is not observable", () => {
    const [f] = findings(evaluate(liveSubjectsOf(matomo(), matomoApiUnknown())), "CNIL-AGGREGATE-ONLY");
    expect(f).toMatchObject({ status: "not-observable", field: "site.features.visitorLog", enforcedOnApply: false });
  });
});

describe("CNIL-IP-MASK-2B", () => {
  test("a Matomo instance masking one byte is refused", () => {
    expect(failureOf(matomo({ privacy: { ipMaskBytes: 1 } }), "CNIL-IP-MASK-2B")).toMatchObject({ level: "error", found: 1, path: "instances.stats.privacy.ipMaskBytes" });
  });

  test("a Matomo instance masking two bytes passes", () => {
    expect(statuses(matomo({ privacy: { ipMaskBytes: 2 } }), "CNIL-IP-MASK-2B")).toEqual(["pass"]);
  });

  test("a Piwik PRO account that does not mask IPs is refused", () => {
    expect(failureOf(piwikPro({ privacy: { ipMaskBytes: 0 } }), "CNIL-IP-MASK-2B")).toMatchObject({ level: "error", found: 0 });
  });

  test("a Piwik PRO account masking one byte meets the guide's minimum but gets a warning", () => {
    expect(failureOf(piwikPro({ privacy: { ipMaskBytes: 1 } }), "CNIL-IP-MASK-2B")).toMatchObject({ level: "warning", found: 1 });
  });

  test("a Piwik PRO account masking two bytes passes", () => {
    expect(statuses(piwikPro({ privacy: { ipMaskBytes: 2 } }), "CNIL-IP-MASK-2B")).toEqual(["pass"]);
  });

  test("a Piwik PRO account that drops the IP entirely passes whatever the mask", () => {
    expect(statuses(piwikPro({ privacy: { ipMaskBytes: 0, dropIp: true } }), "CNIL-IP-MASK-2B")).toEqual(["pass"]);
  });
});

describe("CNIL-IP-ENRICH-ANON", () => {
  test.each([
    ["Matomo", matomo({ privacy: { useMaskedIpForEnrichment: false } })],
    ["Piwik PRO", piwikPro({ privacy: { useMaskedIpForEnrichment: false } })],
  ])("%s enrichment from the full IP is refused", (_, config) => {
    expect(failureOf(config, "CNIL-IP-ENRICH-ANON")).toMatchObject({ level: "error", field: "privacy.useMaskedIpForEnrichment" });
  });

  test.each([["Matomo", matomo()], ["Piwik PRO", piwikPro()]])("%s enrichment from the masked IP passes", (_, config) => {
    expect(statuses(config, "CNIL-IP-ENRICH-ANON")).toEqual(["pass"]);
  });
});

describe("CNIL-GEO-CITY", () => {
  test("Piwik PRO geolocation left unanonymised is refused", () => {
    expect(failureOf(piwikPro({ privacy: { geolocation: "none" } }), "CNIL-GEO-CITY")).toMatchObject({ level: "error", field: "privacy.geolocation", found: "none" });
  });

  test("Piwik PRO geolocation at city level passes", () => {
    expect(statuses(piwikPro({ privacy: { geolocation: "city" } }), "CNIL-GEO-CITY")).toEqual(["pass"]);
  });

  test("Matomo geolocation from an IP masked by one byte is refused", () => {
    expect(failureOf(matomo({ privacy: { ipMaskBytes: 1 } }), "CNIL-GEO-CITY")).toMatchObject({ field: "privacy.ipMaskBytes" });
  });

  test("Matomo geolocation from the full IP is refused", () => {
    expect(failureOf(matomo({ privacy: { useMaskedIpForEnrichment: false } }), "CNIL-GEO-CITY")).toMatchObject({ field: "privacy.useMaskedIpForEnrichment" });
  });

  test("Matomo geolocation from an IP masked by two bytes passes", () => {
    expect(statuses(matomo(), "CNIL-GEO-CITY")).toEqual(["pass"]);
  });
});

describe("CNIL-NO-USERID", () => {
  test("a Matomo Tag Manager container that sends a User ID is refused", () => {
    const f = failureOf(matomo({}, { www: container({ userId: "{{AccountId}}" }) }), "CNIL-NO-USERID");
    expect(f).toMatchObject({ level: "error", field: "site.tagManager.containers.web.matomoConfiguration.userId", path: "instances.stats.sites.www.tagManager.containers.web.matomoConfiguration.userId" });
  });

  test("a Matomo Tag Manager container without a User ID passes", () => {
    expect(statuses(matomo({}, { www: container() }), "CNIL-NO-USERID")).toEqual(["pass"]);
  });

  test("without a Tag Manager container the snippet's setUserId is not checked", () => {
    expect(statuses(matomo(), "CNIL-NO-USERID")).toEqual(["not-checked"]);
  });

  test("a Piwik PRO tag with a user_id option is refused", () => {
    expect(failureOf(piwikPro({}, { app: { tags: { tracker: piwikTag({ user_id: "{{ user }}" }) } } }), "CNIL-NO-USERID")).toMatchObject({ field: "site.tags.tracker.templateOptions.user_id" });
  });

  test("a Piwik PRO tag without a user_id option passes", () => {
    expect(statuses(piwikPro({}, { app: { tags: { tracker: piwikTag({ user_id: "" }) } } }), "CNIL-NO-USERID")).toEqual(["pass"]);
  });
});

describe("CNIL-REFERRER-ANON", () => {
  test("a Matomo instance that keeps referrers whole is refused", () => {
    expect(failureOf(matomo({ privacy: { referrer: "keep" } }), "CNIL-REFERRER-ANON")).toMatchObject({ level: "error", found: "keep" });
  });

  test("a Matomo instance that removes the referrer's query string passes", () => {
    expect(statuses(matomo({ privacy: { referrer: "exclude_query" } }), "CNIL-REFERRER-ANON")).toEqual(["pass"]);
  });

  test("on Piwik PRO referrer anonymisation is to be confirmed by a person", () => {
    expect(statuses(piwikPro(), "CNIL-REFERRER-ANON")).toEqual(["to-confirm"]);
  });

  test("on Piwik PRO an attestation given on the account covers referrer anonymisation for every app", () => {
    const all = judge(piwikPro({ attestations: [{ rule: "CNIL-REFERRER-ANON", by: "dpo@example.gouv.fr", at: "2026-01-05" }] }, { app: {}, blog: {} }));
    expect(statuses(all, "CNIL-REFERRER-ANON")).toEqual(["attested", "attested"]);
  });
});

describe("CNIL-ECOMMERCE-OFF", () => {
  test("Matomo ecommerce with anonymised order ids gets a warning", () => {
    expect(failureOf(matomo({}, { www: { ecommerce: true } }), "CNIL-ECOMMERCE-OFF")).toMatchObject({ level: "warning", field: "site.ecommerce" });
  });

  test("Matomo ecommerce with order ids stored as sent is refused", () => {
    expect(failureOf(matomo({ privacy: { anonymizeOrderId: false } }, { www: { ecommerce: true } }), "CNIL-ECOMMERCE-OFF")).toMatchObject({ level: "error", field: "privacy.anonymizeOrderId" });
  });

  test("a site without ecommerce passes", () => {
    expect(statuses(matomo(), "CNIL-ECOMMERCE-OFF")).toEqual(["pass"]);
  });

  test("Piwik PRO ecommerce gets a warning", () => {
    expect(failureOf(piwikPro({}, { app: { ecommerce: true } }), "CNIL-ECOMMERCE-OFF")).toMatchObject({ level: "warning" });
  });

  test("on the live Matomo side ecommerce is still judged though order-id anonymisation cannot be read", () => {
    const on = evaluate(liveSubjectsOf(matomo({}, { www: { ecommerce: true } }), matomoApiUnknown()));
    expect(failureOf(on, "CNIL-ECOMMERCE-OFF")).toMatchObject({ level: "warning", side: "live", message: expect.stringMatching(/cannot be read/) });
    expect(statuses(evaluate(liveSubjectsOf(matomo(), matomoApiUnknown())), "CNIL-ECOMMERCE-OFF")).toEqual(["pass"]);
  });
});

describe("CNIL-NO-HSR", () => {
  test("heatmaps on an exempt Matomo site are refused", () => {
    expect(failureOf(matomo({}, { www: { features: { heatmaps: true } } }), "CNIL-NO-HSR")).toMatchObject({ level: "error", field: "site.features.heatmaps" });
  });

  test("session recordings on an exempt Matomo site are refused", () => {
    expect(failureOf(matomo({}, { www: { features: { sessionRecordings: true } } }), "CNIL-NO-HSR")).toMatchObject({ field: "site.features.sessionRecordings" });
  });

  test("a Matomo site without heatmaps or recordings passes", () => {
    expect(statuses(matomo(), "CNIL-NO-HSR")).toEqual(["pass", "pass"]);
  });

  test("heatmaps on a consent site pass when every container waits for consent", () => {
    const config = matomo({}, { www: { mode: "consent", features: { heatmaps: true }, ...container({ requireConsent: true }) } });
    expect(statuses(config, "CNIL-NO-HSR")).toEqual(["pass", "pass"]);
  });

  test("heatmaps on a consent site without declared consent gating are left to the live page", () => {
    expect(statuses(matomo({}, { www: { mode: "consent", features: { heatmaps: true } } }), "CNIL-NO-HSR")).toEqual(["not-checked", "pass"]);
  });

  test("a Piwik PRO heatmap tag that fires without consent is refused, on a consent site too, at error level", () => {
    const f = failureOf(piwikPro({}, { app: { mode: "consent", tags: { hj: tag("hot_jar", "not_require_consent") } } }), "CNIL-NO-HSR");
    expect(f).toMatchObject({ level: "error", mode: "consent", field: "site.tags.hj.consentType" });
  });

  test("a Piwik PRO heatmap tag that waits for consent passes", () => {
    expect(statuses(piwikPro({}, { app: { tags: { hj: tag("hot_jar", "user_feedback") } } }), "CNIL-NO-HSR")).toEqual(["pass"]);
  });
});

describe("CNIL-DEVICE-MINIMISE", () => {
  test.each([["Matomo", matomo()], ["Piwik PRO", piwikPro()]])("on %s device minimisation is reported as information, not checked", (_, config) => {
    expect(findings(judge(config), "CNIL-DEVICE-MINIMISE")).toEqual([expect.objectContaining({ status: "not-checked", level: "info" })]);
  });
});
