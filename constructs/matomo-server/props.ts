import type { TerraformBackendSettings } from "../exempt-stack";

/**
 * The props of a self-hosted Matomo server, in the AWS CDK style: readonly, every optional field
 * documents its default, and the default is the CNIL-compliant value. They mirror `servers.<key>`
 * in exempt.yaml; model/matomo-server.ts validates both.
 */

export interface MatomoServerSecretFilesProps {
  /** Absolute path, on the Docker host, of the file holding the Matomo database user's password. */
  readonly databasePassword: string;
  /** Absolute path, on the Docker host, of the file holding the MariaDB root password. */
  readonly databaseRootPassword: string;
}

/**
 * Where the database passwords come from. Never the passwords themselves.
 * - `files`: files on the Docker host, bind-mounted read-only; nothing secret reaches the
 *   synthesised JSON or the Terraform state.
 * - `terraformVariables`: sensitive Terraform variables `<prefix>_db_password` and
 *   `<prefix>_db_root_password`, given as `TF_VAR_...` at deploy; nothing secret reaches the
 *   synthesised JSON, but the Docker provider stores container environment variables, and so
 *   both passwords, in this stack's state in plain text.
 */
export type MatomoServerSecretsProps = { readonly files: MatomoServerSecretFilesProps } | { readonly terraformVariables: true };

export interface MatomoServerHttpProps {
  /**
   * Host address the Matomo container's HTTP port is published on. Loopback keeps the installer
   * and the login off the network until a TLS reverse proxy is in front.
   * @default "127.0.0.1"
   */
  readonly bindAddress?: string;
  /**
   * Host port.
   * @default 8080
   */
  readonly port?: number;
}

export interface MatomoServerMemoryProps {
  /**
   * Memory limit of the Matomo container, in MB (no swap beyond it).
   * @default 1024
   */
  readonly matomo?: number;
  /**
   * Memory limit of the MariaDB container, in MB (no swap beyond it).
   * @default 1024
   */
  readonly database?: number;
}

export interface MatomoServerDatabaseProps {
  /**
   * Database name.
   * @default "matomo"
   */
  readonly name?: string;
  /**
   * Database user Matomo connects as.
   * @default "matomo"
   */
  readonly user?: string;
  /**
   * Prefix of Matomo's tables.
   * @default "matomo_"
   */
  readonly tablePrefix?: string;
}

export interface MatomoServerReverseProxyProps {
  /**
   * PHP header keys Matomo reads the visitor's address from.
   * @default ["HTTP_X_FORWARDED_FOR"]
   */
  readonly clientIpHeaders?: readonly string[];
  /**
   * PHP header keys Matomo reads the requested host from.
   * @default ["HTTP_X_FORWARDED_HOST"]
   */
  readonly hostHeaders?: readonly string[];
}

export interface MatomoServerLogProps {
  /**
   * Size of one container log file, in MB. Apache's access log records every tracking request URL.
   * @default 10
   */
  readonly maxSizeMb?: number;
  /**
   * Log files kept per container.
   * @default 3
   */
  readonly maxFiles?: number;
}

/**
 * Matomo settings that only config.ini.php holds (no API can set or read them). Each is named by
 * what it allows, and `false` is the safe value: a user writes one only to depart from it.
 */
