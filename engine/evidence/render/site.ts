import { showValue } from "../../render/values";
import type { EvidenceReport, InstanceEvidence, RuleEvidence, SiteEvidence } from "../schema";
import { EVIDENCE_STATUSES, PRODUCT_NAMES, STATUS_WORDS, VERDICT_WORDS, VERIFICATION_WORDS } from "../vocabulary";
import { html, Html, link, showDateTime } from "./html";
import { badge, footer, legend, page } from "./layout";
import { complianceSection } from "./compliance";

const show = (v: unknown) => showValue(v, 200);

export function sitePage(report: EvidenceReport, site: SiteEvidence, instance: InstanceEvidence): string {
  const body = html`<nav class="crumbs"><a href="../index.html">← All sites (fleet summary)</a></nav>
${siteSection(report, site, instance, { headingLevel: 1 })}
${legend()}
${footer(report)}`;
  return page(`${site.name} (${site.id}): CNIL exemption evidence`, body);
}

/** One site's evidence; the print-all page stacks these, one per printed page. */
export function siteSection(report: EvidenceReport, site: SiteEvidence, instance: InstanceEvidence, options: { headingLevel: 1 | 2 }): Html {
  const product = PRODUCT_NAMES[site.product] ?? site.product;
  const title = options.headingLevel === 1 ? html`<h1>${site.name}</h1>` : html`<h2 class="site-title">${site.name}</h2>`;
  return html`<section class="site vd-${site.verdict}" id="site-${site.id}" data-site="${site.id}">
<header class="top"><p class="kicker">CNIL audience-measurement exemption · evidence for one site</p>${title}
<p>${site.unmanaged ? "Unmanaged site" : html`Site <code>${site.siteKey}</code>`} on instance <code>${site.instanceId}</code> (${product}, ${site.instanceUrl}) · read ${showDateTime(site.readAt)}</p></header>
${verdictBox(site)}
${notices(site)}
${attention(site)}
<h2>The reading</h2>
${facts(report, site, instance)}
<h2>Conditions of the exemption (${site.rules.length} rules of the pack for ${product})</h2>
${countsLine(site)}
${rulesTable(site)}
<h2>Declaration and live site compared</h2>
${driftSection(site)}
<h2>${product}'s own CNIL compliance mode</h2>
${complianceSection(instance)}
${instance.notes.length ? html`<h2>Notes from the reading of ${instance.instanceId}</h2><ul>${instance.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ""}
</section>`;
}

function verdictBox(site: SiteEvidence): Html {
  const words = VERDICT_WORDS[site.verdict];
  return html`<div class="verdict vd-${site.verdict}" data-verdict="${site.verdict}"><div class="label">${words.label}</div><p>${words.meaning}</p><p class="small">${summaryLine(site)}</p></div>`;
}

function summaryLine(site: SiteEvidence): string {
  return EVIDENCE_STATUSES.filter((s) => site.counts[s])
    .map((s) => `${site.counts[s]} ${STATUS_WORDS[s].label.toLowerCase()}`)
    .join(" · ");
}

function notices(site: SiteEvidence): Html {
  const out: Html[] = [];
  if (!site.read) out.push(html`<div class="notice error"><strong>No live evidence:</strong> ${site.readNote ?? "the site was not read"}. The statuses below come from the declaration alone.</div>`);
  if (site.mode === "consent")
    out.push(
      html`<div class="notice"><strong>This site relies on a consent banner</strong> (<code>mode: consent</code>): it does not claim the exemption. The exemption's conditions are shown for information, except those that protect data whatever the legal basis (personal data in URLs and custom fields, heatmaps and recordings, cookie lifetime, retention), which keep their level.</div>`,
    );
  if (site.unmanaged) out.push(html`<div class="notice"><strong>Not declared:</strong> Exempt found this site on the instance, judges it as found (its breaches are warnings) and never changes it. Declare it, or remove it from the instance.</div>`);
  for (const p of site.problems.filter((p) => !site.unmanaged || !p.startsWith("not declared"))) out.push(html`<div class="notice error">${p}</div>`);
  return html`${out}`;
}

