import type { Rule } from "../../types";
import { notApplicable, pass } from "../helpers";
import { cite } from "../sources";

/**
 * What this rule asks for is the report itself: a dated record of the live configuration. So it
 * passes on the live side, where Exempt produces that record, and does not apply to a declaration.
 */
export const Evidence2025: Rule = {
  id: "CNIL-EVIDENCE-2025",
  title: "The publisher can prove that its actual configuration matches the vendor's self-assessment",
  explanation:
    "Since 4 July 2025 the CNIL no longer evaluates products: vendors self-assess against a 14-criterion grid, the official list ended on 1 January 2026, and the publisher must be able to show its real configuration complies. A dated, sourced report of the live settings is that proof.",
  ...cite("SELF25", "CNIL25"),
  remediation: "Run `exempt evidence` against the live instance and keep the dated report.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A", piwikpro: "A" },
  reads: {},
  check(subject, context) {
    if (subject.side === "desired") return notApplicable("evidence is about the live configuration: `exempt evidence` records it");
    return pass("site", subject.productId ?? subject.siteKey, undefined, `this report of the live configuration, dated ${context.today}, is the evidence`);
  },
};
