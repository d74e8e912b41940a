import type { Rule } from "../../types";
import { fail, pass } from "../helpers";
import { cite } from "../sources";

export const IpEnrichAnon: Rule = {
  id: "CNIL-IP-ENRICH-ANON",
  title: "Geolocation and provider enrichment use the masked IP address, not the full one",
  explanation:
    "Masking the stored IP is of little use if the location and network provider are computed from the full address first. Matomo 5's own default uses the full IP, so it must be set explicitly.",
  ...cite("GM"),
  remediation: "Set `privacy.useMaskedIpForEnrichment: true` on the instance (the default). Matomo: useAnonymizedIpForVisitEnrichment; Piwik PRO: fingerprint_based_on_anonymized_ip.",
  scope: "instance",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A-w", piwikpro: "A" },
  reads: { matomo: ["privacy.useMaskedIpForEnrichment"], piwikpro: ["privacy.useMaskedIpForEnrichment"] },
  check(subject) {
    const on = subject.data.privacy.useMaskedIpForEnrichment;
    const field = "privacy.useMaskedIpForEnrichment";
    return on ? pass(field, on, "true") : fail(field, on, "true", "enrichment (geolocation, provider) reads the full IP address");
  },
};
