import type { Rule } from "../../types";
import { cite } from "../sources";

export const NoThirdPartyTransfer: Rule = {
  id: "CNIL-NO-THIRD-PARTY-TRANSFER",
  title: "Non-anonymous data is never sent to a third party, and the provider acts as a processor that does not reuse it",
  explanation:
    "Raw visit data handed to another controller (a partner, an export job, the vendor reusing it) leaves the publisher's exclusive account. Export jobs and API credentials that allow raw export are where it happens; no API lists them all.",
  ...cite(["G20", "§51"], "CNIL25"),
  remediation: "Remove data-export jobs to other controllers and API credentials that allow raw export (Piwik PRO: Administration → API keys), then attest it.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "H", piwikpro: "H" },
  reads: {},
};
