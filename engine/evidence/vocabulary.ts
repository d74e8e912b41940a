/**
 * The words of the evidence report. A DPO files this report: each status has its own words, colour,
 * symbol and border style, so that nothing short of a live reading can be mistaken for one, on
 * screen, in colour print or in black and white. The JSON carries the same words.
 */

export const EVIDENCE_STATUSES = [
  "violated",
  "not-observable",
  "to-confirm",
  "not-checked",
  "declared-only",
  "suppressed",
  "recommendation-not-followed",
  "enforced-not-observable",
  "attested",
  "observed-database",
  "verified-live",
  "not-applicable",
] as const;
export type EvidenceStatus = (typeof EVIDENCE_STATUSES)[number];

/**
 * The order above is also the weakest-link order: when a rule has several parts (a Piwik PRO rule
 * judged on tags and on an attestation), the rule takes the status of its weakest part.
 */
export function weakest(statuses: readonly EvidenceStatus[]): EvidenceStatus {
  let best = EVIDENCE_STATUSES.length - 1;
  for (const s of statuses) best = Math.min(best, EVIDENCE_STATUSES.indexOf(s));
  return EVIDENCE_STATUSES[best];
}

export interface StatusWords {
  /** The status in a few words, as the badge shows it. */
  label: string;
  /** What it means, for the legend. */
  meaning: string;
  /** A one-character mark for plain text (the HTML draws its own symbol). */
  mark: string;
  /** Screen colour; print keeps the border style and symbol, which need no colour. */
  colour: string;
  border: "solid" | "dashed" | "dotted" | "double" | "none";
  /** Whether the status is proof read from the live instance. Only two are. */
  proof: boolean;
}

export const STATUS_WORDS: Record<EvidenceStatus, StatusWords> = {
  "verified-live": {
    label: "Verified live",
    meaning: "Exempt read the setting from the live instance through the product's API at the time of the reading, and it meets the condition. The value read is shown.",
    mark: "✓",
    colour: "#1a7f37",
    border: "solid",
    proof: true,
  },
  "observed-database": {
    label: "Observed in the database",
    meaning: "The product's API cannot read this setting; Exempt's database observer read it from the instance's own database (read-only) and it meets the condition.",
    mark: "◆",
    colour: "#0b6e69",
    border: "solid",
    proof: true,
  },
  "enforced-not-observable": {
    label: "Enforced on every apply, not observable",
    meaning: "The product's API can write this setting but cannot read it back. Exempt writes the declared, compliant value on every apply; nobody can see through the API whether it was changed since. This is not a verification.",
    mark: "⊘",
    colour: "#2f5fb3",
    border: "dashed",
    proof: false,
  },
  "not-observable": {
    label: "Not observable, not enforced",
    meaning: "The API can neither read this setting nor (with the credentials given) write it: nothing shows that the condition holds.",
    mark: "!",
    colour: "#b35900",
    border: "dashed",
    proof: false,
  },
  attested: {
    label: "Attested by a person",
    meaning: "No API can check this condition; a named person stated that it holds, on a date, until a date. The report shows who, when and until when. This is a statement, not a verification.",
    mark: "✎",
    colour: "#7a3fb0",
    border: "dotted",
    proof: false,
  },
  "to-confirm": {
    label: "To be confirmed by a person",
    meaning: "Only a person can confirm this condition, and no valid attestation is declared (none was given, or it expired).",
    mark: "□",
    colour: "#9a6700",
    border: "dotted",
    proof: false,
  },
  suppressed: {
    label: "Suppressed (accepted deviation)",
    meaning: "The condition is not met; the operator accepted the deviation with a written reason, an owner and (ideally) an expiry. The exemption then rests on that reasoning.",
    mark: "~",
    colour: "#6e5494",
    border: "double",
    proof: false,
  },
  violated: {
    label: "Violated",
    meaning: "The condition is not met: the value found and the value required are shown.",
    mark: "✗",
    colour: "#c62828",
    border: "solid",
    proof: false,
  },
  "recommendation-not-followed": {
    label: "Recommendation not followed",
    meaning: "An information-level recommendation (optional hardening, or an exemption condition on a site that relies on consent instead) is not followed. It does not break the exemption.",
    mark: "i",
    colour: "#55606e",
    border: "solid",
    proof: false,
  },
  "not-checked": {
    label: "Not checked yet",
    meaning: "Exempt cannot check this condition yet: it shows only on the live web page (tracker snippet, cookies set on first load), in the server's configuration file, or in plugin settings Exempt does not read.",
    mark: "…",
    colour: "#6b6b6b",
    border: "dotted",
    proof: false,
  },
  "declared-only": {
    label: "Declared, not read live",
    meaning: "The declaration meets the condition, but the live instance could not be read (or the site was not found on it): nothing was verified.",
    mark: "○",
    colour: "#6b6b6b",
    border: "dashed",
    proof: false,
  },
  "not-applicable": {
    label: "Not applicable",
    meaning: "The condition does not apply to this site as configured (e.g. public statistics when they are not public).",
    mark: "–",
    colour: "#8c8c8c",
    border: "none",
    proof: false,
  },
};

/** What a site's evidence amounts to, worst first. */
export const SITE_VERDICTS = ["not-read", "violated", "evidence-missing", "rests-on-trust", "verified"] as const;
export type SiteVerdict = (typeof SITE_VERDICTS)[number];

export const VERDICT_WORDS: Record<SiteVerdict, { label: string; meaning: string; colour: string }> = {
  "not-read": {
    label: "Could not be read",
    meaning: "The instance could not be read, or the site was not found on it: the report holds no live evidence for it.",
    colour: "#444444",
  },
  violated: {
    label: "Violates a rule",
    meaning: "At least one condition is violated on the live instance (or in the declaration, where the live side cannot show it).",
    colour: "#c62828",
  },
  "evidence-missing": {
    label: "Evidence missing",
    meaning: "No violation was found, but at least one condition lacks evidence: an attestation is missing or expired, or a setting is neither observable nor enforced.",
    colour: "#b35900",
  },
  "rests-on-trust": {
    label: "Rests on attestations, suppressions or unobservable settings",
    meaning: "No violation and no missing evidence, but some conditions rest on a person's statement, on an accepted deviation, or on a setting Exempt writes but cannot read back.",
    colour: "#2f5fb3",
  },
  verified: {
    label: "Verified live",
    meaning: "Every condition Exempt can check was verified on the live instance (or observed in its database). Conditions Exempt cannot check yet are listed on the site's page.",
    colour: "#1a7f37",
  },
};

/** Which statuses put a site in which verdict (the rest do not change it). */
export function verdictOf(statuses: readonly EvidenceStatus[], read: boolean): SiteVerdict {
  if (!read) return "not-read";
  const has = (...s: EvidenceStatus[]) => statuses.some((x) => s.includes(x));
  if (has("violated")) return "violated";
  if (has("to-confirm", "not-observable", "declared-only")) return "evidence-missing";
  if (has("attested", "suppressed", "enforced-not-observable")) return "rests-on-trust";
  return "verified";
}

export const VERIFICATION_WORDS: Record<string, string> = {
  A: "read and written through the product's API",
  "A-w": "written through the API, not readable there",
  C: "server configuration file",
  S: "live web page (tracker snippet, cookies)",
  H: "a person's attestation",
};

export const PRODUCT_NAMES: Record<string, string> = { matomo: "Matomo", piwikpro: "Piwik PRO" };
