import * as net from "node:net";
import * as posixPath from "node:path/posix";
import { z } from "zod";
import { Identifier, InstanceUrl } from "./common";
import { ConfigIssue, formatPath, SourceLocation } from "./errors";

/**
 * A self-hosted Matomo server on Docker (`servers:` in exempt.yaml, `MatomoServer` in TypeScript).
 * Like the rest of the model, every default is the CNIL-compliant one, and no field holds a
 * secret: the database passwords come from files on the Docker host or from sensitive Terraform
 * variables, and the schema refuses anything else.
 */

/**
 * Images are pinned to a full release (x.y.z), optionally with a digest: a floating tag (`latest`,
 * `5`, `5.10`) would change the running code, and so the evidence of what runs, without a diff.
 */
const IMAGE_REFERENCE = /^(?<repository>[a-z0-9]+(?:[._\/-][a-z0-9]+)*(?::[0-9]+\/[a-z0-9]+(?:[._\/-][a-z0-9]+)*)?)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

export interface ImageReference {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageReference(reference: string): ImageReference | undefined {
  const m = IMAGE_REFERENCE.exec(reference);
  if (!m?.groups) return undefined;
  return { repository: m.groups.repository, tag: m.groups.tag, digest: m.groups.digest };
}

function pinnedImage(product: string, tagRule: RegExp, tagHint: string) {
  return z.string().superRefine((value, ctx) => {
    const ref = parseImageReference(value);
    if (!ref) {
      ctx.addIssue({ code: "custom", message: `expected an image reference such as ${tagHint}` });
      return;
    }
    if (!ref.tag) {
      ctx.addIssue({ code: "custom", message: `the ${product} image needs an explicit release tag (such as ${tagHint}), not an implicit 'latest'` });
      return;
    }
    if (!tagRule.test(ref.tag))
      ctx.addIssue({ code: "custom", message: `the ${product} image tag '${ref.tag}' is not pinned to one release: write a full version such as ${tagHint}` });
  });
}

/** The official image's Apache variant serves HTTP on port 80 itself; the fpm variants need a separate web server. */
export const DEFAULT_MATOMO_IMAGE = "matomo:5.10.1-apache";
export const DEFAULT_MARIADB_IMAGE = "mariadb:11.4.5";

export const MatomoImage = pinnedImage("Matomo", /^5\.\d+\.\d+(-apache)?$/, "5.10.1-apache (Matomo 5, Apache variant)");
export const MariaDbImage = pinnedImage("MariaDB", /^\d+\.\d+\.\d+([-.][A-Za-z0-9.]+)?$/, "11.4.5");

/** Docker object names: containers, networks and volumes are named `<namePrefix>-<role>`. */
export const DockerNamePrefix = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,40}$/, "expected a Docker name prefix: letters, digits, '_', '.', '-', starting with a letter or digit, at most 41 characters");

/**
 * A path on the Docker host. The error never repeats the value: a password typed here by mistake
 * must not reach a terminal, a CI log or a report.
 */
export const HostFilePath = z.unknown().transform((value, ctx): string => {
  if (typeof value !== "string" || !value.startsWith("/") || value.length > 4096 || /[\s,:]/.test(value) || posixPath.normalize(value) !== value || value.endsWith("/")) {
    ctx.addIssue({
      code: "custom",
      message: "expected the absolute path of a file on the Docker host (no spaces, ':' or ',', no '..'); write the path to the file that holds the secret, never the secret itself",
      input: undefined,
    });
    return z.NEVER;
  }
  return value;
});

export const DatabaseSecretFiles = z.strictObject({
  /** The Matomo database user's password, in a file on the Docker host. */
  databasePassword: HostFilePath,
  /** The MariaDB root password, in a file on the Docker host. */
  databaseRootPassword: HostFilePath,
});

