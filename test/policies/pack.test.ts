import { CnilPack, evaluatePack, isBlocking } from "../../policies";
import type { Product, Subject } from "../../policies/types";
import { container, context, judge, matomo, piwikPro, piwikTag, subjectsOf, tag } from "./fixtures";

/** Every rule id of cnil-rules.md (../shared/contracts), in catalogue order. */
const CATALOGUE_IDS = [
  "CNIL-SCOPE-FR", "CNIL-PURPOSE-AUDIENCE", "CNIL-NO-MARKETING", "CNIL-NO-COHORTS",
  "CNIL-AGGREGATE-ONLY", "CNIL-IP-MASK-2B", "CNIL-IP-ENRICH-ANON", "CNIL-GEO-CITY", "CNIL-NO-USERID", "CNIL-NO-PII-URL", "CNIL-NO-PII-CUSTOM", "CNIL-REFERRER-ANON", "CNIL-ECOMMERCE-OFF", "CNIL-NO-HSR", "CNIL-DEVICE-MINIMISE",
  "CNIL-SINGLE-PUBLISHER", "CNIL-NO-CROSS-SITE-ID", "CNIL-NO-CROSS-DOMAIN", "CNIL-NO-THIRD-PARTY-COOKIE", "CNIL-NO-CROSSREF", "CNIL-NO-THIRD-PARTY-TRANSFER",
  "CNIL-COOKIE-13M", "CNIL-COOKIE-NO-EXTEND", "CNIL-RETENTION-25M", "CNIL-RETENTION-REVIEW",
  "CNIL-INFO-POLICY", "CNIL-OPT-OUT", "CNIL-DNT",
  "CNIL-TRANSFER-EU", "CNIL-PROCESSOR-DPA", "CNIL-EVIDENCE-2025",
  "CNIL-HYBRID-SEPARATION", "TRANSPARENCY-PUBLIC-STATS", "CNIL-TAG-CONSENT-ANALYTICS", "CNIL-NO-UNCONSENTED-TAGS",
];

