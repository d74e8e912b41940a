import type { Rule } from "../../types";
import { cite } from "../sources";

/** The model has no `hosting.region` yet: the region and, outside the EU, the transfer basis are attested. */
export const TransferEu: Rule = {
  id: "CNIL-TRANSFER-EU",
  title: "No data is transferred outside the EU without protection (an adequacy decision such as the DPF, or a proxy that cuts direct contact)",
  explanation:
    "The CNIL's 2022 Google Analytics orders found that settings and standard contractual clauses alone do not protect transfers to a country without adequacy; a proxy was the only workaround. US recipients certified under the Data Privacy Framework are covered since July 2023.",
  ...cite("GA22"),
  remediation: "Host the instance in the EU (self-hosted location, Matomo Cloud or Piwik PRO region), or document the transfer basis, then attest it.",
  scope: "instance",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "H", piwikpro: "H" },
  reads: {},
};
