import type { Rule } from "../../types";
import { fail, needsAttestation, pass } from "../helpers";
import { cite } from "../sources";

export const ReferrerAnon: Rule = {
  id: "CNIL-REFERRER-ANON",
  title: "Referrer URLs are anonymised, at least by removing their query string",
  explanation:
    "A referrer URL can carry the previous site's parameters (search terms, session tokens, e-mail addresses). The CNIL's Matomo guide asks to anonymise it. Piwik PRO exposes no such setting (UNCONFIRMED), so there a person confirms it.",
  ...cite("GM"),
  remediation: "Matomo: `privacy.referrer: exclude_all` (the default), or at least `exclude_query`, never `keep`. Piwik PRO: confirm how referrers are stored, then attest it.",
  scope: "instance",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A-w", piwikpro: "H" },
  reads: { matomo: ["privacy.referrer"], piwikpro: [] },
  check(subject) {
    const data = subject.data;
    if (data.product === "piwikpro") return needsAttestation("referrer URLs are stored without their query string (Piwik PRO has no setting for it in its public API)");
    const mode = data.privacy.referrer;
    const expected = "exclude_query, exclude_path or exclude_all";
    return mode === "keep" ? fail("privacy.referrer", mode, expected, "referrer URLs are kept whole, query string included") : pass("privacy.referrer", mode, expected);
  },
};
