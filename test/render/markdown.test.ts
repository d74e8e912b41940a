import { COMMENT_LIMIT, renderMarkdown } from "../../engine/render/markdown";
import { summarise } from "../../engine/run";
import { buildFleetReport, siteKeyOf } from "./fleet";

const GITHUB_LIMIT = 65_536;

describe("Markdown plan for a pull-request comment", () => {
  it("a small plan lists every change, violation, attestation and unmanaged site, with the verdict first", () => {
    const report = buildFleetReport({ sites: 6, drifted: 2, violating: 1, unmanaged: 2 });
    const md = renderMarkdown(report);
    const lines = md.split("\n");
    expect(lines[0]).toMatch(/^### ⛔ Exempt plan: 6 difference\(s\); 2 violation\(s\) of the CNIL pack/);
    expect(md).toContain("<details open><summary><b>stats</b> (matomo 5.1.2):");
    expect(md).toContain("| site | field | live | desired |");
    expect(md).toContain("| site-000 | excludeUnknownUrls | `false` | `true` |");
    expect(md).toMatch(/\| site-000 \| access.intern \| `admin` \| `noaccess` _\(not applied: undeclared access/);
    expect(md).toContain("[CNIL-SINGLE-PUBLISHER](https://www.cnil.fr/fr/node/167364) **error** on `stats/site-000` [desired, live] (`exempt.yaml:23`)");
    expect(md).toContain("- [x] [CNIL-INFO-POLICY](https://www.cnil.fr/fr/node/167364): Visitors are informed of the measurement — dpo@example.gouv.fr, until 2027-09-01");
    expect(md).toContain("- [ ] [CNIL-OPT-OUT](https://www.cnil.fr/fr/node/167364): Visitors can object easily — to be confirmed by a person");
    expect(md).toContain("**Unmanaged sites** (live, not declared; never changed): `1000` Orphan 0, `1001` Orphan 1");
    expect(md).toContain("`rawDataRetentionMonths=25` (**not enforced**)");
    expect(md).not.toContain("Summarised to fit");
  });

  it("a clean plan says so in its first line and keeps the instance folded", () => {
    const report = buildFleetReport({ sites: 3, drifted: 0 });
    const md = renderMarkdown(report);
    expect(md.split("\n")[0]).toMatch(/^### ✅ Exempt plan: no changes/);
    expect(md).toContain("<details><summary><b>stats</b>");
  });

  it("starts with the hidden marker, which cannot close its own HTML comment", () => {
    const md = renderMarkdown(buildFleetReport({ sites: 2, drifted: 1 }), { marker: "exempt-plan:stats --> <b>x</b>" });
    expect(md.split("\n")[0]).toBe("<!-- exempt-plan:stats - <bx</b -->");
    expect(md.split("\n")[1]).toMatch(/^### /);
  });

  describe("on a fleet of 300 sites with drift on 200", () => {
    const report = buildFleetReport({ sites: 300, drifted: 200, violating: 150, suppressed: 20, unmanaged: 40, unreadable: true, command: "drift" });
    const md = renderMarkdown(report, { marker: "exempt-drift" });

    it("stays under GitHub's comment limit", () => {
      expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
      expect(md.length).toBeLessThan(GITHUB_LIMIT);
    });

    it("gives the verdict in its first visible line", () => {
      const first = md.split("\n")[1];
      expect(first).toMatch(/^### ❌ Exempt drift: 1 failed; 408 difference\(s\); 260 violation\(s\) of the CNIL pack/);
    });

    it("says at the top what it left out, and how to get everything", () => {
      expect(md).toMatch(/> Summarised to fit a comment: \d+ of 408 changes(, \d+ of \d+ violations, warnings and suppressions)?(, \d+ of 40 unmanaged sites)? are counted but not listed\. `exempt drift --format json` lists everything\./);
    });

    it("counts changes per field and lists the first rows, then says how many it left out and on how many sites", () => {
      expect(md).toContain("| field | changes | sites | e.g. live → desired |");
      expect(md).toMatch(/\| excludeUnknownUrls \| 200 \| 200 \| `false` → `true` \|/);
      expect(md).toMatch(/\| excludedQueryParameters \| 100 \| 100 \|/);
      expect(md).toMatch(/\| access\.\\\* \| 40 \| 40 \|/);
      expect(md).toMatch(/_First \d+ of 408 changes listed: \d+ left out, on \d+ sites\. `exempt drift --format json` lists them all\._/);
    });

    it("lists each violation once, naming both sides when the declaration and the live site break the rule", () => {
      const items = md.split("\n").filter((l) => l.startsWith("- [CNIL-SINGLE-PUBLISHER]") && l.includes("**error** on"));
      // 130 unsuppressed breaches, plus the 20 suppressed ones in their own list.
      expect(items.filter((l) => l.includes("[desired, live]"))).toHaveLength(130);
      expect(items.filter((l) => l.includes("Legacy portal &lt;shared&gt; with a partner &amp; co"))).toHaveLength(20);
    });

    it("still shows the instance that could not be read, with its error escaped", () => {
      expect(md).toContain("<details open><summary><b>pp</b> (piwikpro): could not be read</summary>");
      expect(md).toContain("**pp could not be read:** Piwik PRO account 'pp': POST /auth/token answered 401 &lt;invalid\\_client&gt; &amp; retried 0 time(s)");
    });

    it("keeps the attestation checklist whole", () => {
      expect(md).toContain("- [x] [CNIL-INFO-POLICY]");
      expect(md).toContain("- [ ] [CNIL-OPT-OUT]");
    });
  });

  it("on a fleet of 2,000 drifted sites still fits, by counts alone", () => {
    const report = buildFleetReport({ sites: 2000, drifted: 2000, violating: 2000, unmanaged: 500 });
    const md = renderMarkdown(report);
    expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(md).toMatch(/\| excludeUnknownUrls \| 2000 \| 2000 \|/);
    expect(md).toMatch(/> Summarised to fit a comment: \d+ of 4068 changes, \d+ of \d+ violations, warnings and suppressions, \d+ of 500 unmanaged sites are counted but not listed/);
    // Violations are counted per rule before the first rows.
    expect(md).toMatch(/- \[CNIL-SINGLE-PUBLISHER\]\(https:\/\/www\.cnil\.fr\/fr\/node\/167364\) \*\*error\*\*: 2000 sites \(`site-000`, `site-001`, `site-002`, `site-003`, `site-004`, …\)/);
    expect(md).toMatch(/- _\d+ more not listed \(counted per rule above\)_/);
  });

  it("with hundreds of instances, falls back to one row per instance and says how many it left out", () => {
    const one = buildFleetReport({ sites: 40, drifted: 40, violating: 10 });
    const instances = Array.from({ length: 600 }, (_, n) => ({ ...one.instances[0], instanceId: `stats-${n}` }));
    const report = summarise(instances, { command: "plan", strict: false, configFile: "exempt.yaml" });
    const md = renderMarkdown(report, { limit: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(md).toContain("| instance | product | changes | violations | unmanaged | status |");
    expect(md).toMatch(/Summarised to fit a comment: \d+ of 600 instances, /);
  });

  it("escapes names and values so they cannot break the table, add emphasis or inject HTML", () => {
    const report = buildFleetReport({ sites: 1, drifted: 1, nastyNames: true });
    const md = renderMarkdown(report);
    const row = md.split("\n").find((l) => l.startsWith(`| ${siteKeyOf(0)} | name |`))!;
    // Exactly the five separators of a four-column row: every pipe of the values is escaped.
    expect(row.replace(/\\\|/g, "").split("|").length - 1).toBe(5);
    // Markup is inert inside code spans; outside them nothing of the name is left raw.
    expect(row.replace(/`[^`]*`/g, "")).not.toMatch(/[<*]/);
    expect(row).toContain("'tick'");
    const params = md.split("\n").find((l) => l.includes("excludedQueryParameters"))!;
    expect(params).toContain("utm_source\\|x");
  });
});