export const MatomoServerSecrets = z
  .strictObject({
    /** Files bind-mounted read-only into the containers: nothing secret in the synthesised JSON or in the state. */
    files: DatabaseSecretFiles.optional(),
    /** Sensitive Terraform variables (TF_VAR_...): nothing secret in the synthesised JSON, but the Docker provider keeps them in this stack's state. */
    terraformVariables: z.literal(true).optional(),
  })
  // One object rather than a union, so a wrong path is reported at its own field, not as "no option matched".
  .superRefine((s, ctx) => {
    if ((s.files ? 1 : 0) + (s.terraformVariables ? 1 : 0) !== 1)
      ctx.addIssue({ code: "custom", message: "declare exactly one of `files: { databasePassword, databaseRootPassword }` or `terraformVariables: true`", input: undefined });
  });
export type MatomoServerSecrets = z.infer<typeof MatomoServerSecrets>;

/** Where the secret files are looked for when `secrets` is left out. */
export function defaultSecretFiles(serverId: string): z.infer<typeof DatabaseSecretFiles> {
  return { databasePassword: `/etc/exempt/${serverId}/db-password`, databaseRootPassword: `/etc/exempt/${serverId}/db-root-password` };
}

const IpAddress = z.string().refine((v) => net.isIP(v) !== 0, "expected an IPv4 or IPv6 address such as 127.0.0.1");

/** MariaDB identifiers used in GRANT statements and Matomo's table names. */
const SqlName = z.string().regex(/^[A-Za-z0-9_]{1,32}$/, "expected letters, digits and '_' (at most 32 characters)");

/** A PHP `$_SERVER` header key, as Matomo expects it in proxy_client_headers[] (HTTP_X_FORWARDED_FOR). */
const ServerHeaderKey = z.string().regex(/^HTTP_[A-Z0-9_]+$/, "expected a PHP header key such as HTTP_X_FORWARDED_FOR");

export const ReverseProxy = z.strictObject({
  /** Headers Matomo reads the visitor's address from (first IP found). */
  clientIpHeaders: z.array(ServerHeaderKey).min(1).default(["HTTP_X_FORWARDED_FOR"]),
  /** Headers Matomo reads the requested host from. */
  hostHeaders: z.array(ServerHeaderKey).default(["HTTP_X_FORWARDED_HOST"]),
});

/**
 * The settings of config.ini.php that matter for the exemption and that no HTTP API can set
 * (matomo-api.md section 6). Each field is named by what it allows; `false` is the safe value.
 */
export const MatomoServerSettings = z.strictObject({
  /** `[Tracker] enable_fingerprinting_across_websites`: one fingerprint for a visitor across sites (CNIL-NO-CROSS-SITE-ID). */
  fingerprintingAcrossWebsites: z.boolean().default(false),
  /** `[Tracker] use_third_party_id_cookie`: the `_pk_uid` cookie on the Matomo domain (CNIL-NO-THIRD-PARTY-COOKIE). */
  thirdPartyIdCookie: z.boolean().default(false),
  /** `[Tracker] enable_userid_overwrites_visitorid`: a User ID becomes the visitor id, linking devices (CNIL-NO-USERID). */
  userIdOverwritesVisitorId: z.boolean().default(false),
  /** `[General] enable_processing_unique_visitors_multiple_sites`: unique visitors counted across sites (CNIL-NO-CROSS-SITE-ID). */
  uniqueVisitorsAcrossSites: z.boolean().default(false),
  /** `[Live] disable_visitor_log` / `disable_visitor_profile`: visit-level views (CNIL-AGGREGATE-ONLY). */
  visitorLog: z.boolean().default(false),
  /** `[General] anonymous_user_enable_use_segments_API`: anonymous API users may segment (CNIL-AGGREGATE-ONLY with public statistics). */
  anonymousSegments: z.boolean().default(false),
  /** `[Tracker] campaign_var_name` / `campaign_keyword_var_name`, and campaign parameters kept in stored URLs (CNIL-NO-MARKETING). */
  campaignTracking: z.boolean().default(false),
  /** `[Deletelogs]`: raw data kept this many days from the first start (CNIL-RETENTION-25M: at most 758). `unlimited` turns it off. */
  rawDataRetentionDays: z.union([z.number().int().min(1).max(36500), z.literal("unlimited")]).default(750),
  /** `[General] only_allow_secure_auth_tokens = 0`: API tokens accepted in URLs, where logs and referrers keep them. */
  insecureAuthTokens: z.boolean().default(false),
  /** `[General] enable_internet_features`: the Marketplace and outbound calls to matomo.org (CNIL-NO-HSR, CNIL-NO-COHORTS, CNIL-NO-MARKETING). */
  internetFeatures: z.boolean().default(false),
  /** `[General] multi_server_environment = 0`: plugins installed from the UI, so the running code is no longer the pinned image (CNIL-EVIDENCE-2025). */
  pluginInstallsFromUi: z.boolean().default(false),
  /** `[General] enable_installer`: the web installer, needed once to create the first superuser. */
  installer: z.boolean().default(true),
});
export type MatomoServerSettings = z.infer<typeof MatomoServerSettings>;

