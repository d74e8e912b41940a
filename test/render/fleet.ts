import { RunReportSchema, type InstanceReport, type ReportFinding, type RunReport, type SiteReport } from "../../engine/report-schema";
import { summarise } from "../../engine/run";

/**
 * Realistic reports for the renderers, without a server: a shared Matomo instance of `sites`
 * declared sites, `drifted` of them with several changed fields, a few violations (some
 * suppressed), attestations, unmanaged sites, and optionally a second instance that could not be
 * read. Built through the engine's own `summarise`, so counts and exit codes are the real ones.
 */
export interface FleetShape {
  sites: number;
  drifted: number;
  command?: "plan" | "drift";
  unmanaged?: number;
  /** Sites (from the first) whose declaration breaks CNIL-SINGLE-PUBLISHER. */
  violating?: number;
  /** Of those, how many carry a suppression (consent-mode sites: the rule allows it). */
  suppressed?: number;
  unreadable?: boolean;
  /** Names with Markdown and XML metacharacters, to test escaping. */
  nastyNames?: boolean;
}

const SOURCE = "CNIL délibération n° 2020-091 art. 5 §51";
const SOURCE_URL = "https://www.cnil.fr/fr/node/167364";

export function siteKeyOf(i: number): string {
  return `site-${String(i).padStart(3, "0")}`;
}

/** The line of a site's key in the imaginary exempt.yaml: 12 lines per site, after a 20-line header. */
export function lineOfSite(i: number): number {
  return 20 + i * 12;
}

function finding(over: Partial<ReportFinding> & Pick<ReportFinding, "ruleId" | "status" | "level">): ReportFinding {
  return {
    side: "desired",
    product: "matomo",
    instanceId: "stats",
    mode: "exempt",
    title: "Each site measures one publisher's site alone",
    source: SOURCE,
    sourceUrl: SOURCE_URL,
    message: "rule message",
    ...over,
  };
}

