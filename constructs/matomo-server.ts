import { Construct } from "constructs";
import { createHash } from "node:crypto";
import * as net from "node:net";
import { Container, ContainerMounts } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Network } from "@cdktf/provider-docker/lib/network";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Annotations, Fn, Op, TerraformOutput, TerraformVariable, Token } from "./cdk";
import { issuesFromZod } from "../model/loader";
import type { LoadedConfig } from "../model/loader";
import { defaultSecretFiles, MatomoServerDeclaration, MatomoServerDeclarationInput } from "../model/matomo-server";
import { addIssueValidation } from "./analytics-instance";
import { DockerStack } from "./docker-stack";
import type { MatomoAddress } from "./matomo";
import { hardenedSettings, renderIni } from "./matomo-server/hardening";
import type { MatomoServerProps, MatomoServerStackProps } from "./matomo-server/props";

export type * from "./matomo-server/props";
export { DockerStack } from "./docker-stack";

// The props must stay assignable to the schema's input (readonly aside): the TypeScript and YAML paths share one validation.
type Writable<T> = T extends readonly (infer U)[] ? Writable<U>[] : T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;
const _propsMatchSchema = (p: Writable<MatomoServerProps>): MatomoServerDeclarationInput => p;
void _propsMatchSchema;

/** Where things are inside the containers. */
export const MATOMO_CONFIG_DIR = "/var/www/html/config";
export const HARDENED_CONFIG_FILE = `${MATOMO_CONFIG_DIR}/common.config.ini.php`;
export const SECRET_DIR = "/run/secrets";
const DB_PASSWORD_FILE = `${SECRET_DIR}/exempt-db-password`;
const DB_ROOT_PASSWORD_FILE = `${SECRET_DIR}/exempt-db-root-password`;
/** The database's name on the private network. */
const DB_HOST_ALIAS = "db";
/** The label a container carries with the sha256 of the fragment written into it, for `docker inspect` evidence. */
export const CONFIG_HASH_LABEL = "org.exempt.matomo-config-sha256";
/** MariaDB's minimum for Matomo (its system check warns below 64 MB). */
const MAX_ALLOWED_PACKET = "64MB";
/** CNIL-RETENTION-25M: the shortest 25-month span. */
const MAX_EXEMPT_RETENTION_DAYS = 758;

/**
 * A self-hosted Matomo 5 on Docker, hardened for the CNIL exemption from its first start: a
 * private network, MariaDB with a named volume, Matomo from a pinned image with its privacy
 * settings written into `config/common.config.ini.php` before it starts, health checks, restart
 * policy, memory limits, and the HTTP port on loopback unless declared otherwise.
 *
 * It must live in a DockerStack (`MatomoServerStack` is one), never in the reconciling stack. A
 * `MatomoInstance` takes `server.publicUrl`, a plain string, so the two stacks never reference
 * each other: deploy this one first, then `exempt`.
 */
export class MatomoServer extends Construct implements MatomoAddress {
  readonly publicUrl: string;
  /** The validated declaration with its defaults, or undefined when the props are invalid (reported at synth). */
  readonly declaration?: MatomoServerDeclaration;
  readonly valid: boolean;
  /** The text written to config/common.config.ini.php (no secret). */
  readonly configFragment?: string;
  readonly matomoContainer?: Container;
  readonly databaseContainer?: Container;
  /** With `terraformVariables` secrets: the names to export as TF_VAR_<name>. */
  readonly secretVariableNames?: { readonly databasePassword: string; readonly databaseRootPassword: string };