/** Keys Exempt manages by name, whatever the declaration's values: `additionalSettings` may not set them behind the typed settings' back. */
export const MANAGED_INI_KEYS = [
  "General.only_allow_secure_auth_tokens", "General.enable_processing_unique_visitors_multiple_sites", "General.anonymous_user_enable_use_segments_API",
  "General.enable_internet_features", "General.multi_server_environment", "General.enable_plugin_upload", "General.enable_installer", "General.trusted_hosts",
  "General.force_ssl", "General.assume_secure_protocol", "General.proxy_client_headers", "General.proxy_host_headers",
  "Tracker.enable_fingerprinting_across_websites", "Tracker.use_third_party_id_cookie", "Tracker.enable_userid_overwrites_visitorid",
  "Tracker.campaign_var_name", "Tracker.campaign_keyword_var_name", "Tracker.url_query_parameter_to_exclude_from_url",
  "Live.disable_visitor_log", "Live.disable_visitor_profile", "Deletelogs.delete_logs_enable", "Deletelogs.delete_logs_older_than",
].map((k) => k.toLowerCase());

/** Sections that hold credentials in Matomo's config: refused, a config fragment is not a secret store. */
export const CREDENTIAL_SECTIONS = ["database", "database_reader", "database_tests", "mail", "RedisCache", "QueuedTracking"];

