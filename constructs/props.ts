/**
 * The construct props, written the AWS CDK way: readonly fields, each optional field documenting
 * its default (always the CNIL-compliant value). They mirror the YAML fields one for one; the
 * zod schemas in model/ validate them, so the YAML and TypeScript paths share one validation.
 */

export interface SuppressionProps {
  /** Rule id of the CNIL pack, e.g. `CNIL-ECOMMERCE-OFF`. */
  readonly rule: string;
  /** Why the deviation is accepted (at least 10 characters). */
  readonly reason: string;
  /** Who answers for it. */
  readonly owner: string;
  /**
   * Date (YYYY-MM-DD) after which the finding is an error again.
   * @default - no expiry
   */
  readonly expires?: string;
}

export interface AttestationProps {
  /** Rule id the person confirms, e.g. `CNIL-INFO-POLICY`. */
  readonly rule: string;
  /** Who attests. */
  readonly by: string;
  /** When (YYYY-MM-DD). */
  readonly at: string;
  /**
   * Until when it holds (YYYY-MM-DD).
   * @default - 12 months after `at`
   */
  readonly until?: string;
  /**
   * A note for the evidence report.
   * @default - none
   */
  readonly note?: string;
}

export interface ClientProps {
  /**
   * Timeout of each HTTP request, in milliseconds.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * Retries of a failed read or idempotent write. A refused token is never retried.
   * @default 3
   */
  readonly retries?: number;
  /**
   * HTTP requests in flight at once against the instance.
   * @default 4
   */
  readonly concurrency?: number;
}

export type SiteSelectionProps = "all" | readonly string[];

/** Fields every site/app declaration has. */
export interface SiteCommonProps {
  /** The site's name in the product (at most 90 characters). */
  readonly name: string;
  /** The site's URLs; the first is the main URL, which identifies the site on the live side unless a product id is declared. */
  readonly urls: readonly string[];
  /**
   * `exempt` claims the CNIL consent exemption (the whole rule pack applies); `consent` relies on a consent banner, on purpose.
   * @default "exempt"
   */
  readonly mode?: "exempt" | "consent";
  /**
   * The publisher whose data this is (sites of different publishers must stay apart).
   * @default - the site key: each site is its own publisher
   */
  readonly publisher?: string;
  /**
   * Jurisdiction of the exemption; only French law (art. 82 LIL) is covered.
   * @default "FR"
   */
  readonly jurisdiction?: "FR";
  /**
   * The purpose of the measurement; the exemption covers audience measurement only.
   * @default "audience-measurement"
   */
  readonly purpose?: "audience-measurement";
  /**
   * Ask for the live site to be deleted; it happens only with `deletionProtection: false` and `--prune`.
   * @default false
   */
  readonly remove?: boolean;
  /**
   * Refuse to delete the live site whatever else is said.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Accepted deviations from rules of the pack, each with a written reason and an owner.
   * @default []
   */
  readonly suppressions?: readonly SuppressionProps[];
  /**
   * Conditions a person confirms (privacy policy, processor contract...).
   * @default []
   */
  readonly attestations?: readonly AttestationProps[];
}

export interface InstanceCommonProps {
  /** Base URL of the instance's API, e.g. https://stats.example.gouv.fr. */
  readonly url: string;
  /**
   * Suppressions of instance-wide rules (e.g. CNIL-DNT).
   * @default []
   */
  readonly suppressions?: readonly SuppressionProps[];
  /**
   * Attestations that hold for every site of the instance.
   * @default []
   */
  readonly attestations?: readonly AttestationProps[];
  /**
   * How Exempt talks to the instance.
   * @default - 30 s timeout, 3 retries, 4 requests at once
   */
  readonly client?: ClientProps;
}