export interface MatomoServerSettingsProps {
  /**
   * One fingerprint for a visitor across the server's sites (`[Tracker] enable_fingerprinting_across_websites`, CNIL-NO-CROSS-SITE-ID).
   * @default false
   */
  readonly fingerprintingAcrossWebsites?: boolean;
  /**
   * The `_pk_uid` cookie on the Matomo domain (`[Tracker] use_third_party_id_cookie`, CNIL-NO-THIRD-PARTY-COOKIE).
   * @default false
   */
  readonly thirdPartyIdCookie?: boolean;
  /**
   * A User ID becomes the visitor id (`[Tracker] enable_userid_overwrites_visitorid`, CNIL-NO-USERID).
   * @default false
   */
  readonly userIdOverwritesVisitorId?: boolean;
  /**
   * Unique visitors counted across sites (`[General] enable_processing_unique_visitors_multiple_sites`, CNIL-NO-CROSS-SITE-ID).
   * @default false
   */
  readonly uniqueVisitorsAcrossSites?: boolean;
  /**
   * The visits log and visitor profiles (`[Live] disable_visitor_log`, `disable_visitor_profile`, CNIL-AGGREGATE-ONLY).
   * @default false
   */
  readonly visitorLog?: boolean;
  /**
   * Segments for the anonymous user (`[General] anonymous_user_enable_use_segments_API`, CNIL-AGGREGATE-ONLY).
   * @default false
   */
  readonly anonymousSegments?: boolean;
  /**
   * Campaign attribution and campaign parameters in stored URLs (`[Tracker] campaign_var_name`, `campaign_keyword_var_name`, `url_query_parameter_to_exclude_from_url`, CNIL-NO-MARKETING).
   * @default false
   */
  readonly campaignTracking?: boolean;
  /**
   * Days of raw data kept from the first start (`[Deletelogs]`, CNIL-RETENTION-25M allows at most 758), or `unlimited`.
   * @default 750
   */
  readonly rawDataRetentionDays?: number | "unlimited";
  /**
   * API tokens accepted in URLs (`[General] only_allow_secure_auth_tokens = 0`).
   * @default false
   */
  readonly insecureAuthTokens?: boolean;
  /**
   * Marketplace and outbound calls to matomo.org (`[General] enable_internet_features`).
   * @default false
   */
  readonly internetFeatures?: boolean;
  /**
   * Plugin installs from the UI (`[General] multi_server_environment = 0`).
   * @default false
   */
  readonly pluginInstallsFromUi?: boolean;
  /**
   * The web installer (`[General] enable_installer`); needed once, to create the first superuser.
   * @default true
   */
  readonly installer?: boolean;
}

export interface MatomoServerProps {
  /**
   * The URL sites and the reconciler use (Matomo behind its reverse proxy). A plain string known
   * at synth: a `MatomoInstance` takes it as its `url` without tying its stack to this one.
   */
  readonly publicUrl: string;
  /**
   * The Matomo image, pinned to a 5.x release (Apache variant), optionally with `@sha256:` digest.
   * @default "matomo:5.10.1-apache"
   */
  readonly matomoImage?: string;
  /**
   * The MariaDB image, pinned to a release, optionally with `@sha256:` digest.
   * @default "mariadb:11.4.5"
   */
  readonly mariadbImage?: string;
  /**
   * Where the HTTP port is published on the Docker host.
   * @default - 127.0.0.1:8080
   */
  readonly http?: MatomoServerHttpProps;
  /**
   * Memory limits.
   * @default - 1024 MB each
   */
  readonly memoryMb?: MatomoServerMemoryProps;
  /**
   * Restart policy of both containers.
   * @default "unless-stopped"
   */
  readonly restart?: "unless-stopped" | "always" | "on-failure";
  /**
   * Where the database passwords come from.
   * @default - files /etc/exempt/<server id>/db-password and db-root-password on the Docker host
   */
  readonly secrets?: MatomoServerSecretsProps;
  /**
   * Database and user names.
   * @default - matomo / matomo / matomo_
   */
  readonly database?: MatomoServerDatabaseProps;
  /**
   * Prefix of the Docker containers, networks and volumes (`<prefix>-matomo`, `<prefix>-db`, ...).
   * @default - the construct id
   */
  readonly namePrefix?: string;
  /**
   * Terraform refuses to destroy the database and configuration volumes.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * The reverse proxy in front of Matomo, or `false` when the published port is reached directly.
   * @default - X-Forwarded-For and X-Forwarded-Host are read
   */
  readonly reverseProxy?: false | MatomoServerReverseProxyProps;
  /**
   * Size limits of the containers' logs.
   * @default - 3 files of 10 MB
   */
  readonly logs?: MatomoServerLogProps;
  /**
   * The privacy-relevant config.ini.php settings.
   * @default - every setting at its safe value
   */
  readonly settings?: MatomoServerSettingsProps;
  /**
   * Other config.ini.php settings, by section and key. Never credentials: the file is written into
   * the synthesised JSON and the state.
   * @default - none
   */
  readonly additionalSettings?: Readonly<Record<string, Readonly<Record<string, string | number | boolean | readonly string[]>>>>;
}

export interface DockerStackProps {
  /**
   * The Docker engine Terraform talks to (`unix://`, `tcp://`, `ssh://`).
   * @default - the provider's default: DOCKER_HOST, else the local socket
   */
  readonly dockerHost?: string;
  /**
   * Terraform backend of this stack. Keep it apart from the reconciling stack's: with
   * `terraformVariables` secrets this state holds the database passwords.
   * @default - local state in `state/<stack id>.tfstate` beside `cdktf.out`
   */
  readonly backend?: TerraformBackendSettings;
}

export interface MatomoServerStackProps extends MatomoServerProps, DockerStackProps {}