const IniName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "expected an ini name: letters, digits and '_'");
const IniValue = z.union([
  z.boolean(),
  z.number().finite(),
  z.string().regex(/^[^"\r\n\\]*$/, "a value cannot contain a double quote, a backslash or a line break"),
  z.array(z.string().regex(/^[^"\r\n\\]*$/, "a value cannot contain a double quote, a backslash or a line break")),
]);

export const MatomoServerDeclaration = z
  .strictObject({
    /** The URL sites and the reconciler use: Matomo's address behind the reverse proxy. A plain string, known at synth. */
    publicUrl: InstanceUrl,
    matomoImage: MatomoImage.default(DEFAULT_MATOMO_IMAGE),
    mariadbImage: MariaDbImage.default(DEFAULT_MARIADB_IMAGE),
    /** Where the Matomo container's HTTP port is published on the Docker host. */
    http: z
      .strictObject({
        bindAddress: IpAddress.default("127.0.0.1"),
        port: z.number().int().min(1).max(65535).default(8080),
      })
      .prefault({}),
    memoryMb: z
      .strictObject({
        matomo: z.number().int().min(256).max(262144).default(1024),
        database: z.number().int().min(256).max(262144).default(1024),
      })
      .prefault({}),
    restart: z.enum(["unless-stopped", "always", "on-failure"]).default("unless-stopped"),
    /** Absent: files under /etc/exempt/<server id>/ on the Docker host. */
    secrets: MatomoServerSecrets.optional(),
    database: z
      .strictObject({
        name: SqlName.default("matomo"),
        user: SqlName.default("matomo"),
        tablePrefix: z.string().regex(/^[A-Za-z0-9_]{0,20}$/, "expected a table prefix of letters, digits and '_'").default("matomo_"),
      })
      .prefault({}),
    /** Absent: the server id. */
    namePrefix: DockerNamePrefix.optional(),
    /** Keep the database and configuration volumes when the stack is destroyed (Terraform refuses to destroy them). */
    deletionProtection: z.boolean().default(true),
    /** `false` when nothing sits in front of Matomo (not recommended: the published port then serves the installer and the login directly). */
    reverseProxy: z.union([z.literal(false), ReverseProxy]).prefault({}),
    /** Size-bounded container logs: Apache's access log holds every tracking request URL. */
    logs: z
      .strictObject({
        maxSizeMb: z.number().int().min(1).max(1024).default(10),
        maxFiles: z.number().int().min(1).max(100).default(3),
      })
      .prefault({}),
    settings: MatomoServerSettings.prefault({}),
    /** Other config.ini.php settings, by section. Never credentials: the fragment is in the synthesised JSON and the state. */
    additionalSettings: z.record(IniName, z.record(IniName, IniValue)).default({}),
  })
  .superRefine((server, ctx) => {
    for (const [section, values] of Object.entries(server.additionalSettings))
      for (const key of Object.keys(values))
        if (MANAGED_INI_KEYS.includes(`${section}.${key}`.toLowerCase()))
          ctx.addIssue({ code: "custom", path: ["additionalSettings", section, key], message: `[${section}] ${key} is managed through \`settings\` (or derived from publicUrl and reverseProxy); write it there`, input: undefined });
    for (const section of Object.keys(server.additionalSettings))
      if (CREDENTIAL_SECTIONS.some((s) => s.toLowerCase() === section.toLowerCase()))
        ctx.addIssue({
          code: "custom",
          path: ["additionalSettings", section],
          message: `the [${section}] section holds credentials, which never go into the configuration; Matomo's installer writes the database settings itself`,
          input: undefined,
        });
  });
export type MatomoServerDeclaration = z.infer<typeof MatomoServerDeclaration>;
export type MatomoServerDeclarationInput = z.input<typeof MatomoServerDeclaration>;

/** The stack id a server gets: its key. `exempt` is the reconciling stack's. */
export const ServerId = Identifier.refine((id) => id !== "exempt", "'exempt' is the reconciling stack's name; give the server another key");

/** The host the Docker provider talks to. */
export const DockerHost = z.string().regex(/^(unix|tcp|ssh|npipe):\/\/\S+$/, "expected a Docker host such as unix:///var/run/docker.sock or ssh://deploy@stats.example.gouv.fr");

/**
 * `instances.<id>.server: <server key>` in YAML: the instance takes the server's public URL as its
 * `url` (unless it declares one), and the reference is removed, so the reconciling model stays as
 * it was. Returns the problems with their paths; `locate` places them in the YAML.
 */
export function resolveServerReferences(raw: Record<string, unknown>, locator?: (path: readonly PropertyKey[]) => SourceLocation): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const instances = raw.instances;
  if (!instances || typeof instances !== "object" || Array.isArray(instances)) return issues;
  const servers = raw.servers && typeof raw.servers === "object" && !Array.isArray(raw.servers) ? (raw.servers as Record<string, unknown>) : {};
  for (const [instanceId, instance] of Object.entries(instances as Record<string, unknown>)) {
    if (!instance || typeof instance !== "object" || Array.isArray(instance) || !("server" in instance)) continue;
    const decl = instance as Record<string, unknown>;
    const serverKey = decl.server;
    delete decl.server;
    const at = ["instances", instanceId, "server"];
    const path = formatPath(at);
    if (decl.kind !== "matomo") {
      issues.push({ location: locator?.(at), path, message: "only a Matomo instance can run on a declared server (`kind: matomo`)" });
      continue;
    }
    if (typeof serverKey !== "string" || !(serverKey in servers)) {
      const known = Object.keys(servers);
      issues.push({ location: locator?.(at), path, message: `${typeof serverKey === "string" ? `'${serverKey}' is not` : "expected the key of"} a server declared under \`servers:\`${known.length ? ` (servers: ${known.join(", ")})` : " (there is none)"}` });
      continue;
    }
    const publicUrl = (servers[serverKey] as { publicUrl?: unknown } | null)?.publicUrl;
    // A declared url wins, as with the construct: the reconciler may reach the server another way.
    if (decl.url === undefined && typeof publicUrl === "string") decl.url = publicUrl;
  }
  return issues;
}
