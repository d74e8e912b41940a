import { z } from "zod";

/**
 * Pieces shared by both products' schemas. Every default is the CNIL-compliant value: a user writes
 * a field only to depart from the safe value.
 */

/** Instance ids and site keys become identities in reports, `--only` filters and Terraform ids. */
export const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, "expected an identifier: letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters");

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date written YYYY-MM-DD. YAML turns unquoted dates into Date objects: both are accepted. */
export const IsoDate = z.preprocess(
  (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v),
  z
    .string()
    .regex(ISO_DATE, "expected a date written YYYY-MM-DD")
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "expected a real calendar date"),
);

/**
 * The URL of a tracked site: http or https, with a host, no credentials and no fragment (Matomo
 * matches visits on scheme+host+path prefixes; a fragment or a user:password would never match and
 * a password in a config file is a leak).
 */
export const SiteUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: "expected an absolute http(s) URL such as https://www.example.gouv.fr", input: value });
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    ctx.addIssue({ code: "custom", message: `expected an http or https URL, found the scheme '${url.protocol.replace(":", "")}'`, input: value });
  else if (!url.hostname) ctx.addIssue({ code: "custom", message: "expected a URL with a host name", input: value });
  if (url.username || url.password) ctx.addIssue({ code: "custom", message: "a site URL must not contain credentials (user:password@)", input: value });
  if (value.includes("#")) ctx.addIssue({ code: "custom", message: "a site URL must not contain a fragment (#...)", input: value });
  if (/\s/.test(value)) ctx.addIssue({ code: "custom", message: "a site URL must not contain spaces", input: value });
});

/**
 * The base URL of an instance's API. Credentials in it are refused (tokens come from environment
 * variables only). Plain http is checked when the instance is called, where the user can opt in.
 */
export const InstanceUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: "expected an absolute http(s) URL such as https://stats.example.gouv.fr", input: value });
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    ctx.addIssue({ code: "custom", message: `expected an http or https URL, found the scheme '${url.protocol.replace(":", "")}'`, input: value });
  if (url.username || url.password)
    ctx.addIssue({ code: "custom", message: "the instance URL must not contain credentials: put the token in an environment variable (auth.tokenEnv)", input: value });
  if (url.search || url.hash) ctx.addIssue({ code: "custom", message: "the instance URL must not contain a query string or a fragment", input: value });
});

/** The name of an environment variable that holds a secret. The secret itself is never in the config. */
export const EnvVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected the name of an environment variable (letters, digits, '_'), not a secret value");

/** `exempt` claims the consent exemption (the full rule pack applies); `consent` relies on a banner, on purpose. */
export const SiteMode = z.enum(["exempt", "consent"]);
export type SiteMode = z.infer<typeof SiteMode>;

/** A rule id of the CNIL pack, e.g. CNIL-IP-MASK-2B (checked against the pack by the policy runner). */
export const RuleId = z.string().regex(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/, "expected a rule id such as CNIL-IP-MASK-2B");

/**
 * An accepted deviation from one rule (cdk-nag style): it keeps the finding in every report, marked
 * suppressed with its reason. It needs a written reason and an owner; past `expires` it no longer
 * applies (like tfsec's expiring ignores), so the finding is an error again.
 */
export const Suppression = z.strictObject({
  rule: RuleId.describe("The rule id of the CNIL pack it excuses, e.g. CNIL-ECOMMERCE-OFF."),
  reason: z.string().trim().min(10, "a suppression needs a written reason of at least 10 characters").describe("Why the deviation is accepted, in words a reviewer can judge (at least 10 characters)."),
  owner: z.string().trim().min(1, "a suppression needs an owner (who answers for it)").describe("Who answers for the deviation (a person or a role)."),
  expires: IsoDate.optional().describe("YYYY-MM-DD after which the finding is an error again. Absent: no expiry."),
});
export type Suppression = z.infer<typeof Suppression>;

/**
 * A person's statement that a condition no API can check holds (privacy policy text, processor
 * contract, ...). Reports show it as attested by whom and until when, never as a verified pass.
 */
