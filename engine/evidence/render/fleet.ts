import type { EvidenceReport, InstanceEvidence, SiteEvidence } from "../schema";
import { PRODUCT_NAMES, STATUS_WORDS, VERDICT_WORDS } from "../vocabulary";
import { html, Html, showDateTime } from "./html";
import { statusBar, verdictChart } from "./chart";
import { complianceSection } from "./compliance";
import { badge, footer, legend, page } from "./layout";
import { siteSection } from "./site";

/**
 * The fleet page, in the order a DPO reads it: the verdict in one sentence and a chart, then what
 * needs their action (violations, missing attestations, disagreements with the product's own
 * compliance mode), then every site with a link to its page, then the instances read.
 */
export function fleetPage(report: EvidenceReport): string {
  return page("CNIL exemption evidence: fleet summary", html`${fleetBody(report, "")}
${legend()}
${footer(report)}`);
}

/** Every site in one document, one per printed page: for filing the whole fleet as one PDF. */
export function printAllPage(report: EvidenceReport): string {
  const byId = new Map(report.instances.map((i) => [i.instanceId, i]));
  const sections = report.sites.map((s) => siteSection(report, s, byId.get(s.instanceId)!, { headingLevel: 2 }));
  return page("CNIL exemption evidence: every site", html`<nav class="crumbs"><a href="index.html">← Fleet summary</a></nav>
<p class="screen-only notice">This document holds the fleet summary and every site, one per printed page: print it to PDF to file the whole report at once.</p>
${fleetBody(report, "")}
${sections}
<section class="site">${legend()}</section>
${footer(report)}`);
}

