import { z } from "zod";
import { Identifier } from "./common";
import { MatomoInstance } from "./matomo";
import { PiwikProInstance } from "./piwikpro";
import { DockerHost, MatomoServerDeclaration, ServerId } from "./matomo-server";

export const INSTANCE_KINDS = ["matomo", "piwikpro"] as const;
export type InstanceKind = (typeof INSTANCE_KINDS)[number];

export const Instance = z.discriminatedUnion("kind", [MatomoInstance, PiwikProInstance]);
export type Instance = z.infer<typeof Instance>;
export type Site = Instance["sites"][string];

const MAX_REMEMBERED_IDENTITIES = 100_000;
const identities = new Map<string, string>();

/** The URL key that identifies a site: scheme-less, lower-case host, no trailing slash (Matomo matches http/https/www variants alike). */
export function urlIdentity(url: string): string {
  // A pure function of the text, asked for the same URLs many times per run (identity, the read,
  // the rule pack's sibling index, both sides): parsed once each. The memo is bounded.
  let identity = identities.get(url);
  if (identity === undefined) {
    identity = parseIdentity(url);
    if (identities.size >= MAX_REMEMBERED_IDENTITIES) identities.clear();
    identities.set(url, identity);
  }
  return identity;
}

function parseIdentity(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname.toLowerCase().replace(/^www\./, "");
    const path = u.pathname.replace(/\/+$/, "");
    return `${host}${u.port ? ":" + u.port : ""}${path}`;
  } catch {
    return url.trim().toLowerCase();
  }
}

function sameUrlKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, "")}${u.search}`;
  } catch {
    return url;
  }
}

/** Checks that need the whole document: references between parts and duplicates across sites. */
function crossChecks(config: { instances: Record<string, Instance> }, ctx: z.core.$RefinementCtx): void {
  for (const [instanceId, instance] of Object.entries(config.instances ?? {})) {
    if (!instance || typeof instance !== "object" || !instance.sites) continue;
    const siteKeys = new Set(Object.keys(instance.sites));
    // Two declarations claiming the same main URL would make identity a guess.
    const mainUrls = new Map<string, string>();
    const ids = new Map<string, string>();
    for (const [key, site] of Object.entries(instance.sites)) {
      // Runs even when fields failed their own checks: skip what those checks already reported.
      if (!Array.isArray(site.urls) || site.urls.length === 0 || typeof site.urls[0] !== "string") continue;
      const identity = urlIdentity(site.urls[0]);
      const other = mainUrls.get(identity);
      if (other)
        ctx.addIssue({ code: "custom", path: ["instances", instanceId, "sites", key, "urls", 0], message: `the main URL ${site.urls[0]} is also the main URL of site '${other}': each site needs its own`, input: site.urls[0] });
      else mainUrls.set(identity, key);
      const seen = new Set<string>();
      (site.urls as string[]).forEach((u: string, i: number) => {
        // Within one site, www and bare domains are distinct aliases; only the same URL twice is a mistake.
        const id = sameUrlKey(u);
        if (seen.has(id)) ctx.addIssue({ code: "custom", path: ["instances", instanceId, "sites", key, "urls", i], message: `the URL ${u} is listed twice for this site`, input: u });
        seen.add(id);
      });
      const productId = "idSite" in site ? site.idSite : "appId" in site ? site.appId : undefined;
      if (productId !== undefined) {
        const dup = ids.get(String(productId));
        if (dup) ctx.addIssue({ code: "custom", path: ["instances", instanceId, "sites", key], message: `the product id ${productId} is also declared by site '${dup}'`, input: productId });
        else ids.set(String(productId), key);
      }
    }
    for (const [user, grant] of Object.entries((instance.access?.users ?? {}) as Record<string, { sites: "all" | string[] }>)) {
      if (!grant || grant.sites === "all" || !Array.isArray(grant.sites)) continue;
      (grant.sites as string[]).forEach((s: string, i: number) => {
        if (!siteKeys.has(s))
          ctx.addIssue({ code: "custom", path: ["instances", instanceId, "access", "users", user, "sites", i], message: `'${s}' is not a site of instance '${instanceId}' (sites: ${[...siteKeys].join(", ") || "none"})`, input: s });
      });
    }
  }
}

/**
 * Where the reconciling stack keeps its Terraform state (only hashes, never a secret). CI runners
 * do not keep local files between runs, so teams point this at a remote backend; its credentials
 * come from the environment Terraform reads (TF_HTTP_PASSWORD, AWS_SECRET_ACCESS_KEY...).
 */
export const TerraformBackend = z.union([
  z.strictObject({ local: z.strictObject({ path: z.string().min(1).optional() }) }),
  z.strictObject({
    http: z.strictObject({
      address: z.url({ protocol: /^https?$/ }),
      lockAddress: z.url({ protocol: /^https?$/ }).optional(),
      unlockAddress: z.url({ protocol: /^https?$/ }).optional(),
      lockMethod: z.string().optional(),
      unlockMethod: z.string().optional(),
      username: z.string().optional(),
    }),
  }),
  z.strictObject({
    s3: z.strictObject({
      bucket: z.string().min(1),
      key: z.string().min(1),
      region: z.string().min(1),
      endpoint: z.url().optional(),
      usePathStyle: z.boolean().optional(),
      skipCredentialsValidation: z.boolean().optional(),
      skipRegionValidation: z.boolean().optional(),
      skipRequestingAccountId: z.boolean().optional(),
      skipMetadataApiCheck: z.boolean().optional(),
      encrypt: z.boolean().optional(),
    }),
  }),
]);
export type TerraformBackend = z.infer<typeof TerraformBackend>;

export const Config = z
  .strictObject({
    /** The JSON Schema editors use (kept as a comment-like key so `$schema` lines do not fail validation). */
    $schema: z.string().optional(),
    /** The version of the configuration format. */
    version: z.literal(1).default(1),
    /** Settings of the Terraform wiring (`cdktf deploy`). */
    terraform: z
      .strictObject({
        backend: TerraformBackend.optional().describe(
          "Where the reconciling stack keeps its state: `{ local: { path } }` (default: state/exempt.tfstate beside cdktf.out), `{ http: { address, lockAddress, unlockAddress, lockMethod, unlockMethod, username } }` (password in TF_HTTP_PASSWORD) or `{ s3: { bucket, key, region, endpoint, usePathStyle, ... } }` (credentials in AWS_* variables).",
        ),
      })
      .optional(),
    instances: z.record(Identifier, Instance).refine((r) => Object.keys(r).length > 0, "declare at least one instance"),
    /** Self-hosted Matomo servers on Docker, one Terraform stack each, named by the key (`instances.<id>.server` refers to one). */
    servers: z
      .record(ServerId, MatomoServerDeclaration.extend({ dockerHost: DockerHost.optional(), terraform: z.strictObject({ backend: TerraformBackend.optional() }).optional() }))
      .optional(),
  })
  .superRefine(crossChecks);
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
