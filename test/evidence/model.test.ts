import { buildEvidence, EvidenceReportSchema, renderEvidenceFiles } from "../../engine/evidence";
import { complianceOf, parseComplianceStatus, ruleForRequirement } from "../../engine/evidence/compliance";
import { deriveRule, SiteFindings } from "../../engine/evidence/derive";
import { pagePaths } from "../../engine/evidence/pages";
import { escapeHtml, html, link } from "../../engine/evidence/render/html";
import type { InstanceReport, ReportFinding, RunReport } from "../../engine/report-schema";
import { Config } from "../../model/config";
import { hashInstance } from "../../model/manifest";
import { forgetSecretsForTests, registerSecret } from "../../model/secrets";
import { CnilPack, desiredSubjects, evaluatePack, findEntry } from "../../policies";
import { matomo } from "../policies/fixtures";

/** The pure parts: statuses from findings, the product's compliance status, the model and its HTML. */

const TODAY = "2026-06-15";
const entry = (id: string) => findEntry(CnilPack, id)!;

function finding(over: Partial<ReportFinding>): ReportFinding {
  return {
    ruleId: "CNIL-IP-MASK-2B",
    level: "error",
    status: "pass",
    side: "live",
    product: "matomo",
    instanceId: "stats",
    siteKey: "www",
    mode: "exempt",
    title: entry(over.ruleId ?? "CNIL-IP-MASK-2B").rule.title,
    source: "[GM]",
    sourceUrl: "https://example.org",
    message: entry(over.ruleId ?? "CNIL-IP-MASK-2B").rule.title,
    ...over,
  };
}

function site(live: ReportFinding[], desired: ReportFinding[], extra: Partial<SiteFindings> = {}): SiteFindings {
  return { product: "matomo", live, desired: desired.map((f) => ({ ...f, side: "desired", evidence: "declaration" })), enforcedValues: {}, ...extra };
}

