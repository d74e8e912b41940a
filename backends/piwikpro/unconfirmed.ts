/**
 * Behaviours of Piwik PRO that no public material confirms (../shared/contracts/piwikpro-api.md
 * marks them UNCONFIRMED) and that this backend depends on. Each one is said in every reading's
 * notes, so that a report reader knows which conclusions rest on them. The code that depends on
 * one says so with a comment containing UNCONFIRMED and the key used here.
 */
export const UNCONFIRMED_NOTES = {
  inheritance:
    "UNCONFIRMED (Piwik PRO): per-app tracker settings are read as effective values, since the API does not say which ones an app inherits; an app override is reported only where it differs from the account-wide value, and reset with DELETE of that setting.",
  cookieless:
    "UNCONFIRMED (Piwik PRO): withoutConsent 'cookieless' is written as gdprDataAnonymization=true with gdprDataAnonymizationMode=no_device_storage ('session-cookie' as session_cookie_id, 'nothing' as gdprDataAnonymization=false); no Piwik PRO source states this mapping of the UI choices.",
  enrichment:
    "UNCONFIRMED (Piwik PRO): useMaskedIpForEnrichment is read and written as the tracker setting fingerprint_based_on_anonymized_ip, whose description (geolocation from the anonymised IP) is the only link to the UI's 'use masked IP for data enrichment'.",
  rateLimit:
    "UNCONFIRMED (Piwik PRO): rate limiting is not documented; Exempt backs off on HTTP 429 and honours Retry-After when it is sent.",
  organization:
    "UNCONFIRMED (Piwik PRO): no X-Organization header is sent; the organization is taken from the token, as Piwik PRO's own client does.",
  owners:
    "UNCONFIRMED (Piwik PRO): owners are taken to hold every permission on every app and are not listed under access; per-app permissions are read only when the organization has users who are not owners.",
} as const;

export type UnconfirmedKey = keyof typeof UNCONFIRMED_NOTES;

export function unconfirmedNotes(): string[] {
  return Object.values(UNCONFIRMED_NOTES);
}