function attention(site: SiteEvidence): Html {
  const pick = (...s: string[]) => site.rules.filter((r) => s.includes(r.status));
  const violated = pick("violated");
  const missing = pick("not-observable", "declared-only");
  const confirm = pick("to-confirm");
  if (!violated.length && !missing.length && !confirm.length && !site.drift.length) return html``;
  const item = (r: RuleEvidence) => html`<li><a href="#rule-${r.ruleId}"><span class="rule-id">${r.ruleId}</span></a> ${badge(r.status)} ${r.detail}</li>`;
  return html`<div class="attention${violated.length ? "" : " calm"}"><strong>Needs attention</strong><ul>${violated.map(item)}${missing.map(item)}${
    confirm.length
      ? html`<li>${badge("to-confirm")} ${confirm.length} condition${confirm.length === 1 ? "" : "s"} only a person can confirm, without a valid attestation: ${confirm.map((r, n) => html`${n ? ", " : ""}<a href="#rule-${r.ruleId}"><span class="rule-id">${r.ruleId}</span></a>`)}</li>`
      : ""
  }${
    site.drift.length ? html`<li><a href="#drift">${site.drift.length} setting${site.drift.length === 1 ? "" : "s"}</a> differ${site.drift.length === 1 ? "s" : ""} between the declaration and the live site</li>` : ""
  }</ul></div>`;
}

function facts(report: EvidenceReport, site: SiteEvidence, instance: InstanceEvidence): Html {
  const product = PRODUCT_NAMES[site.product] ?? site.product;
  const idLabel = site.product === "matomo" ? "idSite" : "app id";
  return html`<dl class="facts">
<dt>Site</dt><dd>${site.name}${site.siteKey ? html` (declared as <code>${site.siteKey}</code>)` : " (not declared)"}</dd>
<dt>URLs</dt><dd>${site.urls.length ? site.urls.map((u, n) => html`${n ? ", " : ""}<code>${u}</code>`) : "none"}</dd>
<dt>Product id</dt><dd>${site.productId ? html`${idLabel} <code>${site.productId}</code>` : "none (not found on the instance)"}</dd>
<dt>Instance</dt><dd><code>${site.instanceId}</code>: ${product} at <code>${site.instanceUrl}</code></dd>
<dt>Mode</dt><dd>${site.mode === "exempt" ? "exempt: claims the CNIL consent exemption" : "consent: relies on a consent banner"}</dd>
<dt>Read at</dt><dd>${site.readAt ? html`<time datetime="${site.readAt}">${showDateTime(site.readAt)}</time>` : html`not read${instance.error ? html`: ${instance.error}` : ""}`}</dd>
<dt>${product} version read</dt><dd>${site.productVersion ?? "not read"}${site.product === "matomo" && site.productVersion ? html` <span class="small">(API.getMatomoVersion)</span>` : ""}</dd>
<dt>Exempt version</dt><dd>exempt ${report.exemptVersion}, rule pack “${report.pack.name}” ${report.pack.version}</dd>
<dt>Declaration hash</dt><dd>${
    site.declarationHash
      ? html`<code data-hash="declaration">${site.declarationHash}</code><br><span class="small">SHA-256 of the canonical JSON of instance <code>${site.instanceId}</code>'s declaration: the hash Terraform's <code>triggers_replace</code> carries, to match this reading to a deploy.</span>`
      : "none: the site is not declared"
  }</dd>
${report.configFile ? html`<dt>Declaration</dt><dd><code>${report.configFile}</code></dd>` : ""}
<dt>Judged as of</dt><dd>${report.today} (expiry of suppressions and attestations)</dd>
</dl>`;
}

