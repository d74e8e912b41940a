import Ajv from "ajv";
import addFormats from "ajv-formats";
import { artifactUri, renderSarif } from "../../engine/render/sarif";
import { CnilPack } from "../../policies";
import { buildFleetReport, lineOfSite } from "./fleet";
import { SARIF_ESSENTIAL_SCHEMA } from "./sarif-schema";

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(SARIF_ESSENTIAL_SCHEMA);

describe("SARIF report", () => {
  const report = buildFleetReport({ sites: 300, drifted: 200, violating: 150, suppressed: 20, unmanaged: 40, unreadable: true, command: "drift" });
  const log = renderSarif(report, { cwd: "/repo", root: "/repo" });
  const run = log.runs[0];

  it("validates against the essential SARIF 2.1.0 structure, through JSON", () => {
    const ok = validate(JSON.parse(JSON.stringify(log)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(log.version).toBe("2.1.0");
  });

  it("declares one rule per rule of the pack, with help text, its source and a link to it", () => {
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(ids.slice(0, CnilPack.entries.length)).toEqual(CnilPack.entries.map((e) => e.rule.id));
    const single = run.tool.driver.rules.find((r) => r.id === "CNIL-SINGLE-PUBLISHER")!;
    expect(single.helpUri).toMatch(/^https:\/\//);
    expect(single.help.text).toContain("Source: [G20 §51]");
    expect(single.help.text).toContain("core condition");
    expect(single.defaultConfiguration.level).toBe("error");
    expect(run.tool.driver.rules.find((r) => r.id === "CNIL-ECOMMERCE-OFF")!.defaultConfiguration.level).toBe("warning");
    expect(run.tool.driver.rules.find((r) => r.id === "CNIL-DNT")!.defaultConfiguration.level).toBe("note");
  });

  it("anchors each unsuppressed violation on the exempt.yaml line that causes it, once for both sides", () => {
    const site10 = run.results.filter((r) => r.ruleId === "CNIL-SINGLE-PUBLISHER" && r.properties.site === "site-030");
    expect(site10).toHaveLength(1);
    const [r] = site10;
    expect(r.level).toBe("error");
    expect(r.suppressions).toBeUndefined();
    expect(r.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "exempt.yaml", uriBaseId: "%SRCROOT%" }, region: { startLine: lineOfSite(30) + 3, startColumn: 7 } });
    expect(r.locations[0].logicalLocations[0].fullyQualifiedName).toBe("instances.stats.sites.site-030.excludeUnknownUrls");
    expect(r.message.text).toBe("stats/site-030 [desired]: Each site measures one publisher's site alone: found false, expected true");
    expect(run.tool.driver.rules[r.ruleIndex].id).toBe("CNIL-SINGLE-PUBLISHER");
  });

  it("keeps suppressed violations as results with their justification", () => {
    const suppressed = run.results.filter((r) => r.suppressions);
    expect(suppressed).toHaveLength(20);
    expect(suppressed[0].suppressions).toEqual([
      { kind: "inSource", status: "accepted", justification: "Legacy portal <shared> with a partner & co, until the split (owner: dpo@example.gouv.fr, expires 2027-06-30; suppressed on the site)" },
    ]);
  });

  it("maps levels: error to error, warning to warning, info to note", () => {
    const levels = new Map(run.results.map((r) => [r.ruleId, r.level]));
    expect(levels.get("CNIL-ECOMMERCE-OFF")).toBe("warning");
    expect(levels.get("CNIL-DNT")).toBe("note");
    expect(run.results.filter((r) => r.level === "error" && !r.suppressions)).toHaveLength(130);
  });

  it("anchors findings on unmanaged live sites at the top of the file, saying why", () => {
    const unmanaged = run.results.filter((r) => String(r.properties.site).startsWith("#"));
    expect(unmanaged).toHaveLength(3);
    expect(unmanaged[0].locations[0].physicalLocation.region).toEqual({ startLine: 1, startColumn: 1 });
    expect(unmanaged[0].message.text).toContain("a live site no declaration matches");
  });

  it("does not make results of passes, attestations or settings the API cannot read", () => {
    expect(run.results.some((r) => ["CNIL-INFO-POLICY", "CNIL-OPT-OUT", "CNIL-IP-MASK-2B"].includes(r.ruleId))).toBe(false);
  });

  it("gives each result a fingerprint that follows its site and field, not its line", () => {
    const again = renderSarif(buildFleetReport({ sites: 300, drifted: 200, violating: 150, suppressed: 20, unmanaged: 40 }), { root: "/repo" }).runs[0];
    const fp = (rs: typeof run.results) => rs.find((r) => r.properties.site === "site-042" && r.ruleId === "CNIL-SINGLE-PUBLISHER")!.partialFingerprints;
    expect(fp(again.results)).toEqual(fp(run.results));
    expect(new Set(run.results.map((r) => JSON.stringify(r.partialFingerprints))).size).toBe(run.results.length);
  });

  it("reports an instance that could not be read as a failed execution", () => {
    expect(run.invocations[0]).toMatchObject({ executionSuccessful: false, exitCode: 1 });
    expect(run.invocations[0].toolExecutionNotifications![0].message.text).toContain("pp (https://example.piwik.pro): Piwik PRO account 'pp'");
  });

  it("keeps plan and drift alerts apart with their own category", () => {
    expect(run.automationDetails.id).toBe("exempt/drift/");
  });

  describe("file locations", () => {
    it("are relative to the repository root, with forward slashes", () => {
      expect(artifactUri("config/exempt.yaml", { cwd: "/repo", root: "/repo" })).toEqual({ uri: "config/exempt.yaml", uriBaseId: "%SRCROOT%" });
      expect(artifactUri("exempt.yaml", { cwd: "/repo/config", root: "/repo" })).toEqual({ uri: "config/exempt.yaml", uriBaseId: "%SRCROOT%" });
      expect(artifactUri("/repo/infra/exempt fleet.yaml", { cwd: "/elsewhere", root: "/repo" })).toEqual({ uri: "infra/exempt%20fleet.yaml", uriBaseId: "%SRCROOT%" });
      expect(artifactUri("./exempt.yaml", {})).toEqual({ uri: "exempt.yaml", uriBaseId: "%SRCROOT%" });
    });

    it("outside the repository, are absolute file URIs", () => {
      expect(artifactUri("/tmp/x/exempt.yaml", { cwd: "/repo", root: "/repo" })).toEqual({ uri: "file:///tmp/x/exempt.yaml" });
    });
  });
});
