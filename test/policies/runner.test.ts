import { Config } from "../../model/config";
import { CnilPack, evaluatePack, isBlocking, unknownAt } from "../../policies";
import type { Subject } from "../../policies/types";
import { container, evaluate, failureOf, findings, judge, liveSubjectsOf, matomo, matomoApiUnknown, piwikPro, piwikTag, statuses, subjectsOf, TODAY } from "./fixtures";

const reason = "Legacy tracker kept until the migration in June";
const owner = "dpo@example.gouv.fr";

describe("suppressions", () => {
  test("the model refuses a suppression without a written reason", () => {
    expect(() => Config.parse(matomo({}, { www: { suppressions: [{ rule: "CNIL-DNT", owner } as never] } }))).toThrow(/reason/);
    expect(() => Config.parse(matomo({}, { www: { suppressions: [{ rule: "CNIL-DNT", reason: "because", owner }] } }))).toThrow(/at least 10 characters/);
  });

  test("the model refuses a suppression without an owner", () => {
    expect(() => Config.parse(matomo({}, { www: { suppressions: [{ rule: "CNIL-DNT", reason } as never] } }))).toThrow(/owner/);
  });

  test("a suppression with a reason and an owner turns a violation into an accepted, reported deviation", () => {
    const [f] = findings(judge(matomo({}, { www: { features: { heatmaps: true }, suppressions: [{ rule: "CNIL-NO-HSR", reason, owner, expires: "2026-06-30" }] } })), "CNIL-NO-HSR").filter((x) => x.field === "site.features.heatmaps");
    expect(f).toMatchObject({ status: "suppressed", level: "error", suppression: { reason, owner, expires: "2026-06-30", on: "site" } });
    expect(isBlocking(f)).toBe(false);
  });

  test("an expired suppression fails again, and says so", () => {
    const f = failureOf(matomo({}, { www: { features: { heatmaps: true }, suppressions: [{ rule: "CNIL-NO-HSR", reason, owner, expires: "2026-02-28" }] } }), "CNIL-NO-HSR");
    expect(f.message).toMatch(/expired on 2026-02-28/);
    expect(isBlocking(f)).toBe(true);
  });

  test("a suppression still valid today holds until the end of its expiry day", () => {
    expect(statuses(matomo({}, { www: { features: { abTesting: true }, suppressions: [{ rule: "CNIL-NO-COHORTS", reason, owner, expires: TODAY }] } }), "CNIL-NO-COHORTS")).toEqual(["suppressed"]);
  });

  test.each([
    ["CNIL-IP-MASK-2B", matomo({ privacy: { ipMaskBytes: 1 }, suppressions: [{ rule: "CNIL-IP-MASK-2B", reason, owner }] })],
    ["CNIL-SINGLE-PUBLISHER", matomo({}, { www: { excludeUnknownUrls: false, suppressions: [{ rule: "CNIL-SINGLE-PUBLISHER", reason, owner }] } })],
    ["CNIL-NO-USERID", matomo({}, { www: { ...container({ userId: "u" }), suppressions: [{ rule: "CNIL-NO-USERID", reason, owner }] } })],
    ["CNIL-NO-CROSS-SITE-ID", matomo({}, { www: { ...container({ cookieDomain: "*.gouv.fr" }), suppressions: [{ rule: "CNIL-NO-CROSS-SITE-ID", reason, owner }] } })],
  ])("the core condition %s cannot be suppressed on an exempt site", (id, config) => {
    const f = failureOf(config, id);
    expect(f.message).toMatch(/cannot be suppressed on an exempt site/);
    expect(isBlocking(f)).toBe(true);
  });

  test("a core condition can be suppressed on a consent site", () => {
    const config = matomo({ privacy: { ipMaskBytes: 1 }, suppressions: [{ rule: "CNIL-IP-MASK-2B", reason, owner }] }, { www: { mode: "consent" } });
    expect(findings(judge(config), "CNIL-IP-MASK-2B")).toEqual([expect.objectContaining({ status: "suppressed", level: "info", suppression: expect.objectContaining({ on: "instance" }) })]);
  });

  test("an instance-wide rule suppressed on the instance is suppressed for every site", () => {
    const config = matomo({ privacy: { referrer: "keep" }, suppressions: [{ rule: "CNIL-REFERRER-ANON", reason, owner }] }, { a: {}, b: {} });
    expect(statuses(config, "CNIL-REFERRER-ANON")).toEqual(["suppressed", "suppressed"]);
  });

  test("a site rule suppressed on the instance is an error: it must be suppressed on the site it excuses", () => {
    const all = judge(matomo({ suppressions: [{ rule: "CNIL-NO-HSR", reason, owner }] }, { www: { features: { heatmaps: true } } }));
    expect(failureOf(all, "EXEMPT-SUPPRESSION-SCOPE")).toMatchObject({ path: "instances.stats.suppressions[0]" });
    expect(failureOf(all, "CNIL-NO-HSR")).toMatchObject({ status: "fail" });
  });

  test("a suppression naming an unknown rule is an error", () => {
    const f = failureOf(matomo({}, { www: { suppressions: [{ rule: "CNIL-IP-MASK-3B", reason, owner }] } }), "EXEMPT-UNKNOWN-RULE");
    expect(f).toMatchObject({ level: "error", path: "instances.stats.sites.www.suppressions[0]" });
    expect(isBlocking(f)).toBe(true);
  });

  test("a suppression of a rule that passes changes nothing", () => {
    expect(statuses(matomo({}, { www: { suppressions: [{ rule: "CNIL-NO-HSR", reason, owner }] } }), "CNIL-NO-HSR")).toEqual(["pass", "pass"]);
  });
});