function countsLine(site: SiteEvidence): Html {
  return html`<p class="counts">${EVIDENCE_STATUSES.filter((s) => site.counts[s]).map((s) => html`${badge(s)} <strong>${site.counts[s]}</strong>&nbsp;&nbsp; `)}</p>`;
}

function rulesTable(site: SiteEvidence): Html {
  const rows = site.rules.map((r) => {
    const parts =
      r.parts.length > 1
        ? html`<ul class="small">${r.parts.map((p) => html`<li>${STATUS_WORDS[p.status].label}: ${p.message}${p.found !== undefined ? html` (${p.side === "live" ? "read" : "declared"} <code>${show(p.found)}</code>)` : ""}</li>`)}</ul>`
        : "";
    const values =
      r.status === "violated" || r.status === "recommendation-not-followed" || r.status === "suppressed"
        ? html`<div class="small">Found: <code>${show(r.found)}</code> · Required: <code>${r.required ?? "see the condition"}</code></div>`
        : r.status === "verified-live" || r.status === "observed-database"
          ? r.found !== undefined
            ? html`<div class="small">Value read: <code>${show(r.found)}</code>${r.required ? html` · Required: <code>${r.required}</code>` : ""}</div>`
            : ""
          : r.status === "enforced-not-observable" && r.declared !== undefined
            ? html`<div class="small">Declared and written on every apply: <code>${show(r.declared)}</code></div>`
            : "";
    const who =
      r.attestation && r.status === "attested"
        ? html`<div class="small">By <strong>${r.attestation.by}</strong> on ${r.attestation.at}, valid until ${r.attestation.until}</div>`
        : r.suppression && r.status === "suppressed"
          ? html`<div class="small">Reason: ${r.suppression.reason} · Owner: <strong>${r.suppression.owner}</strong> · Expires: ${r.suppression.expires ?? "no expiry"}</div>`
          : "";
    return html`<tr id="rule-${r.ruleId}" data-rule="${r.ruleId}" data-status="${r.status}">
<td><span class="rule-id">${r.ruleId}</span><div class="small">level: ${r.level}</div><div class="small">${r.verification ? html`verifiable by ${VERIFICATION_WORDS[r.verification]} (${r.verification})` : ""}</div></td>
<td>${r.title}<div class="small source">Source: ${sourceCell(r.source, r.sourceUrl)}</div></td>
<td>${badge(r.status)}</td>
<td class="detail">${r.detail}${values}${who}${parts}</td>
</tr>`;
  });
  return html`<table class="rules"><colgroup><col class="c-id"><col class="c-cond"><col class="c-status"><col class="c-ev"></colgroup><thead><tr><th>Rule</th><th>Condition and source</th><th>Status</th><th>Evidence</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function driftSection(site: SiteEvidence): Html {
  if (!site.read) return html`<p id="drift">Not compared: the site was not read.</p>`;
  if (site.unmanaged) return html`<p id="drift">Not compared: the site is not declared.</p>`;
  if (!site.drift.length) return html`<p id="drift">Every setting the API can read matches the declaration. Settings it cannot read are listed above as “${STATUS_WORDS["enforced-not-observable"].label}”.</p>`;
  return html`<table id="drift" class="drift"><thead><tr><th>Setting</th><th>Live</th><th>Declared</th><th>Note</th></tr></thead><tbody>${site.drift.map(
    (d) => html`<tr><td><code>${d.field}</code></td><td><code>${show(d.live)}</code></td><td><code>${show(d.desired)}</code></td><td class="small">${d.blockedBy ? `not applied: ${d.blockedBy}` : "an apply would write the declared value"}</td></tr>`,
  )}</tbody></table>`;
}

/** "[GM][GP] CNIL, « … »; …": the keys as the link, the titles beside it. */
function sourceCell(source: string, url: string): Html {
  const m = /^((?:\[[^\]]+\])+)\s*(.*)$/.exec(source);
  if (!m) return link(url, source);
  return html`${link(url, m[1])} ${m[2]}`;
}
