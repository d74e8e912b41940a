import { container, evaluate, failureOf, findings, judge, liveSubjectsOf, matomo, matomoApiUnknown, piwikPro, piwikTag, statuses, tag } from "../fixtures";

describe("CNIL-DNT", () => {
  test("a Matomo instance ignoring Do-Not-Track is reported as information", () => {
    expect(failureOf(matomo({ privacy: { doNotTrack: false } }), "CNIL-DNT")).toMatchObject({ level: "info" });
  });

  test("a Matomo instance honouring Do-Not-Track passes", () => {
    expect(statuses(matomo(), "CNIL-DNT")).toEqual(["pass"]);
  });

  test("on Piwik PRO Do-Not-Track is not checked yet", () => {
    expect(statuses(piwikPro(), "CNIL-DNT")).toEqual(["not-checked"]);
  });
});

describe("CNIL-EVIDENCE-2025", () => {
  test("a declaration is not evidence of the live configuration", () => {
    expect(statuses(matomo(), "CNIL-EVIDENCE-2025")).toEqual(["not-applicable"]);
  });

  test("a dated report of the live configuration is the evidence", () => {
    const [f] = findings(evaluate(liveSubjectsOf(matomo(), matomoApiUnknown())), "CNIL-EVIDENCE-2025");
    expect(f).toMatchObject({ status: "pass", level: "info", message: expect.stringContaining("2026-03-01") });
  });
});

describe("CNIL-HYBRID-SEPARATION", () => {
  test("a Piwik PRO app without the Consent Manager is refused", () => {
    expect(failureOf(piwikPro({}, { app: { askConsent: false } }), "CNIL-HYBRID-SEPARATION")).toMatchObject({ level: "error", field: "site.askConsent" });
  });

  test("a Piwik PRO app giving a session cookie to visitors who have not consented gets a warning", () => {
    expect(failureOf(piwikPro({}, { app: { withoutConsent: "session-cookie" } }), "CNIL-HYBRID-SEPARATION")).toMatchObject({ level: "warning" });
  });

  test("a Piwik PRO app collecting without cookies from visitors who have not consented passes", () => {
    expect(statuses(piwikPro(), "CNIL-HYBRID-SEPARATION")).toEqual(["pass"]);
  });

  test("on Matomo per-feature consent gating is left to the live page", () => {
    expect(statuses(matomo(), "CNIL-HYBRID-SEPARATION")).toEqual(["not-checked"]);
  });
});

describe("TRANSPARENCY-PUBLIC-STATS", () => {
  test("public statistics with the visitor log on are refused", () => {
    const f = failureOf(matomo({ access: { publicStats: true } }, { www: { features: { visitorLog: true } } }), "TRANSPARENCY-PUBLIC-STATS");
    expect(f).toMatchObject({ level: "error", field: "access.publicStats", path: "instances.stats.access.publicStats" });
  });

  test("public statistics with IPs masked by one byte are refused", () => {
    expect(failureOf(matomo({ privacy: { ipMaskBytes: 1 } }, { www: { publicStats: true } }), "TRANSPARENCY-PUBLIC-STATS")).toMatchObject({ field: "site.publicStats" });
  });

  test("public statistics with the visitor log off and IPs masked pass", () => {
    expect(statuses(matomo({ access: { publicStats: true } }), "TRANSPARENCY-PUBLIC-STATS")).toEqual(["pass"]);
  });

  test("a site that keeps its statistics private on a public instance is not concerned", () => {
    expect(statuses(matomo({ access: { publicStats: true } }, { www: { publicStats: false, features: { visitorLog: true } } }), "TRANSPARENCY-PUBLIC-STATS")).toEqual(["not-applicable"]);
  });

  test("on the live Matomo side public statistics whose visitor log cannot be read are not observable", () => {
    const [f] = findings(evaluate(liveSubjectsOf(matomo({ access: { publicStats: true } }), matomoApiUnknown())), "TRANSPARENCY-PUBLIC-STATS");
    expect(f).toMatchObject({ status: "not-observable", field: "site.features.visitorLog" });
  });

  test("on the live Matomo side private statistics need nothing unreadable", () => {
    expect(statuses(evaluate(liveSubjectsOf(matomo(), matomoApiUnknown())), "TRANSPARENCY-PUBLIC-STATS")).toEqual(["not-applicable"]);
  });

  test("the rule is not applied to Piwik PRO, which has no public statistics to judge", () => {
    expect(statuses(piwikPro(), "TRANSPARENCY-PUBLIC-STATS")).toEqual([]);
  });
});

describe("CNIL-TAG-CONSENT-ANALYTICS", () => {
  test("a Piwik PRO tag that does not require consent is refused", () => {
    const f = failureOf(piwikPro({}, { app: { tags: { tracker: piwikTag(undefined, { consentType: "not_require_consent" }) } } }), "CNIL-TAG-CONSENT-ANALYTICS");
    expect(f).toMatchObject({ level: "error", field: "site.tags.tracker.consentType", found: "not_require_consent" });
  });

  test("a Piwik PRO tag with the analytics consent type passes", () => {
    expect(statuses(piwikPro({}, { app: { tags: { tracker: piwikTag() } } }), "CNIL-TAG-CONSENT-ANALYTICS")).toEqual(["pass"]);
  });

  test("on a consent site a wrong consent type is only information", () => {
    expect(failureOf(piwikPro({}, { app: { mode: "consent", tags: { tracker: piwikTag(undefined, { consentType: "custom_consent" }) } } }), "CNIL-TAG-CONSENT-ANALYTICS")).toMatchObject({ level: "info" });
  });
});

describe("CNIL-NO-UNCONSENTED-TAGS", () => {
  test("a Matomo Tag Manager tag other than the Matomo tag that fires without consent is refused", () => {
    const f = failureOf(matomo({}, { www: container({}, { chat: { name: "Chat", type: "CustomHtml", firesWithoutConsent: true } }) }), "CNIL-NO-UNCONSENTED-TAGS");
    expect(f).toMatchObject({ level: "error", field: "site.tagManager.containers.web.tags.chat.firesWithoutConsent" });
  });

  test("the Matomo tag itself may fire without consent", () => {
    expect(statuses(matomo({}, { www: container({}, { analytics: { name: "Matomo", type: "Matomo", firesWithoutConsent: true } }) }), "CNIL-NO-UNCONSENTED-TAGS")).toEqual(["pass"]);
  });

  test("a Piwik PRO tag other than the Piwik PRO tag that fires without consent is refused", () => {
    expect(failureOf(piwikPro({}, { app: { tags: { tracker: piwikTag(), chat: tag("custom_tag", "not_require_consent") } } }), "CNIL-NO-UNCONSENTED-TAGS")).toMatchObject({ field: "site.tags.chat.consentType" });
  });

  test("with the Consent Manager off every other Piwik PRO tag fires without consent and is refused", () => {
    expect(failureOf(piwikPro({}, { app: { askConsent: false, tags: { chat: tag("custom_tag", "custom_consent") } } }), "CNIL-NO-UNCONSENTED-TAGS")).toMatchObject({ field: "site.askConsent" });
  });

  test("a Piwik PRO tag that waits for its consent passes", () => {
    expect(statuses(piwikPro({}, { app: { tags: { tracker: piwikTag(), chat: tag("custom_tag", "custom_consent") } } }), "CNIL-NO-UNCONSENTED-TAGS")).toEqual(["pass"]);
  });
});