describe("consent sites", () => {
  const violating = { privacy: { ipMaskBytes: 1, referrer: "keep" as const, rawDataRetentionMonths: "unlimited" as const } };

  test("a consent site's exemption rules drop to information and do not block", () => {
    const all = judge(matomo(violating, { www: { mode: "consent", features: { visitorLog: true, abTesting: true } } }));
    for (const id of ["CNIL-IP-MASK-2B", "CNIL-REFERRER-ANON", "CNIL-AGGREGATE-ONLY", "CNIL-NO-COHORTS"]) expect([id, failureOf(all, id).level]).toEqual([id, "info"]);
  });

  test("a consent site keeps the data-protection rules at their level", () => {
    const all = judge(matomo(violating, { www: { mode: "consent", ...container({ visitorCookieDays: 800 }) } }));
    expect(failureOf(all, "CNIL-RETENTION-25M").level).toBe("error");
    expect(failureOf(all, "CNIL-COOKIE-13M").level).toBe("error");
  });

  test("the same settings on an exempt site are errors", () => {
    const all = judge(matomo(violating));
    expect(failureOf(all, "CNIL-IP-MASK-2B").level).toBe("error");
    expect(failureOf(all, "CNIL-REFERRER-ANON").level).toBe("error");
  });

  test("a rule's own lower level drops to information on a consent site too", () => {
    expect(failureOf(piwikPro({ privacy: { ipMaskBytes: 1 } }, { app: { mode: "consent" } }), "CNIL-IP-MASK-2B").level).toBe("info");
  });
});

