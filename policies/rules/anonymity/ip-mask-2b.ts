import type { Rule } from "../../types";
import { fail, pass } from "../helpers";
import { cite } from "../sources";

export const MATOMO_MIN_MASK_BYTES = 2;
/** Piwik PRO's guide asks for at least one byte; below two the pack warns, for parity with Matomo. */
export const PIWIKPRO_MIN_MASK_BYTES = 1;
export const PIWIKPRO_RECOMMENDED_MASK_BYTES = 2;

export const IpMask2B: Rule = {
  id: "CNIL-IP-MASK-2B",
  title: "Visitor IP addresses are masked before storage: at least 2 bytes on Matomo, at least 1 byte (2 recommended) on Piwik PRO",
  explanation:
    "A full IP address identifies a subscriber line; masking its last bytes before storage is what keeps the statistics anonymous. The CNIL's Matomo guide asks for at least two bytes, its Piwik PRO guide for at least one. It is a core condition: a site that cannot meet it is not exempt.",
  ...cite("GM", "GP"),
  remediation: "Set `privacy.ipMaskBytes: 2` on the instance (the default). Piwik PRO: also make sure no app overrides the global setting.",
  scope: "instance",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A-w", piwikpro: "A" },
  reads: { matomo: ["privacy.ipMaskBytes"], piwikpro: ["privacy.ipMaskBytes", "privacy.dropIp"] },
  check(subject) {
    const data = subject.data;
    const field = "privacy.ipMaskBytes";
    if (data.product === "matomo") {
      const bytes = data.privacy.ipMaskBytes;
      return bytes >= MATOMO_MIN_MASK_BYTES ? pass(field, bytes, `>= ${MATOMO_MIN_MASK_BYTES}`) : fail(field, bytes, `>= ${MATOMO_MIN_MASK_BYTES}`);
    }
    // Dropping the IP entirely (Piwik PRO `set_ip_tracking: false`) is stronger than any mask.
    if (data.privacy.dropIp === true) return pass("privacy.dropIp", true, "true", "the IP address is dropped entirely before storage");
    const bytes = data.privacy.ipMaskBytes;
    if (bytes < PIWIKPRO_MIN_MASK_BYTES) return fail(field, bytes, `>= ${PIWIKPRO_MIN_MASK_BYTES} (${PIWIKPRO_RECOMMENDED_MASK_BYTES} recommended)`);
    if (bytes < PIWIKPRO_RECOMMENDED_MASK_BYTES)
      return fail(field, bytes, `>= ${PIWIKPRO_RECOMMENDED_MASK_BYTES}`, `the IP mask of ${bytes} byte meets the Piwik PRO guide's minimum; ${PIWIKPRO_RECOMMENDED_MASK_BYTES} bytes are recommended`, "warning");
    return pass(field, bytes, `>= ${PIWIKPRO_RECOMMENDED_MASK_BYTES}`);
  },
};