export const Attestation = z.strictObject({
  rule: RuleId.describe("The rule id the person confirms, e.g. CNIL-INFO-POLICY."),
  by: z.string().trim().min(1, "an attestation names who attests").describe("Who attests (a person, e.g. the DPO)."),
  at: IsoDate.describe("When, YYYY-MM-DD."),
  /** Absent: valid for 12 months from `at`, the review period the pack uses for durations. */
  until: IsoDate.optional().describe("Absent: valid for 12 months from `at`, the review period the pack uses for durations."),
  note: z.string().optional().describe("A note for the evidence report (where the proof is)."),
});
export type Attestation = z.infer<typeof Attestation>;

/** How the reconciler talks to an instance. The defaults suit a shared instance under load. */
export const ClientSettings = z.strictObject({
  /** Per HTTP request, in milliseconds. */
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000).describe("Per HTTP request, in milliseconds."),
  /** Retries of a failed read or idempotent write (5xx, 429, dropped connection, timeout). Never for a 401. */
  retries: z.number().int().min(0).max(10).default(3).describe("Retries of a failed read or idempotent write (5xx, 429, dropped connection, timeout). Never for a 401."),
  /** HTTP requests in flight at once against this instance. */
  concurrency: z.number().int().min(1).max(64).default(4).describe("HTTP requests in flight at once against this instance."),
});
export type ClientSettings = z.infer<typeof ClientSettings>;

/** Fields every site/app declaration has, whatever the product. */
export const siteCommonShape = {
  /** The site's name in the product. */
  name: z.string().trim().min(1, "a site needs a name").max(90, "a site name has at most 90 characters").describe("The site's name in the product."),
  /** The site's URLs; the first is its main URL, which identifies it on the live side unless a product id is declared. */
  urls: z.array(SiteUrl).min(1, "a site needs at least one URL").describe("The site's URLs; the first is its main URL, which identifies it on the live side unless a product id is declared."),
  mode: SiteMode.default("exempt").describe("`exempt` claims the CNIL consent exemption (the whole rule pack applies); `consent` relies on a consent banner, on purpose (most rules drop to info)."),
  /** Publishers keep their data apart (CNIL-SINGLE-PUBLISHER); by default each site is its own publisher. */
  publisher: z.string().trim().min(1).optional().describe("Publishers keep their data apart (CNIL-SINGLE-PUBLISHER); by default each site is its own publisher."),
  /** The exemption is French law (art. 82 LIL): the pack is scoped to FR. */
  jurisdiction: z.literal("FR").default("FR").describe("The exemption is French law (art. 82 LIL): the pack is scoped to FR."),
  /** The only purpose the exemption covers. */
  purpose: z.literal("audience-measurement").default("audience-measurement").describe("The only purpose the exemption covers."),
  /** With `deletionProtection: false` and `--prune`, the live site is deleted. Nothing else ever deletes a site. */
  remove: z.boolean().default(false).describe("With `deletionProtection: false` and `--prune`, the live site is deleted. Nothing else ever deletes a site."),
  deletionProtection: z.boolean().default(true).describe("Refuse to delete the live site, whatever else is said. Only `false` with `remove: true` and `--prune` deletes it."),
  suppressions: z.array(Suppression).default([]).describe("Accepted deviations from rules of the pack, each with a written reason, an owner and an optional expiry."),
  attestations: z.array(Attestation).default([]).describe("Conditions a person confirms for this site (who, when, until when)."),
};

export const instanceCommonShape = {
  url: InstanceUrl.describe("Base URL of the instance's API, e.g. https://stats.example.gouv.fr. Plain http is refused for a non-loopback host unless --allow-insecure-http."),
  /** Rules that apply to the instance as a whole (e.g. CNIL-IP-MASK-2B) are suppressed here. */
  suppressions: z.array(Suppression).default([]).describe("Rules that apply to the instance as a whole (e.g. CNIL-IP-MASK-2B) are suppressed here."),
  /** Attestations given here hold for every site of the instance. */
  attestations: z.array(Attestation).default([]).describe("Attestations given here hold for every site of the instance."),
  client: ClientSettings.prefault({}).describe("How Exempt talks to the instance (timeouts, retries, concurrency); the command line can override each."),
};