describe("the live side", () => {
  test("Matomo privacy settings the API cannot read are not observable, enforced on every apply, and never passed", () => {
    const all = evaluate(liveSubjectsOf(matomo(), matomoApiUnknown()));
    for (const id of ["CNIL-IP-MASK-2B", "CNIL-IP-ENRICH-ANON", "CNIL-REFERRER-ANON", "CNIL-RETENTION-25M", "CNIL-GEO-CITY", "CNIL-DNT"])
      expect([id, findings(all, id)]).toEqual([id, [expect.objectContaining({ status: "not-observable", enforcedOnApply: true, side: "live" })]]);
  });

  test("a not-observable finding names the field and says it cannot be read through the Matomo API", () => {
    const [f] = findings(evaluate(liveSubjectsOf(matomo(), matomoApiUnknown())), "CNIL-IP-MASK-2B");
    expect(f).toMatchObject({ field: "privacy.ipMaskBytes", path: "instances.stats.privacy.ipMaskBytes", message: expect.stringMatching(/cannot be read through the Matomo API \(enforced on every apply\)/) });
  });

  test("a setting the database observer read is judged on the live side, with database evidence", () => {
    const { ["privacy.ipMaskBytes"]: _, ...unknown } = matomoApiUnknown();
    const [live] = liveSubjectsOf(matomo(), unknown, { "privacy.ipMaskBytes": "database" });
    const bad: Subject = { ...live, data: { ...live.data, privacy: { ...live.data.privacy, ipMaskBytes: 0 } } as Subject["data"] };
    expect(failureOf(evaluate([bad]), "CNIL-IP-MASK-2B")).toMatchObject({ side: "live", evidence: "database", found: 0 });
  });

  test("Piwik PRO privacy settings are readable and judged on the live side", () => {
    const [live] = liveSubjectsOf(piwikPro());
    const bad: Subject = { ...live, data: { ...live.data, privacy: { ...live.data.privacy, ipMaskBytes: 0 } } as Subject["data"] };
    expect(failureOf(evaluate([bad]), "CNIL-IP-MASK-2B")).toMatchObject({ side: "live", evidence: "api" });
  });

  test("a field listed unknown through its parent path is not handed to the rule", () => {
    const [live] = liveSubjectsOf(matomo({}, { www: { features: { visitorLog: true } } }), { "site.features": { why: "not-observable", enforcedOnApply: false } });
    expect(findings(evaluate([live]), "CNIL-AGGREGATE-ONLY")[0]).toMatchObject({ status: "not-observable", field: "site.features" });
  });

  test("a field unknown below a path a rule reads keeps the whole path from the rule", () => {
    const [live] = liveSubjectsOf(matomo({}, { www: container({ userId: "u" }) }), { "site.tagManager.containers.web.matomoConfiguration.userId": { why: "not-checked", enforcedOnApply: false, note: "the container is not published" } });
    expect(findings(evaluate([live]), "CNIL-NO-USERID")[0]).toMatchObject({ status: "not-checked", message: expect.stringMatching(/not published/) });
  });

  test("Piwik PRO tags listed without their options stop the rules that need the options, and only those", () => {
    const [live] = liveSubjectsOf(piwikPro({}, { app: { tags: { tracker: piwikTag(undefined, { consentType: "not_require_consent" }) } } }), {
      "site.tags.tracker.templateOptions": { why: "not-checked", enforcedOnApply: false, note: "the tag list has no template_options" },
    });
    const all = evaluate([live]);
    for (const id of ["CNIL-NO-USERID", "CNIL-NO-CROSS-DOMAIN", "CNIL-NO-CROSS-SITE-ID", "CNIL-COOKIE-13M", "CNIL-NO-THIRD-PARTY-COOKIE"]) expect([id, statuses(all, id)]).toEqual([id, ["not-checked"]]);
    expect(failureOf(all, "CNIL-TAG-CONSENT-ANALYTICS")).toMatchObject({ side: "live", found: "not_require_consent" });
  });

  test("unknownAt matches a path, its parents and its children, and nothing else", () => {
    const [s] = subjectsOf(matomo());
    const subject: Subject = { ...s, unknown: { "site.features": { why: "not-observable", enforcedOnApply: false } } };
    expect(unknownAt(subject, "site.features.heatmaps")?.[0]).toBe("site.features");
    expect(unknownAt(subject, "site")?.[0]).toBe("site.features");
    expect(unknownAt(subject, "site.featuresX")).toBeUndefined();
  });

  test("unknownAt lets `*` stand for any one segment, on either side", () => {
    const [s] = subjectsOf(piwikPro());
    const listed: Subject = { ...s, unknown: { "site.tags.live-7.templateOptions": { why: "not-checked", enforcedOnApply: false } } };
    expect(unknownAt(listed, "site.tags.*.templateOptions")?.[0]).toBe("site.tags.live-7.templateOptions");
    expect(unknownAt(listed, "site.tags.*.consentType")).toBeUndefined();
    const wildcard: Subject = { ...s, unknown: { "site.tags.*.templateOptions": { why: "not-checked", enforcedOnApply: false } } };
    expect(unknownAt(wildcard, "site.tags.tracker.templateOptions.user_id")?.[0]).toBe("site.tags.*.templateOptions");
  });

  test("suppressions and attestations are checked on the declaration only, not again on the live side", () => {
    const live = liveSubjectsOf(matomo({}, { www: { suppressions: [{ rule: "CNIL-NOPE", reason, owner }] } }));
    expect(findings(evaluatePack(CnilPack, live, { today: TODAY }), "EXEMPT-UNKNOWN-RULE")).toEqual([]);
  });
});

describe("blocking", () => {
  test("only unsuppressed errors block synth; warnings block only under --strict", () => {
    const warning = failureOf(piwikPro({}, { app: { ecommerce: true } }), "CNIL-ECOMMERCE-OFF");
    expect(isBlocking(warning)).toBe(false);
    expect(isBlocking(warning, true)).toBe(true);
  });
});
