import type { PackEntry, RulePack } from "./pack";
import * as R from "./rules";
import type { Level, Rule } from "./types";

/**
 * The CNIL pack assigns each rule its level (cdk-nag's split: the rule says what, the pack how
 * much). Levels follow cnil-rules.md: what it refuses at synth is an error, ecommerce a warning,
 * hardening and transparency notes are information, and what only a person can confirm is an
 * attestation. On a `mode: consent` site the runner lowers every level to info except the rules the
 * catalogue keeps (its Modes section). The core conditions cannot be suppressed on an exempt site.
 */
const KEEPS_LEVEL_ON_CONSENT_SITES = new Set(["CNIL-NO-PII-URL", "CNIL-NO-PII-CUSTOM", "CNIL-NO-HSR", "CNIL-COOKIE-13M", "CNIL-RETENTION-25M"]);
const CORE_CONDITIONS = new Set(["CNIL-IP-MASK-2B", "CNIL-SINGLE-PUBLISHER", "CNIL-NO-USERID", "CNIL-NO-CROSS-SITE-ID"]);

function entry(rule: Rule, level: Level): PackEntry {
  return { rule, level, appliesInConsentMode: KEEPS_LEVEL_ON_CONSENT_SITES.has(rule.id), suppressibleWhenExempt: !CORE_CONDITIONS.has(rule.id) };
}

export const CnilPack: RulePack = {
  name: "CNIL audience-measurement exemption (FR)",
  version: "1.0.0",
  entries: [
    // A. Purpose and scope
    entry(R.ScopeFr, "attestation"),
    entry(R.PurposeAudience, "attestation"),
    entry(R.NoMarketing, "error"),
    entry(R.NoCohorts, "error"),
    // B. Anonymous, aggregate statistics only
    entry(R.AggregateOnly, "error"),
    entry(R.IpMask2B, "error"),
    entry(R.IpEnrichAnon, "error"),
    entry(R.GeoCity, "error"),
    entry(R.NoUserId, "error"),
    entry(R.NoPiiUrl, "attestation"),
    entry(R.NoPiiCustom, "attestation"),
    entry(R.ReferrerAnon, "error"),
    entry(R.EcommerceOff, "warning"),
    entry(R.NoHsr, "error"),
    entry(R.DeviceMinimise, "info"),
    // C. One publisher, no cross-site tracking, no third parties
    entry(R.SinglePublisher, "error"),
    entry(R.NoCrossSiteId, "error"),
    entry(R.NoCrossDomain, "error"),
    entry(R.NoThirdPartyCookie, "error"),
    entry(R.NoCrossref, "attestation"),
    entry(R.NoThirdPartyTransfer, "attestation"),
    // D. Lifetimes and retention
    entry(R.Cookie13m, "error"),
    entry(R.CookieNoExtend, "error"),
    entry(R.Retention25m, "error"),
    entry(R.RetentionReview, "attestation"),
    // E. Information and objection
    entry(R.InfoPolicy, "attestation"),
    entry(R.OptOut, "attestation"),
    entry(R.Dnt, "info"),
    // F. Hosting, transfers, contracts
    entry(R.TransferEu, "attestation"),
    entry(R.ProcessorDpa, "attestation"),
    entry(R.Evidence2025, "info"),
    // G. Hybrid measurement
    entry(R.HybridSeparation, "error"),
    // H. Transparency
    entry(R.PublicStats, "error"),
    // Tags and per-product thresholds
    entry(R.TagConsentAnalytics, "error"),
    entry(R.NoUnconsentedTags, "error"),
  ],
};