function fleetBody(report: EvidenceReport, prefix: string): Html {
  const declared = report.sites.filter((s) => !s.unmanaged);
  const unmanaged = report.sites.filter((s) => s.unmanaged);
  const readTimes = report.instances.map((i) => i.readAt).filter((x): x is string => Boolean(x)).sort();
  const when = readTimes.length ? (readTimes[0].slice(0, 16) === readTimes[readTimes.length - 1].slice(0, 16) ? showDateTime(readTimes[0]) : `${showDateTime(readTimes[0])} to ${showDateTime(readTimes[readTimes.length - 1])}`) : "no instance could be read";
  return html`<header class="top"><p class="kicker">CNIL audience-measurement exemption (France) · compliance evidence</p>
<h1>Analytics configuration: evidence for ${declared.length} site${declared.length === 1 ? "" : "s"}</h1>
<p>Read live on <strong id="reading-date">${when}</strong> from ${report.instances.length} instance${report.instances.length === 1 ? "" : "s"}, by exempt ${report.exemptVersion} (rule pack ${report.pack.version}).${report.scope ? html` Scope: <code>--only ${report.scope.instance ?? ""}${report.scope.site ? `/${report.scope.site}` : ""}</code>.` : ""} <span class="screen-only"><a href="${prefix}all-sites.html">Every site in one printable document</a> · <a href="${prefix}evidence.json">evidence.json</a></span></p></header>
<p class="headline" id="headline">${report.summary.headline}</p>
<section id="summary">${verdictChart(report.summary.verdicts, report.summary.sites)}
<p class="small">Only <strong>${VERDICT_WORDS.verified.label}</strong> rests on live readings alone. No category counts the ${report.summary.notChecked} condition verdicts Exempt cannot check yet (the tracker snippet and cookies on the live page, the server's configuration file, plugin settings): each site's page lists them as “${STATUS_WORDS["not-checked"].label}”.</p></section>
${attentionSection(report, prefix)}
<h2 id="sites">Sites</h2>
${sitesTable(declared, prefix)}
<h2 id="instances">Instances read</h2>
${instancesTable(report.instances)}
${report.instances.filter((i) => i.compliance.available && i.compliance.requirements.length).map((i) => html`<h3>${PRODUCT_NAMES[i.product]}'s own CNIL compliance mode on <code>${i.instanceId}</code></h3>${complianceSection(i)}`)}
${
  unmanaged.length
    ? html`<h2 id="unmanaged">Sites found on the instances but not declared</h2><p>Exempt judges them as found (their breaches are warnings) and never changes them. They are part of what the instances actually measure: declare them, or remove them.</p>${sitesTable(unmanaged, prefix)}`
    : ""
}`;
}

function siteLink(s: SiteEvidence, prefix: string): Html {
  return html`<a href="${prefix}${s.page}" data-site-link="${s.id}">${s.name}</a>`;
}

function attentionSection(report: EvidenceReport, prefix: string): Html {
  const a = report.attention;
  const byId = new Map(report.sites.map((s) => [s.id, s]));
  const ref = (id: string) => {
    const s = byId.get(id);
    return s ? siteLink(s, prefix) : html`${id}`;
  };
  const items: Html[] = [];
  for (const v of a.violations) items.push(html`<li>${badge("violated")} ${ref(v.site)} <span class="small">(${v.site})</span>: <span class="rule-id">${v.ruleId}</span>: ${v.detail}</li>`);
  for (const d of a.disagreements) items.push(html`<li><strong>${PRODUCT_NAMES.matomo} and Exempt disagree</strong> on <code>${d.instanceId}</code>: ${d.requirement}: ${d.explanation}</li>`);
  for (const u of a.unread) items.push(html`<li>${badge("declared-only")} ${ref(u.site)}: ${u.detail}</li>`);
  for (const n of a.notObservable) items.push(html`<li>${badge("not-observable")} ${ref(n.site)}: <span class="rule-id">${n.ruleId}</span>: ${n.detail}</li>`);
  const confirm = a.toConfirm.length
    ? html`<h3>Conditions only a person can confirm, not attested</h3><p class="small">Declare an attestation (who, when, until when) on the instance, or on the site, once the condition is checked.</p>
<table class="to-confirm"><thead><tr><th>Rule</th><th>Condition</th><th>Sites without a valid attestation</th></tr></thead><tbody>${a.toConfirm.map(
        (t) => html`<tr><td class="rule-id">${t.ruleId}</td><td>${t.title}</td><td>${t.sites.length === declaredCount(report) ? html`all ${t.sites.length} sites` : t.sites.map((s, n) => html`${n ? ", " : ""}${ref(s)}`)}</td></tr>`,
      )}</tbody></table>`
    : "";
  if (!items.length && !a.toConfirm.length) return html`<section id="attention" class="attention calm"><strong>Nothing needs action:</strong> no violation, no missing attestation, no disagreement.</section>`;
  return html`<section id="attention"><h2>Needs attention</h2>${items.length ? html`<ul>${items}</ul>` : html`<p>No violation found.</p>`}${confirm}</section>`;
}

function declaredCount(report: EvidenceReport): number {
  return report.sites.filter((s) => !s.unmanaged).length;
}

const COLUMNS = ["verified-live", "observed-database", "enforced-not-observable", "attested", "suppressed", "to-confirm", "violated", "not-checked"] as const;
/** Column headings short enough for a table; each carries the full words as its tooltip. */
const SHORT: Record<(typeof COLUMNS)[number], string> = {
  "verified-live": "Verified live",
  "observed-database": "In the database",
  "enforced-not-observable": "Enforced, not observable",
  attested: "Attested",
  suppressed: "Sup\u00adpressed",
  "to-confirm": "To confirm",
  violated: "Violated",
  "not-checked": "Not checked yet",
};

function sitesTable(sites: SiteEvidence[], prefix: string): Html {
  if (!sites.length) return html`<p>No site.</p>`;
  const rows = sites.map(
    (s) => html`<tr data-site="${s.id}" data-verdict="${s.verdict}"><td>${siteLink(s, prefix)}<div class="small"><code>${s.id}</code>${s.urls[0] ? html` · ${s.urls[0]}` : ""}</div></td><td>${s.mode}</td><td><strong style="color:${VERDICT_WORDS[s.verdict].colour}">${s.verdictLabel}</strong></td>${COLUMNS.map(
      (c) => html`<td class="num">${s.counts[c] ?? 0}</td>`,
    )}<td class="screen-only">${statusBar(s.counts, 90)}</td></tr>`,
  );
  return html`<table class="sites"><colgroup><col class="c-site"><col class="c-mode"><col class="c-verdict">${COLUMNS.map(() => html`<col>`)}<col class="c-bar screen-only"></colgroup><thead><tr><th>Site</th><th>Mode</th><th>Verdict</th>${COLUMNS.map((c) => html`<th title="${STATUS_WORDS[c].label}: ${STATUS_WORDS[c].meaning}">${SHORT[c]}</th>`)}<th class="screen-only">Rules by status</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function instancesTable(instances: InstanceEvidence[]): Html {
  const rows = instances.map((i) => {
    const c = i.compliance;
    const compliance = c.available ? (c.requirements.length ? html`readable: ${c.disagreements ? html`<strong>${c.disagreements} disagreement${c.disagreements === 1 ? "" : "s"}</strong> with Exempt` : "agrees with Exempt where both judge"}${c.modeEnforced !== undefined ? html`; mode ${c.modeEnforced ? "on" : "off"}` : ""}` : html`${c.note}`) : html`<span data-compliance="unavailable">${c.note}</span>`;
    return html`<tr data-instance="${i.instanceId}"><td><code>${i.instanceId}</code></td><td>${PRODUCT_NAMES[i.product]}<div class="small">${i.version ?? "version not read"}</div></td><td><code>${i.url}</code></td><td>${i.error ? html`<strong>not read:</strong> ${i.error}` : showDateTime(i.readAt)}</td><td><code class="small">${i.declarationHash}</code></td><td class="small">${compliance}</td></tr>`;
  });
  return html`<table class="instances"><colgroup><col class="c-id"><col class="c-prod"><col class="c-url"><col class="c-read"><col class="c-hash"><col></colgroup><thead><tr><th>Instance</th><th>Product, version read</th><th>URL</th><th>Read at</th><th>Declaration hash (SHA-256)</th><th>The product's own CNIL compliance mode</th></tr></thead><tbody>${rows}</tbody></table>`;
}