describe("the CNIL pack", () => {
  test("covers every rule of the catalogue, once, in catalogue order", () => {
    expect(CnilPack.entries.map((e) => e.rule.id)).toEqual(CATALOGUE_IDS);
  });

  test("is named for French law and carries a version", () => {
    expect(CnilPack.name).toBe("CNIL audience-measurement exemption (FR)");
    expect(CnilPack.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test("makes exactly the four core conditions unsuppressible on exempt sites", () => {
    expect(CnilPack.entries.filter((e) => !e.suppressibleWhenExempt).map((e) => e.rule.id).sort()).toEqual(["CNIL-IP-MASK-2B", "CNIL-NO-CROSS-SITE-ID", "CNIL-NO-USERID", "CNIL-SINGLE-PUBLISHER"]);
  });

  test("keeps exactly the catalogue's five rules at their level on consent sites", () => {
    expect(CnilPack.entries.filter((e) => e.appliesInConsentMode).map((e) => e.rule.id).sort()).toEqual(["CNIL-COOKIE-13M", "CNIL-NO-HSR", "CNIL-NO-PII-CUSTOM", "CNIL-NO-PII-URL", "CNIL-RETENTION-25M"]);
  });

  test("gives the catalogue's synth refusals the error level and ecommerce a warning", () => {
    const level = (id: string) => CnilPack.entries.find((e) => e.rule.id === id)!.level;
    for (const id of ["CNIL-IP-MASK-2B", "CNIL-IP-ENRICH-ANON", "CNIL-REFERRER-ANON", "CNIL-RETENTION-25M", "CNIL-COOKIE-13M", "CNIL-NO-USERID", "CNIL-NO-CROSS-DOMAIN", "CNIL-NO-THIRD-PARTY-COOKIE", "CNIL-NO-HSR", "CNIL-NO-COHORTS", "CNIL-NO-MARKETING", "CNIL-SINGLE-PUBLISHER", "TRANSPARENCY-PUBLIC-STATS"])
      expect([id, level(id)]).toEqual([id, "error"]);
    expect(level("CNIL-ECOMMERCE-OFF")).toBe("warning");
  });

  test.each(CnilPack.entries.map((e) => [e.rule.id, e] as const))("%s explains itself: condition, why, source with a link, remediation, and a verification class per product", (_, e) => {
    const r = e.rule;
    expect(r.title.length).toBeGreaterThan(20);
    expect(r.title).not.toMatch(/\.$/);
    expect(r.explanation.length).toBeGreaterThan(60);
    expect(r.source).toMatch(/^\[[A-Z0-9]+/);
    expect(r.sourceUrl).toMatch(/^https:\/\//);
    expect(r.remediation.length).toBeGreaterThan(20);
    for (const p of r.products) expect(r.verification[p]).toMatch(/^(A|A-w|C|S|H)$/);
  });

  test("leaves a rule without a check only where a person must confirm it", () => {
    for (const e of CnilPack.entries) if (!e.rule.check) expect([e.rule.id, e.level]).toEqual([e.rule.id, "attestation"]);
  });
});

describe("compliant by default", () => {
  test("a Matomo site declared with only a name and URLs, on an instance with only kind, url and auth, gives no failing finding", () => {
    const all = judge({ instances: { stats: { kind: "matomo", url: "https://stats.example.gouv.fr", auth: { tokenEnv: "MATOMO_TOKEN" }, sites: { www: { name: "Example", urls: ["https://www.example.gouv.fr"] } } } } });
    expect(all.filter((f) => f.status === "fail")).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(CnilPack.entries.length - 2);
  });

  test("a Piwik PRO app declared with only a name and URLs, on an account with only kind, url and auth, gives no failing finding", () => {
    const all = judge({ instances: { pp: { kind: "piwikpro", url: "https://acme.piwik.pro", auth: { clientIdEnv: "ID", clientSecretEnv: "SECRET" }, sites: { app: { name: "App", urls: ["https://app.example.gouv.fr"] } } } } });
    expect(all.filter((f) => f.status === "fail")).toEqual([]);
  });

  test("declaring the default tag and container explicitly stays compliant", () => {
    const all = [...judge(matomo({}, { www: container({}, { analytics: { name: "Matomo", type: "Matomo", firesWithoutConsent: true } }) })), ...judge(piwikPro({}, { app: { tags: { tracker: piwikTag() } } }))];
    expect(all.filter((f) => f.status === "fail")).toEqual([]);
  });

  test("attestations to be confirmed never block synth, even under --strict", () => {
    const all = judge(matomo());
    expect(all.some((f) => f.status === "to-confirm")).toBe(true);
    expect(all.filter((f) => isBlocking(f, true))).toEqual([]);
  });
});

/**
 * Rules must read only what they declare, or the live side would hand them values it never read. A
 * recording proxy over the subject's data lists every path a check touches.
 */
describe("every rule reads only what it declares", () => {
  function recording<T extends object>(value: T, path: string, seen: Set<string>): T {
    return new Proxy(value, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof key === "symbol") return v;
        const p = path ? `${path}.${key}` : key;
        seen.add(p);
        return v !== null && typeof v === "object" ? recording(v, p, seen) : v;
      },
    });
  }
  // `*` in a declared path stands for any one segment (e.g. `site.tags.*.templateOptions`).
  const segmentsMatch = (p: string[], d: string[]) => p.every((seg, i) => i >= d.length || d[i] === "*" || d[i] === seg);
  const related = (p: string, d: string) => segmentsMatch(p.split("."), d.split("."));
  const within = (p: string, d: string) => p.split(".").length >= d.split(".").length && related(p, d);

  // Subjects that send each check down its branches.
  const busy: Subject[] = [
    ...subjectsOf(matomo()),
    ...subjectsOf(
      matomo(
        { privacy: { ipMaskBytes: 1, useMaskedIpForEnrichment: false, referrer: "keep", rawDataRetentionMonths: "unlimited", forceCookielessTracking: false, doNotTrack: false, anonymizeOrderId: false }, access: { publicStats: true } },
        {
          www: { ecommerce: true, excludeUnknownUrls: false, features: { heatmaps: true, sessionRecordings: true, abTesting: true, marketingCampaigns: true, visitorLog: true }, ...container({ userId: "u", enableCrossDomainLinking: true, cookieDomain: "*.gouv.fr", visitorCookieDays: 500 }, { chat: { name: "Chat", type: "CustomHtml", firesWithoutConsent: true } }) },
          other: { mode: "consent", urls: ["https://www.example.gouv.fr/x"], features: { heatmaps: true }, publicStats: true, ...container({ requireConsent: true }) },
        },
      ),
    ),
    ...subjectsOf(piwikPro()),
    ...subjectsOf(
      piwikPro(
        { privacy: { ipMaskBytes: 1, geolocation: "none", useMaskedIpForEnrichment: false, dropIp: false } },
        {
          app: { askConsent: false, withoutConsent: "session-cookie", ecommerce: true, excludeUnknownUrls: false, tags: { tracker: piwikTag({ user_id: "x", cookie_domain: "evil.example.com", cross_domain_tracking: true, visitor_cookie_timeout: 99_999_999 }, { consentType: "not_require_consent" }), hj: tag("hot_jar", "not_require_consent"), ab: tag("optimizely", "not_require_consent"), ads: tag("google_adwords", "not_require_consent") } },
          other: { withoutConsent: "session-cookie", urls: ["https://app.example.gouv.fr/y"] },
        },
      ),
    ),
  ];

  test.each(CnilPack.entries.filter((e) => e.rule.check).map((e) => [e.rule.id, e] as const))("%s", (_, e) => {
    for (const subject of busy) {
      const product: Product = subject.data.product;
      if (!e.rule.products.includes(product)) continue;
      const declared = [...(e.rule.reads[product] ?? []), ...(e.rule.optionalReads?.[product] ?? []), "product"];
      const seen = new Set<string>();
      e.rule.check!({ ...subject, data: recording(subject.data, "", seen) }, context);
      const undeclared = [...seen].filter((p) => !declared.some((d) => related(p, d)));
      expect([subject.siteKey, undeclared]).toEqual([subject.siteKey, []]);

      // Optional reads that are unknown on a side must not be touched.
      const optional = e.rule.optionalReads?.[product] ?? [];
      if (!optional.length) continue;
      const unknown = Object.fromEntries(optional.map((o) => [o, { why: "not-observable" as const, enforcedOnApply: true }]));
      const seenLive = new Set<string>();
      e.rule.check!({ ...subject, side: "live", unknown, data: recording(subject.data, "", seenLive) }, context);
      expect([...seenLive].filter((p) => optional.some((o) => within(p, o)))).toEqual([]);
    }
  });
});

test("the runner judges a busy subject without a rule throwing", () => {
  expect(() => evaluatePack(CnilPack, subjectsOf(matomo({}, { www: container({ userId: "u" }) })), context)).not.toThrow();
});
