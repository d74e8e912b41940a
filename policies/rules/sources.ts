/**
 * The sources of cnil-rules.md, by the keys the catalogue uses, so each rule cites them the same way
 * and the README table links the same addresses.
 */
export const SOURCES = {
  G20: { title: "CNIL délibération n° 2020-091 (guidelines on cookies and other trackers), art. 5", url: "https://helpcentre.atinternet-solutions.com/hc/en-gb/articles/360014550539-Exemption-CNIL" },
  R20: { title: "CNIL délibération n° 2020-092 (recommendation, practical modalities)", url: "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000042388197" },
  G19: { title: "CNIL délibération n° 2019-093 (superseded guidelines)", url: "https://legal.tricoteuses.fr/articles/JORFARTI000038778067" },
  R13: { title: "CNIL recommendation of 2013 (délibération n° 2013-378)", url: "https://legal.tricoteuses.fr/articles/JORFARTI000028380242" },
  CNIL25: { title: "CNIL, « Cookies : solutions pour les outils de mesure d'audience », updated 4 July 2025", url: "https://www.cnil.fr/fr/node/167364" },
  SELF25: { title: "CNIL self-assessment grid for audience-measurement tools (14 criteria, 2025)", url: "https://www.cnil.fr/sites/default/files/2025-07/outil_d_auto-evaluation_mesure_d_audience.pdf" },
  GM: { title: "CNIL, « Matomo Analytics – Exemption – Guide de configuration »", url: "https://www.cnil.fr/sites/cnil/files/2023-06/matomo_analytics_exemption_guide_de_configuration.pdf" },
  GP: { title: "CNIL, exemption guide for Piwik PRO", url: "https://www.cnil.fr/sites/default/files/atoms/files/exemption_pour_la_mesure_daudience_sans_consentement_piwik.pdf" },
  MFAQ: { title: "Matomo FAQ: configuring Matomo without consent for French visitors (2025)", url: "https://matomo.org/faq/how-do-i-configure-matomo-without-tracking-consent-for-french-visitors-cnil-exemption" },
  MPOL: { title: "Matomo CNIL compliance policy cnil_v1 (matomo-org/matomo#23502 and following)", url: "https://github.com/matomo-org/matomo/pull/23502" },
  UTM: { title: "matomo-org/matomo#21941 (UTM parameters cancel the exemption, per the CNIL)", url: "https://github.com/matomo-org/matomo/issues/21941" },
  HSR: { title: "Matomo FAQ: heatmaps and session recordings on consent", url: "https://fr.matomo.org/faq/how-to-enable-heatmap-and-session-recording-on-consent" },
  MCK: { title: "Matomo FAQ: cookies and their lifetimes", url: "https://fr.matomo.org/faq/general/faq_146" },
  GA22: { title: "CNIL Google Analytics orders (10 Feb 2022) and FAQ (7 June 2022)", url: "https://www.dataguidance.com/news/france-cnil-publishes-faqs-google-analytics-enforcement" },
  BETA: { title: "beta.gouv.fr wiki « Suivi d'usage » (public statistics)", url: "https://github.com/betagouv/beta.gouv.fr/wiki/Suivi-d'usage" },
} as const;

export type SourceKey = keyof typeof SOURCES;

/**
 * A rule's `source` and `sourceUrl` from catalogue keys, e.g. `cite(["G20", "§51"], "CNIL25")` →
 * "[G20 §51][CNIL25] CNIL délibération … art. 5 §51; CNIL, « Cookies … »". The first key gives the URL.
 */
export function cite(...refs: Array<SourceKey | [SourceKey, string]>): { source: string; sourceUrl: string } {
  const parts = refs.map((r) => (Array.isArray(r) ? { key: r[0], where: r[1] } : { key: r, where: "" }));
  const keys = parts.map((p) => `[${p.key}${p.where ? ` ${p.where}` : ""}]`).join("");
  const titles = parts.map((p) => `${SOURCES[p.key].title}${p.where ? ` ${p.where}` : ""}`).join("; ");
  return { source: `${keys} ${titles}`, sourceUrl: SOURCES[parts[0].key].url };
}
