import type { Rule, Verdict } from "../../types";
import { fail, needsAttestation, pass, piwikProTemplatesNeedConsent, TAG_LIST_READS } from "../helpers";
import { cite } from "../sources";

/** Piwik PRO Tag Manager templates that measure or serve advertising and marketing (piwikpro-api.md §4 template enum). */
export const MARKETING_TEMPLATES = [
  "adroll",
  "bing_ads",
  "doubleclick_floodlight",
  "facebook_retargeting_pixel",
  "google_adwords",
  "linkedin",
  "hub_spot",
  "marketo",
  "mautic",
  "sales_manago",
  "salesforce_pardot",
] as const;

export const NoMarketing: Rule = {
  id: "CNIL-NO-MARKETING",
  title: "No marketing measurement (campaigns, acquisition or conversion channels, advertising) runs without consent",
  explanation:
    "Since July 2025 the CNIL's self-assessment grid excludes marketing measurement from the exemption, and per an exchange reported by Matomo UTM campaign parameters cancel it. Campaign reporting, ad conversion exports and marketing tags therefore need consent.",
  ...cite("MFAQ", "SELF25", "UTM"),
  remediation:
    "Matomo: `features.marketingCampaigns: false` (MarketingCampaignsReporting and AdvertisingConversionExport off). Piwik PRO: give marketing tags their consent type (remarketing, conversion_tracking, …) instead of not_require_consent, and turn the Google Ads and Search Console integrations off (Analytics → Settings → Integrations), then attest it.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "C", piwikpro: "H" },
  reads: { matomo: ["site.features.marketingCampaigns"], piwikpro: [...TAG_LIST_READS, "site.askConsent"] },
  check(subject) {
    const data = subject.data;
    if (data.product === "matomo") {
      const on = data.site.features.marketingCampaigns;
      return on
        ? fail("site.features.marketingCampaigns", on, "false", "marketing campaign reporting is on: campaign attribution is outside the exemption")
        : pass("site.features.marketingCampaigns", on, "false");
    }
    const verdicts: Verdict[] = piwikProTemplatesNeedConsent(data.site, MARKETING_TEMPLATES, "marketing");
    // Integrations (Google Ads, Search Console) have no public API: only a person can say they are off.
    verdicts.push(needsAttestation("the Piwik PRO integrations that join analytics with advertising data (Google Ads, Search Console) are off"));
    return verdicts;
  },
};
