import type { ClientProps, InstanceCommonProps, SiteCommonProps, SiteSelectionProps } from "./props";

export interface MatomoAuthProps {
  /** Environment variable holding the token_auth (never the token itself). */
  readonly tokenEnv: string;
  /**
   * Environment variable holding the account's password, which Matomo asks for to change data retention.
   * @default - retention is not enforced, and reports say so
   */
  readonly passwordEnv?: string;
}

export interface MatomoPrivacyProps {
  /**
   * Bytes of the visitor IP masked before storage, 0 (off) to 4.
   * @default 2
   */
  readonly ipMaskBytes?: number;
  /**
   * Geolocation and provider enrichment use the masked IP.
   * @default true
   */
  readonly useMaskedIpForEnrichment?: boolean;
  /**
   * Referrer anonymisation.
   * @default "exclude_all"
   */
  readonly referrer?: "keep" | "exclude_query" | "exclude_path" | "exclude_all";
  /**
   * Months of raw data kept (Matomo: months x 30 days), or `unlimited`.
   * @default 25
   */
  readonly rawDataRetentionMonths?: number | "unlimited";
  /**
   * Pseudonymise the User ID before storage.
   * @default true
   */
  readonly anonymizeUserId?: boolean;
  /**
   * Pseudonymise ecommerce order ids.
   * @default true
   */
  readonly anonymizeOrderId?: boolean;
  /**
   * Track without cookies, instance-wide.
   * @default false
   */
  readonly forceCookielessTracking?: boolean;
  /**
   * Honour Do-Not-Track.
   * @default true
   */
  readonly doNotTrack?: boolean;
  /**
   * URL query parameters removed from every tracked URL, instance-wide.
   * @default - not managed
   */
  readonly globalExcludedQueryParameters?: readonly string[];
}

export interface MatomoUserAccessProps {
  /** The user's role on the listed sites. */
  readonly role: "view" | "write" | "admin";
  /** Site keys of the instance, or `all`. */
  readonly sites: SiteSelectionProps;
}

export interface MatomoAccessProps {
  /**
   * Anonymous view (public statistics) on every site of the instance.
   * @default false
   */
  readonly publicStats?: boolean;
  /**
   * Users and their roles; any other user with access to a managed site is drift.
   * @default {}
   */
  readonly users?: Readonly<Record<string, MatomoUserAccessProps>>;
  /**
   * Revoke the access of users not declared here, when the run has `--prune`.
   * @default false - undeclared access is reported as drift, never removed
   */
  readonly revokeUndeclared?: boolean;
}

export interface MatomoTrackerConfigurationProps {
  /** @default false */
  readonly enableCrossDomainLinking?: boolean;
  /** A User ID expression; any value breaks CNIL-NO-USERID. @default "" */
  readonly userId?: string;
  /** @default false */
  readonly disableCookies?: boolean;
  /** @default false */
  readonly requireConsent?: boolean;
  /** @default false */
  readonly requireCookieConsent?: boolean;
  /** @default true */
  readonly enableDoNotTrack?: boolean;
  /** Visitor cookie lifetime in days (at most 393). @default - the tracker's 393 days */
  readonly visitorCookieDays?: number;
  /** @default - the page's own domain */
  readonly cookieDomain?: string;
  /** @default true */
  readonly secureCookie?: boolean;
}

export interface MatomoDeclaredTagProps {
  /** The tag's name in the container. */
  readonly name: string;
  /** Tag Manager tag type, e.g. CustomHtml. */
  readonly type: string;
  /** Whether the tag fires before consent. @default false */
  readonly firesWithoutConsent?: boolean;
}

export interface MatomoContainerProps {
  /** @default "Default Container" */
  readonly name?: string;
  /** Matomo's 8-character container id. @default - matched by name */
  readonly idContainer?: string;
  /** The "Matomo Configuration" variable. @default - every field at its safe default */
  readonly matomoConfiguration?: MatomoTrackerConfigurationProps;
  /** Tags besides the Matomo tag. @default {} */
  readonly tags?: Readonly<Record<string, MatomoDeclaredTagProps>>;
  /** Publish a new version to `live` when something changed. @default true */
  readonly publishLive?: boolean;
}

export interface MeasurementFeaturesProps {
  /** @default false */
  readonly heatmaps?: boolean;
  /** @default false */
  readonly sessionRecordings?: boolean;
  /** @default false */
  readonly abTesting?: boolean;
  /** @default false */
  readonly marketingCampaigns?: boolean;
  /** The visitor log and visitor profiles. @default false */
  readonly visitorLog?: boolean;
}

export interface MatomoSiteProps extends SiteCommonProps {
  /** Matomo's idSite. @default - matched by main URL */
  readonly idSite?: number;
  /** Track only URLs of this site. @default true */
  readonly excludeUnknownUrls?: boolean;
  /** URL query parameters removed before storage. @default [] */
  readonly excludedQueryParameters?: readonly string[];
  /** @default [] */
  readonly excludedIps?: readonly string[];
  /** @default [] */
  readonly excludedUserAgents?: readonly string[];
  /** @default [] */
  readonly excludedReferrers?: readonly string[];
  /** Ecommerce analytics. @default false */
  readonly ecommerce?: boolean;
  /** @default - not managed */
  readonly siteSearch?: boolean;
  /** @default - not managed */
  readonly searchKeywordParameters?: readonly string[];
  /** @default - not managed */
  readonly searchCategoryParameters?: readonly string[];
  /** IANA timezone. @default - not managed */
  readonly timezone?: string;
  /** ISO currency code. @default - not managed */
  readonly currency?: string;
  /** Matomo site group. @default - not managed */
  readonly group?: string;
  /** @default - not managed */
  readonly keepUrlFragments?: "global" | "keep" | "remove";
  /** Anonymous view for this site. @default - the instance's access.publicStats */
  readonly publicStats?: boolean;
  /** Features that need consent. @default - all off */
  readonly features?: MeasurementFeaturesProps;
  /** Tag Manager containers to reconcile. @default - Tag Manager not managed */
  readonly tagManager?: { readonly containers?: Readonly<Record<string, MatomoContainerProps>> };
}

export interface MatomoDatabaseObserverProps {
  /** @default "mariadb" */
  readonly engine?: "mariadb" | "mysql";
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** @default 3306 */
  readonly port?: number;
  /** @default "matomo" */
  readonly database?: string;
  /** Environment variable holding the read-only user's name. */
  readonly userEnv: string;
  /** Environment variable holding its password. */
  readonly passwordEnv: string;
  /** @default "matomo_" */
  readonly tablePrefix?: string;
  /** @default - TCP to host:port */
  readonly socketPath?: string;
}

export interface MatomoInstanceProps extends InstanceCommonProps {
  /** Where the API credentials come from (environment variable names only). */
  readonly auth: MatomoAuthProps;
  /** Instance-wide privacy settings. @default - every field at its CNIL-compliant default */
  readonly privacy?: MatomoPrivacyProps;
  /** Who may see and change which sites. @default - no public statistics, no declared users */
  readonly access?: MatomoAccessProps;
  /** A read-only view of Matomo's database, to observe what the API cannot read. @default - none */
  readonly observer?: { readonly database: MatomoDatabaseObserverProps };
  readonly client?: ClientProps;
}