describe("one status per rule", () => {
  it("a live pass is verified live, or observed in the database when the observer read it", () => {
    expect(deriveRule(entry("CNIL-IP-MASK-2B"), site([finding({ field: "privacy.ipMaskBytes", found: 2, expected: ">= 2", evidence: "api" })], []))).toMatchObject({ status: "verified-live", found: 2, label: "Verified live" });
    const db = deriveRule(entry("CNIL-IP-MASK-2B"), site([finding({ field: "privacy.ipMaskBytes", found: 2, evidence: "database" })], []));
    expect(db).toMatchObject({ status: "observed-database", evidence: "database" });
    expect(db.detail).toContain("read from Matomo's database by the observer");
  });

  it("unreadable live but written on every apply, with a compliant declaration: enforced, not observable, with the value written", () => {
    const r = deriveRule(
      entry("CNIL-IP-MASK-2B"),
      site([finding({ status: "not-observable", field: "privacy.ipMaskBytes", enforcedOnApply: true })], [finding({ field: "privacy.ipMaskBytes", found: 2 })], { enforcedValues: { "privacy.ipMaskBytes": 2 } }),
    );
    expect(r).toMatchObject({ status: "enforced-not-observable", declared: 2 });
    expect(r.detail).toBe("Matomo's API cannot read privacy.ipMaskBytes; Exempt writes the declared value 2 on every apply, and cannot see whether it was changed since");
  });

  it("unreadable and not enforced: not observable, whatever the declaration says", () => {
    const r = deriveRule(entry("CNIL-RETENTION-25M"), site([finding({ ruleId: "CNIL-RETENTION-25M", status: "not-observable", field: "privacy.rawDataRetentionMonths", enforcedOnApply: false })], [finding({ ruleId: "CNIL-RETENTION-25M" })]));
    expect(r.status).toBe("not-observable");
  });

  it("a declared breach the live side cannot see stays a breach, with the declaration as evidence", () => {
    const r = deriveRule(
      entry("CNIL-NO-HSR"),
      site([finding({ ruleId: "CNIL-NO-HSR", status: "not-checked", field: "site.features.heatmaps" })], [finding({ ruleId: "CNIL-NO-HSR", status: "fail", field: "site.features.heatmaps", found: true, expected: "false" })]),
    );
    expect(r).toMatchObject({ status: "violated", evidence: "declaration", found: true, required: "false" });
    expect(r.detail).toMatch(/^declared: true; required: false/);
  });

  it("an information-level failure is a recommendation not followed, never a violation", () => {
    const r = deriveRule(entry("CNIL-DNT"), site([finding({ ruleId: "CNIL-DNT", status: "not-observable", enforcedOnApply: true, field: "privacy.doNotTrack", level: "info" })], [finding({ ruleId: "CNIL-DNT", status: "fail", level: "info", found: false, expected: "true" })]));
    expect(r.status).toBe("recommendation-not-followed");
  });

  it("a rule with several parts takes its weakest part, and lists them all", () => {
    const r = deriveRule(entry("CNIL-NO-MARKETING"), site([finding({ ruleId: "CNIL-NO-MARKETING", status: "pass" }), finding({ ruleId: "CNIL-NO-MARKETING", status: "to-confirm", level: "attestation", message: "the integrations are off: to be confirmed by a person" })], []));
    expect(r.status).toBe("to-confirm");
    expect(r.parts.map((p) => p.status)).toEqual(["verified-live", "to-confirm"]);
    expect(r.detail).toBe("the integrations are off; no attestation is declared");
  });

  it("nothing read live: the declaration alone, said so", () => {
    const r = deriveRule(entry("CNIL-IP-MASK-2B"), site([], [finding({ found: 2, expected: ">= 2" })]));
    expect(r).toMatchObject({ status: "declared-only", label: "Declared, not read live" });
    expect(r.detail).toContain("not verified on the live instance");
  });

  it("attestations and suppressions carry who, when, until and why", () => {
    const attested = deriveRule(entry("CNIL-OPT-OUT"), site([finding({ ruleId: "CNIL-OPT-OUT", status: "attested", level: "attestation", attestation: { by: "Claire", at: "2026-01-01", until: "2027-01-01" } })], []));
    expect(attested.detail).toBe("attested by Claire on 2026-01-01, valid until 2027-01-01");
    const suppressed = deriveRule(
      entry("CNIL-ECOMMERCE-OFF"),
      site([finding({ ruleId: "CNIL-ECOMMERCE-OFF", status: "suppressed", level: "warning", found: true, expected: "false", suppression: { reason: "orders anonymised", owner: "dpo", expires: "2027-01-01", on: "site" } })], []),
    );
    expect(suppressed).toMatchObject({ status: "suppressed", suppression: { owner: "dpo" } });
    expect(suppressed.detail).toBe("found true; required: false. Accepted by dpo: orders anonymised (expires 2027-01-01; declared on the site)");
  });
});

