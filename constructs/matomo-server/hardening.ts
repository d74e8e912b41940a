import type { MatomoServerDeclaration } from "../../model/matomo-server";

/**
 * The config.ini.php settings Exempt writes into a self-hosted Matomo, as a pure function of the
 * declaration. They go into `config/common.config.ini.php`, the layer Matomo reads between its own
 * `global.ini.php` and the installer's `config.ini.php`: the installer never rewrites it, so the
 * settings hold from the very first start (before any site exists) and survive the installation.
 * A value written later into `config.ini.php` (console `config:set`) would override it; no API can
 * read either file, which docs/self-hosted.md says.
 */

export type IniScalar = string | number | boolean;
export type IniValue = IniScalar | readonly string[];

export interface HardenedSetting {
  readonly section: string;
  readonly key: string;
  readonly value: IniValue;
  /** Why the value is what it is: the CNIL rule it serves, or the operational reason. Written above it in the file. */
  readonly why: string;
}

/** Matomo 5.2's built-in list (matomo-api.md section 6): setting the key replaces it, so it is repeated. */
export const MATOMO_DEFAULT_EXCLUDED_URL_PARAMETERS = [
  "gclid", "fbclid", "msclkid", "twclid", "wbraid", "gbraid", "yclid", "fb_xd_fragment", "fb_comment_id",
  "phpsessid", "jsessionid", "sessionid", "aspsessionid", "doing_wp_cron", "sid", "pk_vid",
];

/** Campaign parameters of Matomo's defaults and of Google Analytics' (UTM). */
export const CAMPAIGN_URL_PARAMETERS = [
  "pk_cpn", "pk_campaign", "pk_kwd", "pk_keyword", "pk_source", "pk_medium", "pk_content",
  "piwik_campaign", "piwik_kwd", "matomo_campaign", "matomo_kwd",
  "mtm_campaign", "mtm_kwd", "mtm_keyword", "mtm_source", "mtm_medium", "mtm_content", "mtm_cid", "mtm_group", "mtm_placement",
  "utm_campaign", "utm_source", "utm_medium", "utm_term", "utm_content", "utm_id",
];

/** A parameter name no link carries: Matomo then finds no campaign in any URL. */
export const NO_CAMPAIGN_PARAMETER = "exempt_campaign_tracking_off";