export function buildFleetReport(shape: FleetShape): RunReport {
  const sites: SiteReport[] = [];
  const findings: ReportFinding[] = [];
  const file = "exempt.yaml";
  for (let i = 0; i < shape.sites; i++) {
    const key = siteKeyOf(i);
    const name = shape.nastyNames && i % 7 === 0 ? `Site <b>${i}</b> | *promo* & "quotes" \`tick\` ]]> \u0007` : `Site ${i}`;
    const changes: SiteReport["changes"] = [];
    if (i < shape.drifted) {
      changes.push({ area: "site", siteKey: key, field: "excludeUnknownUrls", live: false, desired: true });
      if (i % 2 === 0) changes.push({ area: "site", siteKey: key, field: "excludedQueryParameters", live: [], desired: ["email", "token", "utm_source|x"] });
      if (i % 3 === 0) changes.push({ area: "site", siteKey: key, field: "name", live: `${name} (old)`, desired: name });
      if (i % 5 === 0) changes.push({ area: "access", siteKey: key, field: "access.intern", live: "admin", desired: "noaccess", blockedBy: "undeclared access is only revoked with access.revokeUndeclared: true and --prune" });
    }
    sites.push({ siteKey: key, productId: String(i + 2), name, operation: changes.some((c) => !c.blockedBy) ? "update" : "none", changes });
    const location = { file, line: lineOfSite(i), column: 7 };
    if (i < (shape.violating ?? 0)) {
      const suppressed = i < (shape.suppressed ?? 0);
      findings.push(
        finding({
          ruleId: "CNIL-SINGLE-PUBLISHER",
          level: "error",
          status: suppressed ? "suppressed" : "fail",
          siteKey: key,
          path: `instances.stats.sites.${key}.excludeUnknownUrls`,
          location: { ...location, line: location.line + 3 },
          field: "site.excludeUnknownUrls",
          found: false,
          expected: "true",
          message: `Each site measures one publisher's site alone: found false, expected true`,
          suppression: suppressed ? { reason: "Legacy portal <shared> with a partner & co, until the split", owner: "dpo@example.gouv.fr", expires: "2027-06-30", on: "site" } : undefined,
        }),
      );
      // The same breach seen on the live side anchors on the same line.
      if (!suppressed) findings.push(finding({ ruleId: "CNIL-SINGLE-PUBLISHER", level: "error", status: "fail", side: "live", siteKey: key, productId: String(i + 2), path: `instances.stats.sites.${key}.excludeUnknownUrls`, location: { ...location, line: location.line + 3 }, message: "live: found false, expected true", evidence: "api" }));
    }
    findings.push(finding({ ruleId: "CNIL-ECOMMERCE-OFF", level: "warning", status: i % 50 === 1 ? "fail" : "pass", siteKey: key, path: `instances.stats.sites.${key}.ecommerce`, location, title: "Ecommerce analytics are off", message: "Ecommerce analytics are off under the exemption" }));
    findings.push(finding({ ruleId: "CNIL-DNT", level: "info", status: i === 4 ? "fail" : "pass", siteKey: key, path: "instances.stats.privacy.doNotTrack", location: { file, line: 9, column: 5 }, title: "Do-Not-Track is honoured", message: "The browser's Do-Not-Track signal is not honoured" }));
    findings.push(finding({ ruleId: "CNIL-INFO-POLICY", level: "attestation", status: "attested", siteKey: key, title: "Visitors are informed of the measurement", message: "attested", attestation: { by: "dpo@example.gouv.fr", at: "2026-09-01", until: "2027-09-01" } }));
    findings.push(finding({ ruleId: "CNIL-OPT-OUT", level: "attestation", status: "to-confirm", siteKey: key, title: "Visitors can object easily", message: "to be confirmed by a person" }));
    findings.push(finding({ ruleId: "CNIL-IP-MASK-2B", level: "error", status: "not-observable", side: "live", siteKey: key, path: "instances.stats.privacy.ipMaskBytes", title: "Visitor IP addresses are masked", message: "cannot be read through the Matomo API (enforced on every apply)", enforcedOnApply: true }));
  }
  const unmanaged = Array.from({ length: shape.unmanaged ?? 0 }, (_, j) => ({ productId: String(1000 + j), name: `Orphan ${j}`, urls: [`https://orphan-${j}.example.org`] }));
  for (const u of unmanaged.slice(0, 3))
    findings.push(finding({ ruleId: "CNIL-SINGLE-PUBLISHER", level: "warning", status: "fail", side: "live", siteKey: `#${u.productId}`, productId: u.productId, message: "unmanaged site accepts any URL" }));
  const stats: InstanceReport = {
    instanceId: "stats",
    product: "matomo",
    url: "https://stats.example.gouv.fr",
    version: "5.1.2",
    readAt: "2026-10-01T02:00:00.000Z",
    sites,
    instanceChanges: shape.drifted ? [{ area: "instance", field: "privacy.globalExcludedQueryParameters", live: ["email"], desired: ["email", "token"] }] : [],
    reassert: [
      { field: "privacy.ipMaskBytes", desired: 2, enforced: true, note: "written on every apply" },
      { field: "privacy.rawDataRetentionMonths", desired: 25, enforced: false, note: "retention is not enforced: auth.passwordEnv is not declared" },
    ],
    unmanaged,
    problems: [],
    findings,
    notes: [],
    passed: 0, traffic: { requests: 4, bytesSent: 1000, bytesReceived: 100000 },
  };
  const instances = [stats];
  if (shape.unreadable)
    instances.push({
      instanceId: "pp",
      product: "piwikpro",
      url: "https://example.piwik.pro",
      error: "Piwik PRO account 'pp': POST /auth/token answered 401 <invalid_client> & retried 0 time(s)",
      sites: [],
      instanceChanges: [],
      reassert: [],
      unmanaged: [],
      problems: [],
      findings: [],
      notes: [],
      passed: 0, traffic: { requests: 1, bytesSent: 100, bytesReceived: 100 },
    });
  const report = summarise(instances, { command: shape.command ?? "plan", strict: false, configFile: file });
  return RunReportSchema.parse({ ...report, generatedAt: "2026-10-01T02:00:00.000Z" }) as RunReport;
}
