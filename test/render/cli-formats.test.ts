import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { COMMENT_LIMIT } from "../../engine/render/markdown";
import { runExempt } from "../support/cli";
import { rawMatomo, startTestMatomo, type TestMatomo } from "../support/matomo";
import { tempDir } from "../support/tmp";
import { SARIF_ESSENTIAL_SCHEMA } from "./sarif-schema";
import { all, parseXml } from "./xml";

/**
 * The three CI formats through the CLI on a real reading: 300 sites applied to the Matomo
 * emulator, 200 of them changed by hand, then `exempt drift|plan|check --format …`.
 */
const SITES = 300;
const DRIFTED = 200;

function fleetYaml(): string {
  const lines = ["# yaml-language-server: $schema=./exempt.schema.json", "instances:", "  stats:", "    kind: matomo", "    url: ${MATOMO_URL}", "    auth: { tokenEnv: MATOMO_TOKEN, passwordEnv: MATOMO_PASSWORD }", "    sites:"];
  for (let i = 0; i < SITES; i++) {
    lines.push(`      s${i}:`, `        name: Site ${i}`, `        urls: [https://s${i}.example.gouv.fr]`, `        excludedQueryParameters: [email, token]`);
    // A handful of declarations that break the pack, on known lines.
    if (i % 60 === 7) lines.push("        excludeUnknownUrls: false");
    if (i % 100 === 3) lines.push("        ecommerce: true");
  }
  return lines.join("\n") + "\n";
}

describe("CI formats through the CLI on a fleet of 300 sites with drift on 200", () => {
  let matomo: TestMatomo;
  let dir: string;
  let config: string;
  let yamlText: string;
  const exempt = (...args: string[]) => runExempt([...args, "--config", config], { env: { ...matomo.env, EXEMPT_LOCK_DIR: dir, GITHUB_WORKSPACE: dir }, cwd: dir });

  beforeAll(async () => {
    matomo = await startTestMatomo();
    dir = tempDir();
    yamlText = fleetYaml();
    config = path.join(dir, "exempt.yaml");
    // Applied while compliant, then the violations are declared: drift shows both.
    fs.writeFileSync(config, yamlText.replace(/\n {8}excludeUnknownUrls: false/g, "").replace(/\n {8}ecommerce: true/g, ""));
    const applied = await exempt("apply", "--quiet");
    if (applied.code !== 0) throw new Error(`apply failed: ${applied.stdout}${applied.stderr}`);
    fs.writeFileSync(config, yamlText);
    const sites = (await rawMatomo(matomo.url, "SitesManager.getSitesWithAdminAccess", { token_auth: matomo.token, filter_limit: "-1" })) as Array<{ idsite: number; main_url: string }>;
    const byUrl = new Map(sites.map((s) => [s.main_url, s.idsite]));
    for (let i = 0; i < DRIFTED; i++)
      await rawMatomo(matomo.url, "SitesManager.updateSite", { token_auth: matomo.token, idSite: String(byUrl.get(`https://s${i}.example.gouv.fr`)), excludedQueryParameters: "email", excludeUnknownUrls: "1" });
  }, 60_000);
  afterAll(() => matomo.close());

  it("markdown: one comment under the limit, verdict first, saying what it left out", async () => {
    const r = await exempt("drift", "--format", "markdown", "--comment-marker", "exempt-drift");
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    const [marker, verdict] = r.stdout.split("\n");
    expect(marker).toBe("<!-- exempt-drift -->");
    expect(verdict).toMatch(/^### ⛔ Exempt drift: 20\d difference\(s\); \d+ violation\(s\) of the CNIL pack/);
    expect(r.stdout).toContain("| s0 | excludedQueryParameters | `[email]` | `[email, token]` |");
    // This one fits whole: every difference has its row, and nothing is said to be left out.
    const differences = Number(/(\d+) difference\(s\)/.exec(verdict)![1]);
    expect(r.stdout.split("\n").filter((l) => /^\| s\d+ \| /.test(l))).toHaveLength(differences);
    expect(r.stdout).not.toContain("Summarised to fit");
  });

  it("junit: one case per site, the drifted and violating ones failing with field, live, desired and rule", async () => {
    const r = await exempt("drift", "--format", "junit");
    expect(r.code).toBe(2);
    const root = parseXml(r.stdout);
    const cases = all(root, "testcase");
    expect(cases).toHaveLength(SITES + 1);
    const failing = cases.filter((c) => c.children.some((x) => x.name === "failure"));
    expect(failing.length).toBeGreaterThanOrEqual(DRIFTED);
    const s0 = cases.find((c) => c.attrs.name === "s0")!;
    expect(all(s0, "failure")[0].attrs.message).toBe("s0: drift on excludedQueryParameters: live [email], desired [email, token]");
    const s7 = cases.find((c) => c.attrs.name === "s7")!;
    expect(all(s7, "failure")[0].text).toMatch(/CNIL-SINGLE-PUBLISHER error \[desired\] at .*exempt\.yaml:\d+:\d+: .*\(source: \[G20 §51\]/);
  });

  it("sarif: violations anchored on the lines that declare them, repository-relative", async () => {
    const r = await exempt("plan", "--format", "sarif");
    expect(r.code).toBe(2);
    const log = JSON.parse(r.stdout);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    expect(ajv.validate(SARIF_ESSENTIAL_SCHEMA, log)).toBe(true);
    const lines = yamlText.split("\n");
    const expectedLines = lines.map((l, i) => (l === "        excludeUnknownUrls: false" ? i + 1 : 0)).filter(Boolean);
    // The instance's own First Site is not declared: its finding is anchored at the top of the file.
    const results = log.runs[0].results.filter((x: any) => x.ruleId === "CNIL-SINGLE-PUBLISHER" && !String(x.properties.site).startsWith("#"));
    expect(results.map((x: any) => x.locations[0].physicalLocation.region.startLine).sort((a: number, b: number) => a - b)).toEqual(expectedLines);
    expect(results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "exempt.yaml", uriBaseId: "%SRCROOT%" });
    expect(log.runs[0].results.filter((x: any) => x.ruleId === "CNIL-ECOMMERCE-OFF").every((x: any) => x.level === "warning")).toBe(true);
  });

  it("check: the same formats offline", async () => {
    const sarif = await exempt("check", "--format", "sarif");
    expect(sarif.code).toBe(2);
    expect(JSON.parse(sarif.stdout).runs[0].results.filter((x: any) => x.ruleId === "CNIL-SINGLE-PUBLISHER")).toHaveLength(5);
    const junit = await exempt("check", "--format", "junit");
    expect(junit.code).toBe(2);
    expect(all(parseXml(junit.stdout), "failure").every((f) => f.attrs.type === "violation")).toBe(true);
    const md = await exempt("check", "--format", "markdown", "--comment-marker", "exempt-check");
    expect(md.stdout.split("\n")[0]).toBe("<!-- exempt-check -->");
  });
});