export function hardenedSettings(server: MatomoServerDeclaration): HardenedSetting[] {
  const s = server.settings;
  const url = new URL(server.publicUrl);
  const https = url.protocol === "https:";
  const out: HardenedSetting[] = [];
  const add = (section: string, key: string, value: IniValue, why: string) => out.push({ section, key, value, why });

  add("General", "only_allow_secure_auth_tokens", !s.insecureAuthTokens,
    "API tokens only in POST bodies, never in URLs, where web server logs, proxies and Referer headers keep them; a leaked token exports raw visit data (CNIL-NO-THIRD-PARTY-TRANSFER). Exempt's reconciler always POSTs.");
  add("General", "enable_processing_unique_visitors_multiple_sites", s.uniqueVisitorsAcrossSites,
    "No unique-visitor count across the sites of the server: a cross-site dedup is a unified reach, excluded by CNIL-NO-CROSS-SITE-ID.");
  add("General", "anonymous_user_enable_use_segments_API", s.anonymousSegments,
    "The anonymous user (public statistics) cannot segment; segments on visit-level dimensions would reach individual visits (CNIL-AGGREGATE-ONLY, precondition of TRANSPARENCY-PUBLIC-STATS).");
  add("General", "enable_internet_features", s.internetFeatures,
    "No Marketplace and no outbound calls: heatmap and session recording, A/B testing and marketing plugins come from the Marketplace (CNIL-NO-HSR, CNIL-NO-COHORTS, CNIL-NO-MARKETING); upgrades come from the pinned image.");
  add("General", "multi_server_environment", !s.pluginInstallsFromUi,
    "Plugins cannot be installed from the UI (Matomo's switch for servers whose code is deployed, not edited): the running code stays the pinned image, which is what the evidence describes (CNIL-EVIDENCE-2025).");
  add("General", "enable_plugin_upload", false,
    "No plugin ZIP uploads (Matomo's default, pinned): same reason, and an uploaded plugin runs arbitrary PHP.");
  add("General", "enable_installer", s.installer,
    "The web installer creates the first superuser; turn it off once that is done. Behind the loopback binding only the operator reaches it.");
  add("General", "trusted_hosts", [url.host],
    "Matomo builds absolute links (password reset e-mails, opt-out iframe) only for this host, so a forged Host header cannot redirect them.");
  add("General", "force_ssl", https,
    https ? "The public URL is https: Matomo redirects plain http, so sessions and tokens never travel in clear." : "The public URL is plain http (declared on purpose): Matomo cannot force https.");
  if (server.reverseProxy !== false) {
    add("General", "assume_secure_protocol", https,
      "TLS ends at the reverse proxy: Matomo must treat the request as https, or force_ssl would loop.");
    add("General", "proxy_client_headers", server.reverseProxy.clientIpHeaders,
      "The visitor's address comes from the proxy's header; without it every visit has the proxy's address, and the IP masking and city-level geolocation (CNIL-IP-MASK-2B, CNIL-GEO-CITY) apply to the wrong address.");
    if (server.reverseProxy.hostHeaders.length)
      add("General", "proxy_host_headers", server.reverseProxy.hostHeaders, "The requested host comes from the proxy's header (checked against trusted_hosts).");
  }

  add("Tracker", "enable_fingerprinting_across_websites", s.fingerprintingAcrossWebsites,
    "The visitor fingerprint (config_id) differs per site, so one visitor is not recognised across sites (CNIL-NO-CROSS-SITE-ID).");
  add("Tracker", "use_third_party_id_cookie", s.thirdPartyIdCookie,
    "No _pk_uid cookie on the Matomo domain: first-party trackers only (CNIL-NO-THIRD-PARTY-COOKIE); a cookie shared by every site would be a cross-site identifier (CNIL-NO-CROSS-SITE-ID).");
  add("Tracker", "enable_userid_overwrites_visitorid", s.userIdOverwritesVisitorId,
    "A User ID, if one is ever sent, does not become the visitor id that links a person's devices and visits (hardening for CNIL-NO-USERID).");
  if (!s.campaignTracking) {
    add("Tracker", "campaign_var_name", NO_CAMPAIGN_PARAMETER,
      "Campaign attribution off: no link carries this parameter name, so Matomo reads no campaign from page URLs (CNIL-NO-MARKETING; UTM parameters are reported to cancel the exemption). Inferred from Matomo's settings, not a CNIL text: the snippet check still applies.");
    add("Tracker", "campaign_keyword_var_name", NO_CAMPAIGN_PARAMETER, "Campaign keywords off, for the same reason (CNIL-NO-MARKETING).");
    add("Tracker", "url_query_parameter_to_exclude_from_url", [...MATOMO_DEFAULT_EXCLUDED_URL_PARAMETERS, ...CAMPAIGN_URL_PARAMETERS].join(","),
      "Campaign and click-id parameters are removed from stored URLs (CNIL-NO-MARKETING, data minimisation for CNIL-NO-PII-URL); Matomo 5.2's own list is kept, since this key replaces it.");
  }

  add("Live", "disable_visitor_log", !s.visitorLog,
    "No visits log: reports show aggregate statistics only (CNIL-AGGREGATE-ONLY). Set in the config file, the setting is locked in the UI.");
  add("Live", "disable_visitor_profile", !s.visitorLog, "No visitor profiles, for the same reason (CNIL-AGGREGATE-ONLY).");

  if (s.rawDataRetentionDays === "unlimited") {
    add("Deletelogs", "delete_logs_enable", false, "Raw data is kept without limit (declared on purpose): this departs from CNIL-RETENTION-25M.");
  } else {
    add("Deletelogs", "delete_logs_enable", true,
      "Raw visit data is deleted after the period below from the first start, before any API call; the reconciler's setDeleteLogsSettings (stored as options) takes precedence once applied (CNIL-RETENTION-25M).");
    add("Deletelogs", "delete_logs_older_than", s.rawDataRetentionDays,
      "Days of raw data kept: 750 by default, within the 758-day (25-month) limit of CNIL-RETENTION-25M.");
  }

  for (const [section, values] of Object.entries(server.additionalSettings))
    for (const [key, value] of Object.entries(values)) add(section, key, value, "Declared in additionalSettings.");
  return out;
}

function iniScalar(value: IniScalar): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") return String(value);
  return `"${value}"`;
}

/** The file text: Matomo's guard line, then one commented block per section. */
export function renderIni(settings: readonly HardenedSetting[], header: readonly string[]): string {
  // Matomo's own config files start with this line: the file is .php, so a web request executes it
  // and gets nothing instead of the settings.
  const lines = ["; <?php exit; ?> DO NOT REMOVE THIS LINE", ...header.map((h) => `; ${h}`)];
  const sections: string[] = [];
  for (const s of settings) if (!sections.includes(s.section)) sections.push(s.section);
  for (const section of sections) {
    lines.push("", `[${section}]`);
    for (const s of settings.filter((x) => x.section === section)) {
      lines.push(`; ${s.why}`);
      if (Array.isArray(s.value)) for (const v of s.value as readonly string[]) lines.push(`${s.key}[] = ${iniScalar(v)}`);
      else lines.push(`${s.key} = ${iniScalar(s.value as IniScalar)}`);
    }
  }
  return lines.join("\n") + "\n";
}
