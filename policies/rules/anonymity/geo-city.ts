import type { Rule } from "../../types";
import { fail, pass } from "../helpers";
import { MATOMO_MIN_MASK_BYTES } from "./ip-mask-2b";
import { cite } from "../sources";

/**
 * Matomo has no geolocation-precision setting; the catalogue derives the condition from a 2-byte mask
 * used for enrichment, so on Matomo this rule judges those two settings together.
 */
export const GeoCity: Rule = {
  id: "CNIL-GEO-CITY",
  title: "IP-based geolocation is no finer than the city",
  explanation:
    "The CNIL's 2013 recommendation limits IP geolocation to the city; practitioner guides repeat it. A finer location, combined with times and pages, can single a person out.",
  ...cite("R13"),
  remediation: "Piwik PRO: `privacy.geolocation: city` or coarser (anonymize_visitor_geolocation_level, never `none`). Matomo: keep `privacy.ipMaskBytes` at 2 or more and `privacy.useMaskedIpForEnrichment: true`.",
  scope: "instance",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A-w", piwikpro: "A" },
  reads: { matomo: ["privacy.ipMaskBytes", "privacy.useMaskedIpForEnrichment"], piwikpro: ["privacy.geolocation"] },
  check(subject) {
    const data = subject.data;
    if (data.product === "piwikpro") {
      const level = data.privacy.geolocation;
      return level === "none"
        ? fail("privacy.geolocation", level, "city, region, country or continent", "geolocation is not anonymised (`none` keeps the finest location)")
        : pass("privacy.geolocation", level, "city, region, country or continent");
    }
    const { ipMaskBytes, useMaskedIpForEnrichment } = data.privacy;
    if (!useMaskedIpForEnrichment) return fail("privacy.useMaskedIpForEnrichment", false, "true", "geolocation reads the full IP address, which can locate finer than the city");
    if (ipMaskBytes < MATOMO_MIN_MASK_BYTES) return fail("privacy.ipMaskBytes", ipMaskBytes, `>= ${MATOMO_MIN_MASK_BYTES}`, `geolocation reads an IP masked by ${ipMaskBytes} byte(s), which can locate finer than the city`);
    return pass("privacy.ipMaskBytes", ipMaskBytes, `>= ${MATOMO_MIN_MASK_BYTES}, used for enrichment`, "geolocation reads an IP masked by at least 2 bytes, which locates no finer than the city");
  },
};
