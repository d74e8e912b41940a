import { renderJunit, xmlAttr, xmlText } from "../../engine/render/junit";
import { buildFleetReport, siteKeyOf } from "./fleet";
import { all, parseXml } from "./xml";

describe("JUnit XML report", () => {
  describe("of a drift run on 300 sites with drift on 200, violations, and an instance that could not be read", () => {
    const report = buildFleetReport({ sites: 300, drifted: 200, violating: 150, suppressed: 20, unmanaged: 40, unreadable: true, nastyNames: true, command: "drift" });
    const xml = renderJunit(report);
    const root = parseXml(xml);
    const suites = all(root, "testsuite");
    const stats = suites.find((s) => s.attrs.name === "stats")!;
    const caseOf = (key: string) => all(stats, "testcase").find((c) => c.attrs.name === key)!;

    it("is well-formed XML with one test suite per instance", () => {
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
      expect(root.name).toBe("testsuites");
      expect(suites.map((s) => s.attrs.name)).toEqual(["stats", "pp"]);
    });

    it("has one test case per declared site, and one for the instance-wide settings", () => {
      const cases = all(stats, "testcase");
      expect(cases).toHaveLength(301);
      expect(cases[0].attrs.name).toBe("(instance settings)");
      expect(cases.slice(1).map((c) => c.attrs.name)).toEqual(Array.from({ length: 300 }, (_, i) => siteKeyOf(i)));
      expect(cases.every((c) => c.attrs.classname === "stats")).toBe(true);
      expect(stats.attrs).toMatchObject({ tests: "301", errors: "0", hostname: "stats.example.gouv.fr" });
    });

    it("makes each drifted or violating site one failure naming field, live and desired values, rule id and source", () => {
      // 200 drifted sites (access-only drift counts too), 130 unsuppressed violations all among them, plus the instance's own drift.
      expect(stats.attrs.failures).toBe("201");
      const failure = all(caseOf("site-030"), "failure")[0];
      expect(failure.attrs.type).toBe("drift");
      expect(failure.attrs.message).toBe("site-030: drift on excludeUnknownUrls: live false, desired true (and 5 more)");
      expect(failure.text).toContain("site-030: drift on excludedQueryParameters: live [], desired [email, token, utm_source|x]");
      expect(failure.text).toContain("CNIL-SINGLE-PUBLISHER error [desired] at exempt.yaml:383:7: Each site measures one publisher's site alone: found false, expected true (source: CNIL délibération n° 2020-091 art. 5 §51 https://www.cnil.fr/fr/node/167364)");
      expect(failure.text).toContain("CNIL-SINGLE-PUBLISHER error [live] at exempt.yaml:383:7");
    });

    it("reports a violation on a site without drift as a failure of type violation", () => {
      const clean = buildFleetReport({ sites: 3, drifted: 0, violating: 1 });
      const c = all(parseXml(renderJunit(clean)), "testcase").find((t) => t.attrs.name === "site-000")!;
      expect(all(c, "failure")[0].attrs.type).toBe("violation");
    });

    it("shows a change blocked until --prune as a failure that says why it is not applied", () => {
      expect(all(caseOf("site-005"), "failure")[0].text).toContain("site-005: drift on access.intern: live admin, desired noaccess (not applied: undeclared access is only revoked with access.revokeUndeclared: true and --prune)");
    });

    it("lists suppressed findings and warnings in system-out, never as failures", () => {
      const suppressed = caseOf("site-003");
      expect(all(suppressed, "system-out")[0].text).toContain("suppressed: CNIL-SINGLE-PUBLISHER error [desired]");
      expect(all(suppressed, "system-out")[0].text).toContain("Legacy portal <shared> with a partner & co, until the split; dpo@example.gouv.fr, until 2027-06-30");
      const warned = caseOf("site-251");
      expect(all(warned, "failure")).toHaveLength(0);
      expect(all(warned, "system-out")[0].text).toContain("warning: CNIL-ECOMMERCE-OFF warning [desired]");
    });

    it("leaves a site in sync as a passing case", () => {
      expect(caseOf("site-299").children).toEqual([]);
    });

    it("reports an instance that could not be read as an error, escaped", () => {
      const pp = suites.find((s) => s.attrs.name === "pp")!;
      expect(pp.attrs).toMatchObject({ tests: "1", failures: "0", errors: "1" });
      const error = all(pp, "error")[0];
      expect(error.attrs.type).toBe("read-error");
      expect(error.attrs.message).toBe("pp (https://example.piwik.pro): Piwik PRO account 'pp': POST /auth/token answered 401 <invalid_client> & retried 0 time(s)");
      expect(xml).toContain("answered 401 &lt;invalid_client&gt; &amp; retried");
    });

    it("lists unmanaged sites in the suite's system-out", () => {
      const out = stats.children.find((c) => c.name === "system-out")!;
      expect(out.text).toContain('unmanaged site (live, not declared): 1000 "Orphan 0" https://orphan-0.example.org');
    });

    it("totals tests, failures and errors on the root", () => {
      expect(root.attrs).toMatchObject({ name: "exempt drift", tests: "302", failures: "201", errors: "1" });
    });

    it("survives names with markup, quotes and control characters", () => {
      const nasty = caseOf("site-021");
      const text = all(nasty, "failure")[0].text;
      expect(text).toContain('Site <b>21</b> | *promo* & "quotes" `tick` ]]> \uFFFD');
    });
  });

  it("names plan differences as changes", () => {
    const xml = renderJunit(buildFleetReport({ sites: 2, drifted: 1, command: "plan" }));
    const failure = all(parseXml(xml), "failure")[1];
    expect(failure.attrs).toMatchObject({ type: "change", message: "site-000: change of excludeUnknownUrls: live false, desired true (and 3 more)" });
  });

  it("escapes every XML metacharacter, and replaces characters XML cannot carry", () => {
    expect(xmlText(`a<b>&c "d" \u0001 \uD800`)).toBe(`a&lt;b&gt;&amp;c "d" \uFFFD \uFFFD`);
    expect(xmlAttr(`"x"\n'y'\t`)).toBe("&quot;x&quot;&#10;&apos;y&apos;&#9;");
  });
});
