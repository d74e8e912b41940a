import type { InstanceEvidence } from "../schema";
import { PRODUCT_NAMES } from "../vocabulary";
import { html, Html } from "./html";
import { badge } from "./layout";

const AGREEMENT_WORDS: Record<string, string> = {
  agree: "agree",
  disagree: "DISAGREE",
  "exempt-cannot-tell": "Exempt has no evidence",
  "product-cannot-tell": "the product does not judge it",
  "no-rule": "no matching rule",
};

/** The product's own compliance status beside Exempt's findings, and where they disagree. */
export function complianceSection(instance: InstanceEvidence): Html {
  const c = instance.compliance;
  const product = PRODUCT_NAMES[instance.product] ?? instance.product;
  if (!c.available || !c.requirements.length) return html`<p class="compliance" data-compliance="${c.available ? "available" : "unavailable"}">${c.note}</p>`;
  const rows = c.requirements.map(
    (r) => html`<tr data-agreement="${r.agreement}"><td>${r.name}${r.notes ? html`<div class="small">${r.notes}</div>` : ""}</td><td><code>${r.productStatus}</code></td><td>${r.ruleId ? html`<span class="rule-id">${r.ruleId}</span>` : "—"}</td><td>${r.exemptStatus ? badge(r.exemptStatus) : "—"}</td><td>${r.agreement === "disagree" ? html`<strong>${AGREEMENT_WORDS[r.agreement]}</strong>` : AGREEMENT_WORDS[r.agreement]}<div class="small">${r.explanation}</div></td></tr>`,
  );
  return html`<div class="compliance" data-compliance="available"><p>${c.note}${c.disagreements ? html` <strong>${c.disagreements} requirement${c.disagreements === 1 ? "" : "s"} where ${product} and Exempt disagree.</strong>` : " Where both judge a requirement, they agree."}</p>
<table><thead><tr><th>${product}'s requirement</th><th>${product} says</th><th>Rule</th><th>Exempt says (weakest over the declared sites)</th><th>Agreement</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}
