import { failureOf, judge, matomo, piwikPro, statuses, tag } from "../fixtures";

describe("CNIL-NO-MARKETING", () => {
  test("a Matomo site with marketing campaign reporting on is refused", () => {
    const f = failureOf(matomo({}, { www: { features: { marketingCampaigns: true } } }), "CNIL-NO-MARKETING");
    expect(f).toMatchObject({ level: "error", field: "site.features.marketingCampaigns", path: "instances.stats.sites.www.features.marketingCampaigns" });
  });

  test("a Matomo site without marketing campaign reporting passes", () => {
    expect(statuses(matomo(), "CNIL-NO-MARKETING")).toEqual(["pass"]);
  });

  test("a Piwik PRO advertising tag that fires without consent is refused", () => {
    const f = failureOf(piwikPro({}, { app: { tags: { ads: tag("google_adwords", "not_require_consent") } } }), "CNIL-NO-MARKETING");
    expect(f).toMatchObject({ level: "error", field: "site.tags.ads.consentType", found: "not_require_consent" });
  });

  test("a Piwik PRO advertising tag that waits for remarketing consent passes, and the integrations still need a person", () => {
    expect(statuses(piwikPro({}, { app: { tags: { ads: tag("google_adwords", "remarketing") } } }), "CNIL-NO-MARKETING")).toEqual(["pass", "to-confirm"]);
  });

  test("on Piwik PRO, an attestation that the integrations are off is shown as attested", () => {
    const all = judge(piwikPro({ attestations: [{ rule: "CNIL-NO-MARKETING", by: "dpo@example.gouv.fr", at: "2026-01-10" }] }));
    expect(statuses(all, "CNIL-NO-MARKETING")).toEqual(["pass", "attested"]);
  });
});

describe("CNIL-NO-COHORTS", () => {
  test("a Matomo site running A/B tests is refused", () => {
    expect(failureOf(matomo({}, { www: { features: { abTesting: true } } }), "CNIL-NO-COHORTS")).toMatchObject({ level: "error", field: "site.features.abTesting" });
  });

  test("a Matomo site without A/B tests passes", () => {
    expect(statuses(matomo(), "CNIL-NO-COHORTS")).toEqual(["pass"]);
  });

  test("a Piwik PRO A/B testing tag that fires without consent is refused", () => {
    expect(failureOf(piwikPro({}, { app: { tags: { ab: tag("optimizely", "not_require_consent") } } }), "CNIL-NO-COHORTS")).toMatchObject({ field: "site.tags.ab.consentType" });
  });

  test("with the Consent Manager off, even an A/B testing tag with its own consent type fires for everyone and is refused", () => {
    const f = failureOf(piwikPro({}, { app: { askConsent: false, tags: { ab: tag("ab_tasty", "ab_testing_and_personalization") } } }), "CNIL-NO-COHORTS");
    expect(f).toMatchObject({ field: "site.askConsent", found: false });
  });

  test("a Piwik PRO A/B testing tag that waits for its consent passes", () => {
    expect(statuses(piwikPro({}, { app: { tags: { ab: tag("visual_website_optimizer", "ab_testing_and_personalization") } } }), "CNIL-NO-COHORTS")).toEqual(["pass"]);
  });

  test("an inactive A/B testing tag fires for nobody and passes", () => {
    expect(statuses(piwikPro({}, { app: { tags: { ab: tag("optimizely", "not_require_consent", { active: false }) } } }), "CNIL-NO-COHORTS")).toEqual(["pass"]);
  });
});