describe("the product's own compliance status", () => {
  const base: InstanceReport = { instanceId: "stats", product: "matomo", url: "https://stats.example", version: "5.6.0", readAt: "2026-06-15T10:00:00Z", sites: [], instanceChanges: [], reassert: [], unmanaged: [], problems: [], findings: [], notes: [], passed: 0, traffic: { requests: 0, bytesSent: 0, bytesReceived: 0 } };

  it("maps Matomo's requirements to rules and says where it and Exempt disagree", () => {
    const status = {
      complianceModeEnforced: false,
      complianceRequirements: [
        { name: "IP Anonymisation", value: "compliant", notes: "Set to at least 2 byte masking" },
        { name: "Data retention period", value: "non_compliant", notes: "Retention period is set to 365 days" },
        { name: "Visits Log and Visitors Profile", value: "non_compliant" },
        { name: "Opt out", value: "unknown", notes: "Opt out must be manually set up" },
        { name: "Something new", value: "compliant" },
      ],
    };
    const exempt: Record<string, string> = { "CNIL-IP-MASK-2B": "enforced-not-observable", "CNIL-RETENTION-25M": "verified-live", "CNIL-AGGREGATE-ONLY": "not-checked", "CNIL-OPT-OUT": "to-confirm" };
    const c = complianceOf({ ...base, compliance: { supported: true, status, note: "read" } }, (id) => exempt[id] as never);
    expect(c).toMatchObject({ available: true, modeEnforced: false, disagreements: 1 });
    expect(c.requirements.map((r) => [r.ruleId, r.agreement])).toEqual([
      ["CNIL-IP-MASK-2B", "agree"],
      ["CNIL-RETENTION-25M", "disagree"],
      ["CNIL-AGGREGATE-ONLY", "exempt-cannot-tell"],
      ["CNIL-OPT-OUT", "product-cannot-tell"],
      [undefined, "no-rule"],
    ]);
    expect(c.requirements[1].explanation).toBe("the product says non_compliant, Exempt says verified live");
  });

  it("says plainly when the method does not exist, and what the product answered", () => {
    const c = complianceOf({ ...base, version: "5.1.2", compliance: { supported: false, note: "PrivacyManager.getComplianceStatus is not available on this Matomo: The method 'getComplianceStatus' does not exist" } }, () => undefined);
    expect(c.available).toBe(false);
    expect(c.note).toBe("Matomo 5.1.2 has no readable CNIL compliance mode: PrivacyManager.getComplianceStatus does not exist on this version (it answered: The method 'getComplianceStatus' does not exist). Only Exempt's findings are shown.");
  });

  it("reads the granular rows (id, status) and ignores what it cannot read", () => {
    expect(parseComplianceStatus([{ id: "PrivacyManager.IPAnonymisation", name: "IP anonymisation", status: "enforced" }, "junk", { name: "no status" }])).toEqual({
      modeEnforced: undefined,
      requirements: [{ name: "IP anonymisation (PrivacyManager.IPAnonymisation)", status: "enforced", notes: undefined }],
    });
    expect(parseComplianceStatus("nope")).toBeUndefined();
    expect(ruleForRequirement("ThirdPartyCookies")).toBe("CNIL-NO-THIRD-PARTY-COOKIE");
    expect(ruleForRequirement("Matomo recommended PII")).toBe("CNIL-NO-PII-URL");
  });
});

