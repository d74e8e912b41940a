import type { ClientProps, InstanceCommonProps, SiteCommonProps, SiteSelectionProps } from "./props";

export interface PiwikProAuthProps {
  /** Environment variable holding the API client id. */
  readonly clientIdEnv: string;
  /** Environment variable holding the API client secret. */
  readonly clientSecretEnv: string;
}

export interface PiwikProPrivacyProps {
  /**
   * Bytes of the visitor IP masked, 0 (off) to 4.
   * @default 2
   */
  readonly ipMaskBytes?: number;
  /**
   * Geolocation from the masked IP.
   * @default true
   */
  readonly useMaskedIpForEnrichment?: boolean;
  /**
   * Geolocation precision kept.
   * @default "city"
   */
  readonly geolocation?: "none" | "city" | "region" | "country" | "continent";
  /**
   * Drop the IP entirely.
   * @default - not managed
   */
  readonly dropIp?: boolean;
}

export interface PiwikProTagProps {
  /** The tag's name; identifies it unless `tagId` is given. */
  readonly name: string;
  /** Tag Manager template, e.g. piwik. */
  readonly template: string;
  /**
   * Consent type.
   * @default "analytics"
   */
  readonly consentType?:
    | "not_require_consent"
    | "analytics"
    | "ab_testing_and_personalization"
    | "conversion_tracking"
    | "marketing_automation"
    | "remarketing"
    | "user_feedback"
    | "custom_consent";
  /** @default - matched by name */
  readonly tagId?: string;
  /** @default true */
  readonly active?: boolean;
  /** Template options sent as is. @default - not managed */
  readonly templateOptions?: Readonly<Record<string, unknown>>;
}

export interface PiwikProAppProps extends SiteCommonProps {
  /** Piwik PRO's app id (uuid). @default - matched by main URL */
  readonly appId?: string;
  /** Track only URLs of this app. @default true */
  readonly excludeUnknownUrls?: boolean;
  /** Ask visitors for consent. @default true */
  readonly askConsent?: boolean;
  /** What is collected without consent. @default "cookieless" */
  readonly withoutConsent?: "cookieless" | "session-cookie" | "nothing";
  /** URL parameters removed before storage. @default - not managed */
  readonly excludedQueryParameters?: readonly string[];
  /** Ecommerce analytics. @default false */
  readonly ecommerce?: boolean;
  /** @default - not managed */
  readonly timezone?: string;
  /** @default - not managed */
  readonly currency?: string;
  /** Tags of the app's Tag Manager. @default {} */
  readonly tags?: Readonly<Record<string, PiwikProTagProps>>;
  /** Publish Tag Manager changes. @default true */
  readonly publishTags?: boolean;
}

export interface PiwikProAccessProps {
  /** Users by e-mail and their permission on which apps. @default {} */
  readonly users?: Readonly<Record<string, { readonly role: "view" | "edit" | "edit-publish" | "manage"; readonly sites: SiteSelectionProps }>>;
  /**
   * Revoke the access of users not declared here, when the run has `--prune`.
   * @default false - undeclared access is reported as drift, never removed
   */
  readonly revokeUndeclared?: boolean;
}

export interface PiwikProInstanceProps extends InstanceCommonProps {
  /** API credentials (environment variable names only). */
  readonly auth: PiwikProAuthProps;
  /** Account-wide privacy settings. @default - every field at its CNIL-compliant default */
  readonly privacy?: PiwikProPrivacyProps;
  /** @default - no declared users */
  readonly access?: PiwikProAccessProps;
  readonly client?: ClientProps;
}
