import { EVIDENCE_STATUSES, SITE_VERDICTS, STATUS_WORDS, VERDICT_WORDS } from "../vocabulary";

/**
 * The report's only stylesheet, inlined in every page: no font, image or script is ever fetched,
 * so a page opens from a file, offline, and prints the same years later. Print is black on white,
 * nothing collapsed, tables that do not split rows, link targets written out.
 */
export function stylesheet(): string {
  const statusRules = EVIDENCE_STATUSES.map((s) => {
    const w = STATUS_WORDS[s];
    const border = w.border === "none" ? "1px solid transparent" : `${w.border === "double" ? 3 : 2}px ${w.border} ${w.colour}`;
    return `.st-${s}{color:${w.colour};border:${border};}`;
  }).join("\n");
  const verdictRules = SITE_VERDICTS.map((v) => `.vd-${v}{--vd:${VERDICT_WORDS[v].colour};}`).join("\n");
  return `
:root{color-scheme:light;}
*{box-sizing:border-box;}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#1b1f24;background:#f6f7f9;}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px;background:#fff;}
header.top{border-bottom:3px solid #1b1f24;margin-bottom:18px;padding-bottom:10px;}
header.top .kicker{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:#55606e;margin:0;}
h1{font-size:26px;margin:4px 0 6px;}
h2{font-size:19px;margin:28px 0 10px;border-bottom:1px solid #d0d7de;padding-bottom:4px;}
h3{font-size:16px;margin:18px 0 8px;}
p{margin:6px 0;}
a{color:#0b57d0;}
code,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px;overflow-wrap:anywhere;}
nav.crumbs{font-size:14px;margin-bottom:8px;}
.headline{font-size:18px;font-weight:600;margin:10px 0 12px;}
.verdict{border-left:8px solid var(--vd);background:#f6f7f9;padding:10px 14px;margin:12px 0;}
.verdict .label{font-weight:700;color:var(--vd);font-size:18px;}
${verdictRules}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:10px 0;font-size:14px;}
.facts dt{font-weight:600;color:#3a434e;}
.facts dd{margin:0;overflow-wrap:anywhere;}
table{border-collapse:collapse;width:100%;margin:8px 0 14px;font-size:14px;}
th,td{border:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top;}
th{background:#eef1f4;font-weight:600;}
tr{break-inside:avoid;page-break-inside:avoid;}
table.rules{table-layout:fixed;}
table.rules col.c-id{width:190px;}table.rules col.c-cond{width:34%;}table.rules col.c-status{width:165px;}
table.rules .rule-id{white-space:normal;overflow-wrap:anywhere;}
table.rules .badge,table.sites .badge{white-space:normal;}
table.sites{font-size:13px;table-layout:fixed;}table.sites th{font-size:12px;font-weight:600;}
table.sites td{overflow-wrap:anywhere;}
table.sites col.c-site{width:21%;}table.sites col.c-mode{width:76px;}table.sites col.c-verdict{width:12%;}table.sites col.c-bar{width:104px;}
table.instances{table-layout:fixed;}table.instances td{overflow-wrap:anywhere;}
table.instances col.c-id{width:90px;}table.instances col.c-prod{width:120px;}table.instances col.c-url{width:16%;}table.instances col.c-read{width:110px;}table.instances col.c-hash{width:21%;}
td.num{text-align:right;font-variant-numeric:tabular-nums;}
.badge{display:inline-flex;align-items:center;gap:5px;padding:1px 7px;border-radius:4px;font-weight:600;font-size:13px;white-space:nowrap;background:#fff;}
.badge .sym{flex:none;}
${statusRules}
.small{font-size:12.5px;color:#55606e;}
.detail{overflow-wrap:anywhere;}
.rule-id{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px;white-space:nowrap;}
.attention{border:2px solid #c62828;padding:8px 14px;margin:12px 0;}
.attention.calm{border-color:#d0d7de;}
.attention ul{margin:4px 0 4px 18px;padding:0;}
.legend{display:grid;grid-template-columns:max-content 1fr;gap:6px 14px;font-size:13.5px;align-items:start;}
.notice{background:#fff8e6;border:1px solid #e3c46b;padding:8px 12px;margin:10px 0;}
.notice.error{background:#fdecec;border-color:#e2a1a1;}
.chart{margin:8px 0 4px;max-width:760px;}
.chart text{font:13px system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;fill:#1b1f24;}
.mini{display:block;}
.print-only{display:none;}
footer{margin-top:36px;border-top:1px solid #d0d7de;padding-top:8px;font-size:12.5px;color:#55606e;}
@media print{
  @page{margin:14mm 12mm;}
  body{background:#fff;color:#000;font-size:11pt;}
  main{max-width:none;padding:0;}
  a{color:#000;text-decoration:underline;}
  a.ext::after{content:" <" attr(href) ">";font-size:8.5pt;overflow-wrap:anywhere;}
  nav.crumbs,.screen-only{display:none;}
  .print-only{display:block;}
  th{background:#fff;}
  th,td{border-color:#000;}
  .badge{color:#000 !important;border-color:#000 !important;}
  .verdict{background:#fff;border:1px solid #000;border-left:8px solid #000;}
  .verdict .label{color:#000;}
  .attention{border-color:#000;}
  .notice{background:#fff;border-color:#000;}
  .small,footer{color:#000;}
  h2{break-after:avoid;page-break-after:avoid;}
  section.site{break-before:page;page-break-before:always;}
  table{page-break-inside:auto;}
  .chart .bar{fill:#555 !important;}
  .mini{display:none;}
  table.sites col.c-bar{width:0;}
  thead{display:table-header-group;}
}
`;
}
