import { container, evaluate, failureOf, findings, judge, liveSubjectsOf, matomo, matomoApiUnknown, piwikPro, piwikTag, statuses } from "../fixtures";

describe("CNIL-COOKIE-13M", () => {
  test("a Matomo visitor cookie of 400 days is refused", () => {
    expect(failureOf(matomo({}, { www: container({ visitorCookieDays: 400 }) }), "CNIL-COOKIE-13M")).toMatchObject({ level: "error", found: 400 });
  });

  test("a Matomo visitor cookie of 393 days passes", () => {
    expect(statuses(matomo({}, { www: container({ visitorCookieDays: 393 }) }), "CNIL-COOKIE-13M")).toEqual(["pass"]);
  });

  test("a long cookie lifetime is harmless when the container sets no cookie", () => {
    expect(statuses(matomo({}, { www: container({ visitorCookieDays: 400, disableCookies: true }) }), "CNIL-COOKIE-13M")).toEqual(["pass"]);
  });

  test("an instance that forces cookieless tracking passes", () => {
    expect(statuses(matomo({ privacy: { forceCookielessTracking: true } }, { www: container({ visitorCookieDays: 400 }) }), "CNIL-COOKIE-13M")).toEqual(["pass"]);
  });

  test("a consent site keeps the 13-month limit at error level", () => {
    expect(failureOf(matomo({}, { www: { mode: "consent", ...container({ visitorCookieDays: 500 }) } }), "CNIL-COOKIE-13M")).toMatchObject({ level: "error", mode: "consent" });
  });

  test("on the live Matomo side a long container cookie is not observable, since the cookieless switch cannot be read", () => {
    const [f] = findings(evaluate(liveSubjectsOf(matomo({}, { www: container({ visitorCookieDays: 400 }) }), matomoApiUnknown())), "CNIL-COOKIE-13M");
    expect(f).toMatchObject({ status: "not-observable", field: "privacy.forceCookielessTracking", enforcedOnApply: true });
  });

  test("on the live Matomo side a container cookie within 13 months still passes", () => {
    expect(statuses(evaluate(liveSubjectsOf(matomo({}, { www: container() }), matomoApiUnknown())), "CNIL-COOKIE-13M")).toEqual(["pass"]);
  });

  test("a Piwik PRO visitor cookie over 13 months in any unit is refused", () => {
    expect(failureOf(piwikPro({}, { app: { tags: { tracker: piwikTag({ visitor_cookie_timeout: 40_000_000 }) } } }), "CNIL-COOKIE-13M")).toMatchObject({ level: "error" });
  });

  test("a Piwik PRO visitor cookie of 393 passes whatever its unit", () => {
    expect(statuses(piwikPro({}, { app: { tags: { tracker: piwikTag({ visitor_cookie_timeout: 393 }) } } }), "CNIL-COOKIE-13M")).toEqual(["pass"]);
  });

  test("a Piwik PRO visitor cookie whose verdict hangs on the unconfirmed unit is not checked", () => {
    expect(statuses(piwikPro({}, { app: { tags: { tracker: piwikTag({ visitor_cookie_timeout: 1_000_000 }) } } }), "CNIL-COOKIE-13M")).toEqual(["not-checked"]);
  });
});

describe("CNIL-COOKIE-NO-EXTEND", () => {
  test("a Matomo container without cookies passes", () => {
    expect(statuses(matomo({}, { www: container({ disableCookies: true }) }), "CNIL-COOKIE-NO-EXTEND")).toEqual(["pass"]);
  });

  test("a Matomo container with cookies is left to the live page, where the non-extension callback shows", () => {
    expect(statuses(matomo({}, { www: container() }), "CNIL-COOKIE-NO-EXTEND")).toEqual(["not-checked"]);
  });

  test("Piwik PRO visitors who have not consented get no cookie to extend", () => {
    expect(statuses(piwikPro(), "CNIL-COOKIE-NO-EXTEND")).toEqual(["pass"]);
  });

  test("a Piwik PRO session cookie for visitors who have not consented is left to the live page", () => {
    expect(statuses(piwikPro({}, { app: { withoutConsent: "session-cookie" } }), "CNIL-COOKIE-NO-EXTEND")).toEqual(["not-checked"]);
  });
});

describe("CNIL-RETENTION-25M", () => {
  test("raw data kept forever is refused", () => {
    expect(failureOf(matomo({ privacy: { rawDataRetentionMonths: "unlimited" } }), "CNIL-RETENTION-25M")).toMatchObject({ level: "error", found: "unlimited" });
  });

  test("raw data kept 26 months (780 days) is refused", () => {
    expect(failureOf(matomo({ privacy: { rawDataRetentionMonths: 26 } }), "CNIL-RETENTION-25M").message).toMatch(/780 days/);
  });

  test("raw data kept 25 months (750 days) passes", () => {
    expect(statuses(matomo({ privacy: { rawDataRetentionMonths: 25 } }), "CNIL-RETENTION-25M")).toEqual(["pass"]);
  });

  test("a consent site keeps the retention limit at error level", () => {
    expect(failureOf(matomo({ privacy: { rawDataRetentionMonths: 36 } }, { www: { mode: "consent" } }), "CNIL-RETENTION-25M")).toMatchObject({ level: "error" });
  });

  test("Piwik PRO retention is contractual: to be confirmed until attested, then attested", () => {
    expect(statuses(piwikPro(), "CNIL-RETENTION-25M")).toEqual(["to-confirm"]);
    const attested = judge(piwikPro({ attestations: [{ rule: "CNIL-RETENTION-25M", by: "dpo@example.gouv.fr", at: "2025-12-01", note: "Enterprise plan, 25 months" }] }));
    expect(findings(attested, "CNIL-RETENTION-25M")[0]).toMatchObject({ status: "attested", level: "attestation", attestation: { note: "Enterprise plan, 25 months" } });
  });

  test("on the live Matomo side retention is not observable, and enforced on every apply", () => {
    expect(findings(evaluate(liveSubjectsOf(matomo(), matomoApiUnknown())), "CNIL-RETENTION-25M")[0]).toMatchObject({ status: "not-observable", enforcedOnApply: true });
  });

  test("on the live Matomo side retention read by the database observer is judged, with that evidence", () => {
    const { ["privacy.rawDataRetentionMonths"]: _, ...unknown } = matomoApiUnknown();
    const [f] = findings(evaluate(liveSubjectsOf(matomo(), unknown, { "privacy.rawDataRetentionMonths": "database" })), "CNIL-RETENTION-25M");
    expect(f).toMatchObject({ status: "pass", evidence: "database" });
  });
});

describe("CNIL-RETENTION-REVIEW", () => {
  test("a review attested less than 12 months ago holds", () => {
    expect(statuses(matomo({ attestations: [{ rule: "CNIL-RETENTION-REVIEW", by: "dpo@example.gouv.fr", at: "2025-06-01" }] }), "CNIL-RETENTION-REVIEW")).toEqual(["attested"]);
  });

  test("a review attested more than 12 months ago is to be confirmed again", () => {
    const [f] = findings(judge(matomo({ attestations: [{ rule: "CNIL-RETENTION-REVIEW", by: "dpo@example.gouv.fr", at: "2025-02-01" }] })), "CNIL-RETENTION-REVIEW");
    expect(f).toMatchObject({ status: "to-confirm", message: expect.stringMatching(/expired on 2026-02-01/) });
  });
});