  constructor(scope: Construct, id: string, props: MatomoServerProps) {
    super(scope, id);
    DockerStack.findIn(this);
    this.publicUrl = props.publicUrl;
    if (typeof props.publicUrl === "string" && Token.isUnresolved(props.publicUrl)) {
      // A token would make the reconciling stack read this stack's outputs: it would then need the Docker provider to plan.
      this.valid = false;
      this.node.addValidation({ validate: () => ["publicUrl: expected a plain string known at synth (such as https://stats.example.gouv.fr), found a token"] });
      return;
    }
    const result = MatomoServerDeclaration.safeParse(props, { reportInput: true });
    this.valid = result.success;
    addIssueValidation(this, () => (result.success ? [] : issuesFromZod(MatomoServerDeclaration, result.error.issues, props)));
    if (!result.success) return;

    const d = result.data;
    this.declaration = d;
    const prefix = d.namePrefix ?? id;
    this.warnOnDepartures(d);

    const settings = hardenedSettings(d);
    this.configFragment = renderIni(settings, [
      `Written by Exempt for the Matomo server '${this.node.path}' at each container (re)creation; edit the declaration, not this file.`,
      "Read by Matomo between global.ini.php and config.ini.php: a value written into config.ini.php overrides it.",
    ]);
    const fragmentHash = createHash("sha256").update(this.configFragment).digest("hex");

    // Internal: MariaDB gets no route out and no published port; Matomo reaches it by the alias.
    const backend = new Network(this, "backend-network", { name: `${prefix}-backend`, driver: "bridge", internal: true });
    // Publishing a port needs a network that is not internal; only Matomo joins it.
    const frontend = new Network(this, "frontend-network", { name: `${prefix}-frontend`, driver: "bridge" });
    const lifecycle = { preventDestroy: d.deletionProtection };
    const dbData = new Volume(this, "db-data", { name: `${prefix}-db-data`, lifecycle });
    // Only config/ persists: the rest of the web root is the image's code, copied fresh on each re-creation, so
    // changing the pinned tag upgrades the code; config.ini.php (with the database password the installer writes) stays.
    const configVolume = new Volume(this, "matomo-config", { name: `${prefix}-matomo-config`, lifecycle });
    const dbImage = new Image(this, "mariadb-image", { name: d.mariadbImage, keepLocally: true });
    const matomoImage = new Image(this, "matomo-image", { name: d.matomoImage, keepLocally: true });

    const secrets = this.secretWiring(d, prefix, id);
    this.secretVariableNames = secrets.variableNames;
    const logOpts = { "max-size": `${d.logs.maxSizeMb}m`, "max-file": String(d.logs.maxFiles) };
    const common = {
      restart: d.restart,
      // Containers cannot gain privileges through setuid binaries; both images drop to their service user themselves.
      securityOpts: ["no-new-privileges:true"],
      logDriver: "json-file",
      logOpts,
    };

    this.databaseContainer = new Container(this, "db", {
      ...common,
      name: `${prefix}-db`,
      image: dbImage.imageId,
      // Equal memory and swap limits: no swap on top of the limit.
      memory: d.memoryMb.database,
      memorySwap: d.memoryMb.database,
      env: [
        `MARIADB_DATABASE=${d.database.name}`,
        `MARIADB_USER=${d.database.user}`,
        ...secrets.databaseEnv,
        // A bumped image tag then upgrades the system tables instead of leaving them stale.
        "MARIADB_AUTO_UPGRADE=1",
      ],
      command: [`--max-allowed-packet=${MAX_ALLOWED_PACKET}`],
      networksAdvanced: [{ name: backend.name, aliases: [DB_HOST_ALIAS] }],
      mounts: [{ type: "volume", source: dbData.name, target: "/var/lib/mysql" }, ...secrets.databaseMounts],
      healthcheck: { test: ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"], interval: "10s", timeout: "5s", startPeriod: "60s", retries: 6 },
      // Matomo is created only once the database answers; the first initialisation can take minutes on slow disks.
      wait: true,
      waitTimeout: 300,
      // InnoDB flushes on a clean stop; the default 10 s can cut it short.
      stopTimeout: 60,
      destroyGraceSeconds: 60,
    });

    this.matomoContainer = new Container(this, "matomo", {
      ...common,
      name: `${prefix}-matomo`,
      image: matomoImage.imageId,
      memory: d.memoryMb.matomo,
      memorySwap: d.memoryMb.matomo,
      // The image hands these to Matomo's installer as defaults for the database step.
      env: [
        `MATOMO_DATABASE_HOST=${DB_HOST_ALIAS}`,
        `MATOMO_DATABASE_USERNAME=${d.database.user}`,
        `MATOMO_DATABASE_DBNAME=${d.database.name}`,
        `MATOMO_DATABASE_TABLES_PREFIX=${d.database.tablePrefix}`,
        ...secrets.matomoEnv,
      ],
      networksAdvanced: [{ name: backend.name }, { name: frontend.name }],
      ports: [{ internal: 80, external: d.http.port, ip: d.http.bindAddress, protocol: "tcp" }],
      mounts: [{ type: "volume", source: configVolume.name, target: MATOMO_CONFIG_DIR }, ...secrets.matomoMounts],
      // Copied in after creation and before the first start, so no request is ever served without it. Any change
      // re-creates the container, which writes the new file.
      upload: [{ file: HARDENED_CONFIG_FILE, content: this.configFragment }],
      labels: [{ label: CONFIG_HASH_LABEL, value: fragmentHash }],
      // The tracker endpoint, which is what the sites depend on.
      healthcheck: { test: ["CMD-SHELL", "curl -fsS -o /dev/null http://127.0.0.1/matomo.php || exit 1"], interval: "30s", timeout: "10s", startPeriod: "60s", retries: 3 },
      dependsOn: [this.databaseContainer],
    });

    new TerraformOutput(this, "public_url", { value: d.publicUrl, description: "The URL sites and Exempt's reconciler use" });
    new TerraformOutput(this, "http_binding", { value: `${net.isIPv6(d.http.bindAddress) ? `[${d.http.bindAddress}]` : d.http.bindAddress}:${d.http.port}`, description: "Where the Matomo container's HTTP port is published on the Docker host" });
    new TerraformOutput(this, "config_sha256", { value: fragmentHash, description: `sha256 of ${HARDENED_CONFIG_FILE}, also on the container label ${CONFIG_HASH_LABEL}` });
  }

  private secretWiring(d: MatomoServerDeclaration, prefix: string, id: string) {
    const secrets = d.secrets ?? { files: defaultSecretFiles(id) };
    if (secrets.files) {
      // Only paths reach the JSON and the state; the images read the files at start (their *_FILE variables).
      const pw: ContainerMounts = { type: "bind", source: secrets.files.databasePassword, target: DB_PASSWORD_FILE, readOnly: true };
      const root: ContainerMounts = { type: "bind", source: secrets.files.databaseRootPassword, target: DB_ROOT_PASSWORD_FILE, readOnly: true };
      return {
        databaseEnv: [`MARIADB_PASSWORD_FILE=${DB_PASSWORD_FILE}`, `MARIADB_ROOT_PASSWORD_FILE=${DB_ROOT_PASSWORD_FILE}`],
        databaseMounts: [pw, root],
        // Matomo needs only its own user's password, never root's.
        matomoEnv: [`MATOMO_DATABASE_PASSWORD_FILE=${DB_PASSWORD_FILE}`],
        matomoMounts: [pw],
        variableNames: undefined,
      };
    }
    const base = /^[A-Za-z_]/.test(prefix) ? prefix.replace(/[^A-Za-z0-9_]/g, "_") : `server_${prefix.replace(/[^A-Za-z0-9_]/g, "_")}`;
    const password = this.sensitiveVariable("db_password", `${base}_db_password`, "Password of the Matomo database user");
    const rootPassword = this.sensitiveVariable("db_root_password", `${base}_db_root_password`, "Password of the MariaDB root user");
    return {
      variableNames: { databasePassword: `${base}_db_password`, databaseRootPassword: `${base}_db_root_password` },
      databaseEnv: [`MARIADB_PASSWORD=${password.stringValue}`, `MARIADB_ROOT_PASSWORD=${rootPassword.stringValue}`],
      databaseMounts: [] as ContainerMounts[],
      matomoEnv: [`MATOMO_DATABASE_PASSWORD=${password.stringValue}`],
      matomoMounts: [] as ContainerMounts[],
    };
  }

  private sensitiveVariable(id: string, name: string, description: string): TerraformVariable {
    const variable = new TerraformVariable(this, id, { type: "string", sensitive: true, nullable: false, description: `${description} (export TF_VAR_${name}; stored in this stack's state by the Docker provider)` });
    // A stable name, so TF_VAR_<name> does not depend on cdktf's hashed logical ids.
    variable.overrideLogicalId(name);
    variable.addValidation({ condition: Op.gte(Fn.lengthOf(variable.value), 16), errorMessage: `${name} must be at least 16 characters long` });
    return variable;
  }

  /** Departures from the safe values are allowed (a server may host only consent-mode sites) but never silent. */
  private warnOnDepartures(d: MatomoServerDeclaration): void {
    const warn = (m: string) => Annotations.of(this).addWarning(m);
    const s = d.settings;
    const bind = d.http.bindAddress;
    if (!(bind === "127.0.0.1" || bind === "::1" || bind.startsWith("127.")))
      warn(`http.bindAddress ${bind} publishes Matomo's installer and login beyond the host; put a TLS reverse proxy in front and keep the binding on loopback`);
    const url = new URL(d.publicUrl);
    if (url.protocol === "http:" && !["localhost", "127.0.0.1", "[::1]"].includes(url.hostname))
      warn(`publicUrl ${d.publicUrl} is plain http: logins, tokens and tracking requests travel in clear`);
    if (url.protocol === "https:" && d.reverseProxy === false)
      warn("publicUrl is https but reverseProxy is false: the container serves plain HTTP only, so something must terminate TLS in front of it (declare it as reverseProxy)");
    // Each of these breaks a CNIL condition for every site on the server.
    const cnilDepartures: [boolean, string][] = [
      [s.fingerprintingAcrossWebsites, "settings.fingerprintingAcrossWebsites breaks CNIL-NO-CROSS-SITE-ID"],
      [s.thirdPartyIdCookie, "settings.thirdPartyIdCookie breaks CNIL-NO-THIRD-PARTY-COOKIE"],
      [s.userIdOverwritesVisitorId, "settings.userIdOverwritesVisitorId weakens CNIL-NO-USERID"],
      [s.uniqueVisitorsAcrossSites, "settings.uniqueVisitorsAcrossSites breaks CNIL-NO-CROSS-SITE-ID (unique visitors across sites)"],
      [s.visitorLog, "settings.visitorLog turns on visit-level views (CNIL-AGGREGATE-ONLY)"],
      [s.anonymousSegments, "settings.anonymousSegments lets anonymous users segment (CNIL-AGGREGATE-ONLY)"],
      [s.campaignTracking, "settings.campaignTracking turns on campaign attribution (CNIL-NO-MARKETING)"],
      [s.rawDataRetentionDays === "unlimited" || s.rawDataRetentionDays > MAX_EXEMPT_RETENTION_DAYS, `settings.rawDataRetentionDays ${s.rawDataRetentionDays} is beyond CNIL-RETENTION-25M (at most ${MAX_EXEMPT_RETENTION_DAYS} days)`],
    ];
    for (const [on, message] of cnilDepartures) if (on) warn(`${message} for every site on this server; only consent-mode sites should be measured here`);
    const securityDepartures: [boolean, string][] = [
      [s.insecureAuthTokens, "settings.insecureAuthTokens accepts API tokens in URLs, where logs and Referer headers keep them"],
      [s.internetFeatures, "settings.internetFeatures turns on the Marketplace (heatmap, A/B and marketing plugins) and outbound calls"],
      [s.pluginInstallsFromUi, "settings.pluginInstallsFromUi lets plugins be installed from the UI: the running code is no longer the pinned image the evidence describes"],
    ];
    for (const [on, message] of securityDepartures) if (on) warn(message);
    if (d.secrets?.terraformVariables)
      Annotations.of(this).addInfo("secrets.terraformVariables: the Docker provider stores the database passwords in this stack's state in plain text; keep that state encrypted and apart");
  }
}

/** A DockerStack holding one MatomoServer whose construct id, and so its Docker name prefix by default, is the stack's id. */
export class MatomoServerStack extends DockerStack {
  readonly server: MatomoServer;

  constructor(scope: Construct, id = "matomo-server", props: MatomoServerStackProps) {
    const { dockerHost, backend, ...serverProps } = props;
    super(scope, id, { dockerHost, backend });
    this.server = new MatomoServer(this, id, serverProps);
  }

  get publicUrl(): string {
    return this.server.publicUrl;
  }
}

/**
 * The server stacks of an exempt.yaml (`servers:`), one per key, named by the key. main.ts loads
 * this module only when the file declares a server, so a configuration without one never loads
 * the Docker provider.
 */
export function serverStacksFromConfig(scope: Construct, loaded: LoadedConfig): MatomoServerStack[] {
  return Object.entries(loaded.config.servers ?? {}).map(([key, entry]) => {
    const { dockerHost, terraform, ...server } = entry;
    return new MatomoServerStack(scope, key, { ...(server as unknown as MatomoServerProps), dockerHost, backend: terraform?.backend });
  });
}
