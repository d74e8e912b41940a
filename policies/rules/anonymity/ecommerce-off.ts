import type { Rule } from "../../types";
import { fail, isKnown, pass } from "../helpers";
import { cite } from "../sources";

/**
 * The catalogue makes ecommerce a warning when order ids are anonymised, and lists non-anonymised
 * order ids among what its Matomo guide excludes: that case is raised to an error. Order-id
 * anonymisation is an instance setting Matomo's API cannot read, so it is an optional read: the
 * readable `ecommerce` flag is still judged on the live side.
 */
export const EcommerceOff: Rule = {
  id: "CNIL-ECOMMERCE-OFF",
  title: "Ecommerce analytics are off under the exemption; if on, order ids are anonymised and a person attests to what is tracked",
  explanation:
    "Ecommerce tracking records orders and carts, often with an order id that leads back to the buyer. Matomo's CNIL policy counts as compliant only when no site has ecommerce on. Piwik PRO turns it on by default.",
  ...cite("GM", "MPOL"),
  remediation: "Set `ecommerce: false` on the site (the model's default; Piwik PRO's own default is true). If ecommerce must stay, keep Matomo's `privacy.anonymizeOrderId: true` and suppress this warning with the reason.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A", piwikpro: "A" },
  reads: { matomo: ["site.ecommerce"], piwikpro: ["site.ecommerce"] },
  optionalReads: { matomo: ["privacy.anonymizeOrderId"] },
  check(subject) {
    const data = subject.data;
    const on = data.site.ecommerce;
    if (!on) return pass("site.ecommerce", on, "false");
    if (data.product === "piwikpro") return fail("site.ecommerce", on, "false", "ecommerce analytics are on: order and cart data go beyond audience measurement");
    if (!isKnown(subject, "privacy.anonymizeOrderId"))
      return fail("site.ecommerce", on, "false", "ecommerce analytics are on, and whether order ids are anonymised cannot be read on this side");
    if (!data.privacy.anonymizeOrderId)
      return fail("privacy.anonymizeOrderId", false, "true", "ecommerce analytics are on and order ids are stored as sent: they can lead back to the buyer", "error");
    return fail("site.ecommerce", on, "false", "ecommerce analytics are on (order ids are anonymised): a person should confirm what is tracked");
  },
};