describe("the model and its pages", () => {
  afterEach(() => forgetSecretsForTests());

  function fixture(siteName: string, notes: string[] = [], compliance: InstanceReport["compliance"] = { supported: false, note: "no" }) {
    const config = Config.parse(matomo({}, { www: { name: siteName } }));
    const desired = evaluatePack(CnilPack, desiredSubjects(config), { today: TODAY });
    const live = desired.map((f) => ({ ...f, side: "live" as const, evidence: f.evidence ? ("api" as const) : undefined }));
    const instance: InstanceReport = {
      instanceId: "stats",
      product: "matomo",
      url: "https://stats.example.gouv.fr",
      version: "5.1.2",
      readAt: "2026-06-15T09:30:00.000Z",
      sites: [{ siteKey: "www", productId: "7", name: siteName, operation: "none", changes: [] }],
      instanceChanges: [],
      reassert: [],
      unmanaged: [],
      problems: [],
      findings: [...desired, ...live],
      notes,
      compliance,
      passed: 0, traffic: { requests: 3, bytesSent: 0, bytesReceived: 0 },
    };
    const run: RunReport = {
      schemaVersion: 1,
      command: "drift",
      generatedAt: "2026-06-15T09:30:01.000Z",
      exemptVersion: "0.1.0",
      strict: false,
      summary: { instances: 1, sites: 1, changes: 0, blocked: 0, violations: 0, warnings: 0, notObservable: 0, toConfirm: 0, unmanaged: 0, failed: 0, exitCode: 0, verdict: "" },
      instances: [instance],
    };
    const report = buildEvidence({ run, config, pack: CnilPack, today: TODAY, generatedAt: "2026-06-15T09:31:00.000Z" });
    return { config, report, files: renderEvidenceFiles(report) };
  }

  it("is valid against its schema and carries the hash Terraform's triggers carry", () => {
    const { config, report } = fixture("Portail");
    expect(EvidenceReportSchema.parse(report)).toBeTruthy();
    expect(report.sites[0]).toMatchObject({ id: "stats/www", page: "sites/stats--www.html", declarationHash: hashInstance(config.instances.stats), readAt: "2026-06-15T09:30:00.000Z", productVersion: "5.1.2" });
  });

  it("escapes what comes from the configuration or a server, and redacts secrets", () => {
    registerSecret("s3cr3t-token-value");
    const { files } = fixture(`<script>alert("x")</script> & "Portail"`, ["server said token_auth=abc123 and s3cr3t-token-value"]);
    const page = files["sites/stats--www.html"];
    expect(page).not.toContain("<script>");
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Portail&quot;");
    for (const text of Object.values(files)) {
      expect(text).not.toContain("s3cr3t-token-value");
      expect(text).not.toContain("abc123");
    }
    expect(page).toContain("token_auth=***");
  });

  it("fetches nothing: no script, no external stylesheet, image, font or frame; a CSP that forbids them", () => {
    const { files } = fixture("Portail");
    for (const [name, text] of Object.entries(files)) {
      if (!name.endsWith(".html")) continue;
      expect(text).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
      expect(text).not.toMatch(/<script|<link|<iframe|<img|<object|<embed|@import|url\(/i);
      expect(text).not.toMatch(/\ssrc=/i);
      for (const [, href] of text.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^(#|\.\.\/index\.html$|index\.html$|sites\/|all-sites\.html$|evidence\.json$|https:\/\/)/);
      // External links are sources a reader may follow, never something the page loads.
      for (const [tag] of text.matchAll(/<a [^>]*href="https:[^>]*>/g)) expect(tag).toContain('rel="noopener noreferrer"');
    }
  });

  it("shows a readable compliance status beside Exempt's findings, on the fleet page and the site's", () => {
    const { report, files } = fixture("Portail", [], { supported: true, note: "read", status: { complianceModeEnforced: true, complianceRequirements: [{ name: "Ecommerce analytics", value: "non_compliant" }] } });
    expect(report.attention.disagreements).toEqual([{ instanceId: "stats", requirement: "Ecommerce analytics", explanation: "the product says non_compliant, Exempt says verified live" }]);
    for (const page of [files["index.html"], files["sites/stats--www.html"]]) {
      expect(page).toContain('data-agreement="disagree"');
      expect(page).toContain("Its CNIL compliance mode is switched on");
    }
    expect(files["index.html"]).toContain("Matomo and Exempt disagree");
  });

  it("links only http(s) addresses, and page names never collide", () => {
    expect(link("javascript:alert(1)", "x").value).toBe("x");
    expect(link("https://cnil.fr/a?b=1&c=2", "CNIL").value).toBe('<a class="ext" href="https://cnil.fr/a?b=1&amp;c=2" rel="noopener noreferrer">CNIL</a>');
    expect(html`<p title="${`"'<>&`}">${["a<", html`<b>b</b>`]}</p>`.value).toBe(`<p title="${escapeHtml(`"'<>&`)}">a&lt;<b>b</b></p>`);
    expect(pagePaths([{ instanceId: "a--b", siteKey: "c" }, { instanceId: "a", siteKey: "b--c" }, { instanceId: "A", siteKey: "B--c" }, { instanceId: "a", productId: "x/y" }])).toEqual([
      "sites/a--b--c.html",
      "sites/a--b--c-2.html",
      "sites/A--B--c-3.html",
      "sites/a--unmanaged-x_y.html",
    ]);
  });
});
