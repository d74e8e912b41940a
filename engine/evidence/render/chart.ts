import { EVIDENCE_STATUSES, EvidenceStatus, SITE_VERDICTS, SiteVerdict, STATUS_WORDS, VERDICT_WORDS } from "../vocabulary";
import { html, Html, trusted } from "./html";

/**
 * The fleet chart: one labelled bar per verdict, so it reads in colour, in grey print and to a
 * screen reader (each bar has its words and its count as text, and the SVG a title and a
 * description). Drawn here, inline: no charting library is fetched at run time.
 */
export function verdictChart(counts: Record<string, number>, total: number): Html {
  const rowH = 34;
  const labelW = 460;
  const barMax = 330;
  const width = labelW + barMax + 70;
  const height = SITE_VERDICTS.length * rowH + 8;
  const max = Math.max(1, ...SITE_VERDICTS.map((v) => counts[v] ?? 0));
  const rows = SITE_VERDICTS.map((v: SiteVerdict, n) => {
    const count = counts[v] ?? 0;
    const w = count === 0 ? 0 : Math.max(3, Math.round((count / max) * barMax));
    const y = 4 + n * rowH;
    const words = VERDICT_WORDS[v];
    const label = words.label.length > 62 ? `${words.label.slice(0, 61)}…` : words.label;
    return html`<g class="row" data-verdict="${v}"><title>${words.label}: ${count} of ${total}</title><text x="0" y="${y + 20}">${label}</text><rect class="bar" x="${labelW}" y="${y + 5}" width="${w}" height="${rowH - 12}" fill="${words.colour}"/><text x="${labelW + w + 8}" y="${y + 20}" font-weight="600">${count}</text></g>`;
  });
  const desc = SITE_VERDICTS.map((v) => `${VERDICT_WORDS[v].label}: ${counts[v] ?? 0}`).join("; ");
  return html`<svg id="verdict-chart" class="chart" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet"><title id="chart-title">Declared sites by verdict (${total} in all)</title><desc id="chart-desc">${desc}</desc>${rows}</svg>`;
}

/** A site's rules as one stacked bar, by status (screen only: print has the counts in columns). */
export function statusBar(counts: Record<string, number>, width = 160): Html {
  const total = EVIDENCE_STATUSES.reduce((n, s) => n + (counts[s] ?? 0), 0);
  if (total === 0) return trusted("");
  let x = 0;
  const parts: Html[] = [];
  for (const s of EVIDENCE_STATUSES as readonly EvidenceStatus[]) {
    const c = counts[s] ?? 0;
    if (!c) continue;
    const w = (c / total) * width;
    parts.push(html`<rect x="${x.toFixed(2)}" y="0" width="${w.toFixed(2)}" height="12" fill="${STATUS_WORDS[s].colour}"><title>${STATUS_WORDS[s].label}: ${c}</title></rect>`);
    x += w;
  }
  const desc = EVIDENCE_STATUSES.filter((s) => counts[s]).map((s) => `${STATUS_WORDS[s].label}: ${counts[s]}`).join("; ");
  return html`<svg class="mini" role="img" aria-label="${desc}" viewBox="0 0 ${width} 12" width="${width}" height="12">${parts}</svg>`;
}
