import type { Product } from "../policies/types";

/**
 * Which model fields of a site are product settings (diffed against the live site), per product.
 * The rest of a declaration (mode, suppressions, features...) is Exempt's own and never sent.
 */
export const SITE_SETTING_FIELDS: Record<Product, readonly string[]> = {
  matomo: [
    "name",
    "urls",
    "excludeUnknownUrls",
    "excludedQueryParameters",
    "excludedIps",
    "excludedUserAgents",
    "excludedReferrers",
    "ecommerce",
    "siteSearch",
    "searchKeywordParameters",
    "searchCategoryParameters",
    "timezone",
    "currency",
    "group",
    "keepUrlFragments",
  ],
  piwikpro: ["name", "urls", "excludeUnknownUrls", "askConsent", "withoutConsent", "excludedQueryParameters", "ecommerce", "timezone", "currency"],
};

/** Lists whose order means nothing to the product: compared as sets. */
export const UNORDERED_LISTS = new Set([
  "excludedQueryParameters",
  "excludedIps",
  "excludedUserAgents",
  "excludedReferrers",
  "searchKeywordParameters",
  "searchCategoryParameters",
  "globalExcludedQueryParameters",
]);

/** Instance-wide privacy fields, per product (the model's names). */
export const PRIVACY_FIELDS: Record<Product, readonly string[]> = {
  matomo: ["ipMaskBytes", "useMaskedIpForEnrichment", "referrer", "rawDataRetentionMonths", "anonymizeUserId", "anonymizeOrderId", "forceCookielessTracking", "doNotTrack"],
  piwikpro: ["ipMaskBytes", "useMaskedIpForEnrichment", "geolocation", "dropIp"],
};

export { TRACKER_CONFIGURATION_FIELDS } from "../model/matomo";
