import * as fs from "node:fs";
import * as path from "node:path";
import { App, Testing, TerraformStack } from "../../constructs/cdk";
import { ExemptStack, MatomoInstance, MatomoSite, stackFromConfig } from "../../constructs";
import { DockerStack, MatomoServer, MatomoServerStack, serverStacksFromConfig } from "../../constructs/matomo-server";
import type { MatomoServerStackProps } from "../../constructs/matomo-server";
import { parseConfigText, loadConfigFile } from "../../model/loader";
import { ConfigError } from "../../model/errors";
import { buildSelfHostedExample } from "../../examples/self-hosted";

/** A value that must never appear in any synthesised file. */
const CANARY = "canary-Sup3rS3cret-7f1d9e";

const base: MatomoServerStackProps = { publicUrl: "https://stats.example.gouv.fr" };

function synthServer(props: Partial<MatomoServerStackProps> = {}, id = "matomo-server"): { json: any; stack: MatomoServerStack; app: App } {
  const app = Testing.app();
  const stack = new MatomoServerStack(app, id, { ...base, ...props });
  return { json: JSON.parse(Testing.synth(stack)), stack, app };
}

function resources(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

function container(json: any, role: "db" | "matomo"): any {
  const found = resources(json, "docker_container").find((c) => c.name.endsWith(`-${role}`));
  if (!found) throw new Error(`no ${role} container`);
  return found;
}

function configFile(json: any): string {
  return container(json, "matomo").upload[0].content;
}

/** The lines `key = value` (or `key[] = value`) of one ini section. */
function iniSection(text: string, section: string): string[] {
  const start = text.split("\n").indexOf(`[${section}]`);
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of text.split("\n").slice(start + 1)) {
    if (line.startsWith("[")) break;
    if (line && !line.startsWith(";")) out.push(line);
  }
  return out;
}

function validationErrors(stack: TerraformStack): string {
  try {
    Testing.synth(stack, true);
    return "";
  } catch (err) {
    return (err as Error).message;
  }
}

function warningsOf(scope: MatomoServer): string[] {
  return scope.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
}

function readTree(dir: string): string {
  let text = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    text += entry.isDirectory() ? readTree(p) : fs.readFileSync(p, "utf8");
  }
  return text;
}

describe("MatomoServer: the Docker resources", () => {
  it("puts MariaDB on an internal network only, reachable from Matomo by the alias db", () => {
    const { json } = synthServer();
    const networks = resources(json, "docker_network");
    const backend = networks.find((n) => n.name === "matomo-server-backend");
    const frontend = networks.find((n) => n.name === "matomo-server-frontend");
    expect(backend).toMatchObject({ internal: true, driver: "bridge" });
    expect(frontend.internal).toBeUndefined();
    const db = container(json, "db");
    expect(db.networks_advanced).toEqual([{ name: "${docker_network.matomo-server_backend-network_46B2A1ED.name}", aliases: ["db"] }]);
    expect(db.ports).toBeUndefined();
    expect(container(json, "matomo").networks_advanced.map((n: any) => n.name)).toEqual([
      "${docker_network.matomo-server_backend-network_46B2A1ED.name}",
      "${docker_network.matomo-server_frontend-network_7B2E0065.name}",
    ]);
    expect(container(json, "matomo").env).toContain("MATOMO_DATABASE_HOST=db");
  });

  it("keeps the database and Matomo's config/ folder on named volumes, protected from destroy by default", () => {
    const { json } = synthServer();
    const volumes = resources(json, "docker_volume");
    expect(volumes.map((v) => v.name).sort()).toEqual(["matomo-server-db-data", "matomo-server-matomo-config"]);
    for (const v of volumes) expect(v.lifecycle).toEqual({ prevent_destroy: true });
    expect(container(json, "db").mounts).toContainEqual({ type: "volume", source: "${docker_volume.matomo-server_db-data_3114CAD0.name}", target: "/var/lib/mysql" });
    expect(container(json, "matomo").mounts).toContainEqual({ type: "volume", source: "${docker_volume.matomo-server_matomo-config_C6394755.name}", target: "/var/www/html/config" });
  });

  it("lets the volumes be destroyed only when deletionProtection is false", () => {
    const { json } = synthServer({ deletionProtection: false });
    for (const v of resources(json, "docker_volume")) expect(v.lifecycle).toEqual({ prevent_destroy: false });
  });

  it("runs pinned images: Matomo 5 (Apache) and MariaDB, each at one release", () => {
    const { json } = synthServer();
    expect(resources(json, "docker_image").map((i) => i.name).sort()).toEqual(["mariadb:11.4.5", "matomo:5.10.1-apache"]);
    expect(container(json, "matomo").image).toBe("${docker_image.matomo-server_matomo-image_D9689CD7.image_id}");
    expect(container(json, "db").image).toBe("${docker_image.matomo-server_mariadb-image_758D2B5F.image_id}");
  });

  it("accepts a digest beside the tag", () => {
    const digest = "sha256:" + "a".repeat(64);
    const { json, stack } = synthServer({ matomoImage: `registry.example.gouv.fr/mirror/matomo:5.10.1-apache@${digest}` });
    expect(resources(json, "docker_image").map((i) => i.name)).toContain(`registry.example.gouv.fr/mirror/matomo:5.10.1-apache@${digest}`);
    expect(validationErrors(stack)).toBe("");
  });

  it.each([
    ["matomo", "explicit release tag"],
    ["matomo:latest", "not pinned to one release"],
    ["matomo:5", "not pinned to one release"],
    ["matomo:5.10", "not pinned to one release"],
    ["matomo:5.10.1-fpm", "not pinned to one release"],
    ["matomo:4.16.1-apache", "not pinned to one release"],
  ])("refuses the floating or unsupported Matomo image %s, naming the construct and the field", (image, message) => {
    const app = Testing.app();
    const stack = new MatomoServerStack(app, "matomo-server", { ...base, matomoImage: image });
    const errors = validationErrors(stack);
    expect(errors).toContain("[matomo-server/matomo-server] matomoImage:");
    expect(errors).toContain(message);
  });

  it("refuses a MariaDB image without a full release tag", () => {
    const app = Testing.app();
    const errors = validationErrors(new MatomoServerStack(app, "matomo-server", { ...base, mariadbImage: "mariadb:11" }));
    expect(errors).toContain("mariadbImage: the MariaDB image tag '11' is not pinned to one release");
  });

  it("checks both containers' health: MariaDB's own script, and Matomo's tracker endpoint", () => {
    const { json } = synthServer();
    expect(container(json, "db").healthcheck).toMatchObject({ test: ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"], interval: "10s", retries: 6 });
    expect(container(json, "matomo").healthcheck).toMatchObject({ test: ["CMD-SHELL", "curl -fsS -o /dev/null http://127.0.0.1/matomo.php || exit 1"], interval: "30s" });
  });

  it("creates Matomo only once MariaDB reports healthy", () => {
    const { json } = synthServer();
    expect(container(json, "db")).toMatchObject({ wait: true, wait_timeout: 300 });
    expect(container(json, "matomo").depends_on).toEqual(["docker_container.matomo-server_db_5A8E6666"]);
  });

  it("restarts both containers unless stopped, by default and as declared", () => {
    expect(container(synthServer().json, "db").restart).toBe("unless-stopped");
    expect(container(synthServer().json, "matomo").restart).toBe("unless-stopped");
    expect(container(synthServer({ restart: "always" }).json, "matomo").restart).toBe("always");
  });

  it("limits memory, without swap on top, to 1 GB per container unless declared", () => {
    const { json } = synthServer();
    expect(container(json, "db")).toMatchObject({ memory: 1024, memory_swap: 1024 });
    expect(container(json, "matomo")).toMatchObject({ memory: 1024, memory_swap: 1024 });
    expect(container(synthServer({ memoryMb: { matomo: 2048 } }).json, "matomo")).toMatchObject({ memory: 2048, memory_swap: 2048 });
  });

  it("publishes Matomo's HTTP port on loopback by default", () => {
    const { json } = synthServer();
    expect(container(json, "matomo").ports).toEqual([{ internal: 80, external: 8080, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(json.output["matomo-server_http_binding_471CD542"].value).toBe("127.0.0.1:8080");
  });

  it("publishes on the declared address and port, with a warning when that leaves loopback", () => {
    const { json, stack } = synthServer({ http: { bindAddress: "0.0.0.0", port: 8443 } });
    expect(container(json, "matomo").ports).toEqual([{ internal: 80, external: 8443, ip: "0.0.0.0", protocol: "tcp" }]);
    const warnings = warningsOf(stack.server);
    expect(warnings.join("\n")).toContain("http.bindAddress 0.0.0.0 publishes Matomo's installer and login beyond the host");
  });

  it("refuses a bind address that is not an IP address", () => {
    const errors = validationErrors(new MatomoServerStack(Testing.app(), "matomo-server", { ...base, http: { bindAddress: "localhost" } }));
    expect(errors).toContain("http.bindAddress: expected an IPv4 or IPv6 address");
  });

  it("bounds the containers' logs, which hold tracking request URLs", () => {
    const { json } = synthServer();
    for (const role of ["db", "matomo"] as const) expect(container(json, role)).toMatchObject({ log_driver: "json-file", log_opts: { "max-size": "10m", "max-file": "3" } });
  });

  it("names every Docker object after the server, or after the declared prefix", () => {
    const { json } = synthServer({ namePrefix: "stats" });
    expect(resources(json, "docker_container").map((c) => c.name).sort()).toEqual(["stats-db", "stats-matomo"]);
    expect(resources(json, "docker_network").map((c) => c.name).sort()).toEqual(["stats-backend", "stats-frontend"]);
  });
});

describe("MatomoServer: the hardened configuration written into the container", () => {
  it("writes config/common.config.ini.php into the Matomo container before its first start", () => {
    const { json } = synthServer();
    const upload = container(json, "matomo").upload;
    expect(upload).toHaveLength(1);
    expect(upload[0].file).toBe("/var/www/html/config/common.config.ini.php");
    expect(upload[0].content.split("\n")[0]).toBe("; <?php exit; ?> DO NOT REMOVE THIS LINE");
  });

  it("sets the settings of matomo-api.md section 6 to their safe values by default", () => {
    const text = configFile(synthServer().json);
    expect(iniSection(text, "Tracker")).toEqual(expect.arrayContaining(["enable_fingerprinting_across_websites = 0", "use_third_party_id_cookie = 0", "enable_userid_overwrites_visitorid = 0"]));
    expect(iniSection(text, "General")).toEqual(
      expect.arrayContaining([
        "only_allow_secure_auth_tokens = 1",
        "enable_processing_unique_visitors_multiple_sites = 0",
        "anonymous_user_enable_use_segments_API = 0",
        "enable_internet_features = 0",
        "multi_server_environment = 1",
        "enable_plugin_upload = 0",
        'trusted_hosts[] = "stats.example.gouv.fr"',
        "force_ssl = 1",
        "assume_secure_protocol = 1",
        'proxy_client_headers[] = "HTTP_X_FORWARDED_FOR"',
      ]),
    );
    expect(iniSection(text, "Live")).toEqual(["disable_visitor_log = 1", "disable_visitor_profile = 1"]);
    expect(iniSection(text, "Deletelogs")).toEqual(["delete_logs_enable = 1", "delete_logs_older_than = 750"]);
  });

  it("neutralises campaign attribution and strips campaign parameters from stored URLs, keeping Matomo's own list", () => {
    const tracker = iniSection(configFile(synthServer().json), "Tracker");
    expect(tracker).toContain('campaign_var_name = "exempt_campaign_tracking_off"');
    const excluded = tracker.find((l) => l.startsWith("url_query_parameter_to_exclude_from_url"))!;
    for (const p of ["utm_campaign", "mtm_campaign", "gclid", "fbclid", "pk_vid"]) expect(excluded).toContain(p);
  });

  it("says above each setting which CNIL rule it serves or why it is there", () => {
    const lines = configFile(synthServer().json).split("\n");
    lines.forEach((line, i) => {
      if (/^[A-Za-z_]+(\[\])? = /.test(line) && !lines[i - 1].startsWith(";")) {
        // Array entries share their first line's comment.
        expect(lines[i - 1].split(" = ")[0]).toBe(line.split(" = ")[0]);
      }
    });
    const text = lines.join("\n");
    for (const rule of ["CNIL-NO-CROSS-SITE-ID", "CNIL-NO-THIRD-PARTY-COOKIE", "CNIL-NO-USERID", "CNIL-AGGREGATE-ONLY", "CNIL-RETENTION-25M", "CNIL-NO-MARKETING", "CNIL-NO-HSR"]) expect(text).toContain(rule);
  });

  it("changes a setting only when the declaration writes it, and warns about the departure", () => {
    const { json, stack } = synthServer({ settings: { thirdPartyIdCookie: true, rawDataRetentionDays: 400 } });
    const text = configFile(json);
    expect(iniSection(text, "Tracker")).toContain("use_third_party_id_cookie = 1");
    expect(iniSection(text, "Tracker")).toContain("enable_fingerprinting_across_websites = 0");
    expect(iniSection(text, "Deletelogs")).toContain("delete_logs_older_than = 400");
    const warnings = warningsOf(stack.server);
    expect(warnings.join("\n")).toContain("CNIL-NO-THIRD-PARTY-COOKIE");
  });

  it("labels the container with the file's sha256, which also changes the container when the file changes", () => {
    const a = container(synthServer().json, "matomo");
    const b = container(synthServer({ settings: { visitorLog: true } }).json, "matomo");
    expect(a.labels[0].label).toBe("org.exempt.matomo-config-sha256");
    expect(a.labels[0].value).toMatch(/^[0-9a-f]{64}$/);
    expect(a.labels[0].value).not.toBe(b.labels[0].value);
  });

  it("turns the installer off once the declaration says so", () => {
    expect(iniSection(configFile(synthServer().json), "General")).toContain("enable_installer = 1");
    expect(iniSection(configFile(synthServer({ settings: { installer: false } }).json), "General")).toContain("enable_installer = 0");
  });

  it("reads the visitor's address from the proxy by default, and not at all when reverseProxy is false", () => {
    const text = configFile(synthServer({ reverseProxy: false }).json);
    expect(text).not.toContain("proxy_client_headers");
    expect(text).not.toContain("assume_secure_protocol");
  });

  it("adds other settings by section, but refuses credential sections and the settings it manages", () => {
    const { json } = synthServer({ additionalSettings: { General: { login_allowlist_ip: ["192.0.2.0/24"] } } });
    expect(iniSection(configFile(json), "General")).toContain('login_allowlist_ip[] = "192.0.2.0/24"');
    const errors = validationErrors(
      new MatomoServerStack(Testing.app(), "matomo-server", { ...base, additionalSettings: { database: { password: CANARY }, Tracker: { use_third_party_id_cookie: true } } }),
    );
    expect(errors).toContain("additionalSettings.database: the [database] section holds credentials");
    expect(errors).toContain("additionalSettings.Tracker.use_third_party_id_cookie: [Tracker] use_third_party_id_cookie is managed through `settings`");
    expect(errors).not.toContain(CANARY);
  });
});

describe("MatomoServer: secrets", () => {
  const saved = { ...process.env };
  beforeEach(() => {
    // Whatever the environment holds at synth must not be copied anywhere.
    process.env.TF_VAR_matomo_server_db_password = CANARY;
    process.env.TF_VAR_matomo_server_db_root_password = CANARY;
    process.env.MATOMO_DATABASE_PASSWORD = CANARY;
    process.env.MARIADB_PASSWORD = CANARY;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it("mounts password files read-only and passes only their paths (Matomo gets only its own user's)", () => {
    const { json, app } = synthServer();
    const db = container(json, "db");
    expect(db.env).toEqual(expect.arrayContaining(["MARIADB_PASSWORD_FILE=/run/secrets/exempt-db-password", "MARIADB_ROOT_PASSWORD_FILE=/run/secrets/exempt-db-root-password"]));
    expect(db.mounts).toContainEqual({ type: "bind", source: "/etc/exempt/matomo-server/db-password", target: "/run/secrets/exempt-db-password", read_only: true });
    const matomo = container(json, "matomo");
    expect(matomo.env).toContain("MATOMO_DATABASE_PASSWORD_FILE=/run/secrets/exempt-db-password");
    expect(JSON.stringify(matomo)).not.toContain("root-password");
    app.synth();
    expect(readTree(app.outdir)).not.toContain(CANARY);
  });

  it("with terraformVariables, references sensitive variables and writes no value anywhere", () => {
    const { json, stack, app } = synthServer({ secrets: { terraformVariables: true } });
    expect(json.variable.matomo_server_db_password).toMatchObject({ type: "string", sensitive: true, nullable: false });
    expect(json.variable.matomo_server_db_root_password).toMatchObject({ type: "string", sensitive: true, nullable: false });
    expect(json.variable.matomo_server_db_password.default).toBeUndefined();
    expect(container(json, "db").env).toEqual(expect.arrayContaining(["MARIADB_PASSWORD=${var.matomo_server_db_password}", "MARIADB_ROOT_PASSWORD=${var.matomo_server_db_root_password}"]));
    expect(container(json, "matomo").env).toContain("MATOMO_DATABASE_PASSWORD=${var.matomo_server_db_password}");
    expect(stack.server.secretVariableNames).toEqual({ databasePassword: "matomo_server_db_password", databaseRootPassword: "matomo_server_db_root_password" });
    app.synth();
    expect(readTree(app.outdir)).not.toContain(CANARY);
  });

  it("refuses a secret typed where a file path belongs, without repeating it", () => {
    const errors = validationErrors(
      new MatomoServerStack(Testing.app(), "matomo-server", { ...base, secrets: { files: { databasePassword: CANARY, databaseRootPassword: "/etc/exempt/root" } } }),
    );
    expect(errors).toContain("[matomo-server/matomo-server] secrets.files.databasePassword: expected the absolute path of a file on the Docker host");
    expect(errors).toContain("never the secret itself");
    expect(errors).not.toContain(CANARY);
  });
});

describe("MatomoServer: stacks and state", () => {
  it("keeps its state in state/matomo-server.tfstate, apart from the reconciling stack's", () => {
    const app = Testing.app();
    const server = new MatomoServerStack(app, "matomo-server", base);
    const sites = new ExemptStack(app, "exempt");
    new MatomoSite(new MatomoInstance(sites, "stats", { url: server.publicUrl, auth: { tokenEnv: "MATOMO_TOKEN" } }), "www", { name: "Portail", urls: ["https://www.example.gouv.fr"] });
    expect(JSON.parse(Testing.synth(server)).terraform.backend).toEqual({ local: { path: "../../../state/matomo-server.tfstate" } });
    expect(JSON.parse(Testing.synth(sites)).terraform.backend).toEqual({ local: { path: "../../../state/exempt.tfstate" } });
  });

  it("refuses a local state file that another stack already uses", () => {
    const app = Testing.app();
    new ExemptStack(app, "exempt");
    const server = new MatomoServerStack(app, "matomo-server", { ...base, backend: { local: { path: path.join(app.outdir, "..", "state", "exempt.tfstate") } } });
    expect(validationErrors(server)).toContain("is also stack 'exempt''s");
  });

  it("leaves the reconciling stack without the Docker provider or any reference to the server stack", () => {
    const app = Testing.app();
    const { server, sites } = buildSelfHostedExample(app, {});
    const exemptJson = JSON.parse(Testing.synth(sites));
    expect(exemptJson.provider).toBeUndefined();
    expect(exemptJson.terraform.required_providers).toBeUndefined();
    expect(exemptJson.data).toBeUndefined(); // no terraform_remote_state
    expect(Object.keys(exemptJson.resource)).toEqual(["terraform_data"]);
    expect(JSON.stringify(exemptJson)).not.toContain("docker");
    expect(JSON.parse(Testing.synth(server)).provider).toEqual({ docker: [{}] });
    expect(validationErrors(sites)).toBe("");
    expect(validationErrors(server)).toBe("");
  });

  it("hands the server's public URL to the instance as a plain string", () => {
    const app = Testing.app();
    const { server, sites } = buildSelfHostedExample(app, {});
    app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", "exempt", "exempt-manifest.json"), "utf8"));
    expect(manifest.config.instances.stats.url).toBe("https://stats.example.gouv.fr");
    expect(server.publicUrl).toBe("https://stats.example.gouv.fr");
    expect(sites.node.id).toBe("exempt");
  });

  it("refuses a publicUrl that is a token, which would tie the reconciling stack to this one", () => {
    const app = Testing.app();
    const stack = new DockerStack(app, "docker");
    const other = new MatomoServer(stack, "a", base);
    new MatomoServer(stack, "b", { publicUrl: (other.matomoContainer as any).name });
    expect(validationErrors(stack)).toContain("publicUrl: expected a plain string known at synth");
  });

  it("talks to the declared Docker host, and refuses one that is not a Docker URL", () => {
    expect(JSON.parse(Testing.synth(new MatomoServerStack(Testing.app(), "matomo-server", { ...base, dockerHost: "ssh://deploy@stats-host" }))).provider).toEqual({ docker: [{ host: "ssh://deploy@stats-host" }] });
    expect(validationErrors(new MatomoServerStack(Testing.app(), "matomo-server", { ...base, dockerHost: "stats-host" }))).toContain("[matomo-server] dockerHost: expected a Docker host");
  });

  it("holds several servers in one DockerStack when their prefixes differ", () => {
    const stack = new DockerStack(Testing.app(), "docker");
    new MatomoServer(stack, "stats", base);
    new MatomoServer(stack, "stats-test", { ...base, publicUrl: "https://stats-test.example.gouv.fr", http: { port: 8081 }, secrets: { terraformVariables: true } });
    const json = JSON.parse(Testing.synth(stack));
    expect(resources(json, "docker_container").map((c) => c.name).sort()).toEqual(["stats-db", "stats-matomo", "stats-test-db", "stats-test-matomo"]);
    expect(Object.keys(json.variable)).toEqual(["stats_test_db_password", "stats_test_db_root_password"]);
    expect(validationErrors(stack)).toBe("");
  });

  it("must be declared inside a DockerStack", () => {
    const app = Testing.app();
    expect(() => new MatomoServer(new ExemptStack(app, "exempt"), "stats", base)).toThrow("a MatomoServer must be declared inside a DockerStack");
  });

  it("refuses a non-https-or-http public URL and a plain-http one draws a warning", () => {
    expect(validationErrors(new MatomoServerStack(Testing.app(), "matomo-server", { publicUrl: "ftp://stats.example.gouv.fr" }))).toContain("publicUrl:");
    const { stack } = synthServer({ publicUrl: "http://stats.example.gouv.fr" });
    expect(stack.server.node.metadata.map((m) => String(m.data)).join("\n")).toContain("is plain http");
  });
});

describe("exempt.yaml: servers", () => {
  const yaml = (extra = "", instance = "    server: matomo-server\n") => `servers:
  matomo-server:
    publicUrl: https://stats.example.gouv.fr
${extra}instances:
  stats:
    kind: matomo
${instance}    auth: { tokenEnv: MATOMO_TOKEN }
    sites:
      www: { name: Portail, urls: [https://www.example.gouv.fr] }
`;

  it("builds one Docker stack per server, named by its key, and gives the instance the server's URL", () => {
    const loaded = parseConfigText(yaml(), "exempt.yaml", { env: {} });
    expect(loaded.config.instances.stats.url).toBe("https://stats.example.gouv.fr");
    expect("server" in loaded.config.instances.stats).toBe(false);
    const app = Testing.app();
    const sites = stackFromConfig(app, loaded, { today: "2026-11-25" });
    const [server] = serverStacksFromConfig(app, loaded);
    expect(server.node.id).toBe("matomo-server");
    const json = JSON.parse(Testing.synth(server));
    expect(json.terraform.backend.local.path).toBe("../../../state/matomo-server.tfstate");
    expect(resources(json, "docker_container").map((c) => c.name).sort()).toEqual(["matomo-server-db", "matomo-server-matomo"]);
    expect(JSON.stringify(JSON.parse(Testing.synth(sites)))).not.toContain("docker");
  });

  it("keeps a url the instance declares itself", () => {
    const loaded = parseConfigText(yaml("", "    server: matomo-server\n    url: https://matomo.internal.example.gouv.fr\n"), "exempt.yaml", { env: {} });
    expect(loaded.config.instances.stats.url).toBe("https://matomo.internal.example.gouv.fr");
  });

  it("locates a reference to an undeclared server", () => {
    const text = yaml("", "    server: stat-server\n");
    expect(() => parseConfigText(text, "exempt.yaml", { env: {} })).toThrow(ConfigError);
    try {
      parseConfigText(text, "exempt.yaml", { env: {} });
    } catch (err) {
      const issue = (err as ConfigError).issues.find((i) => i.path === "instances.stats.server")!;
      expect(issue.message).toBe("'stat-server' is not a server declared under `servers:` (servers: matomo-server)");
      expect(issue.location).toMatchObject({ file: "exempt.yaml", line: 7 });
    }
  });

  it("validates servers with the same schema as the construct, with YAML locations", () => {
    try {
      parseConfigText(yaml("    matomoImage: matomo:latest\n"), "exempt.yaml", { env: {} });
      throw new Error("expected a ConfigError");
    } catch (err) {
      const issue = (err as ConfigError).issues.find((i) => i.path === "servers.matomo-server.matomoImage")!;
      expect(issue.message).toContain("not pinned to one release");
      expect(issue.location?.line).toBe(4);
    }
  });

  it("refuses `exempt` as a server key: it is the reconciling stack's name", () => {
    const text = yaml().replace("  matomo-server:", "  exempt:").replace("server: matomo-server", "server: exempt");
    expect(() => parseConfigText(text, "exempt.yaml", { env: {} })).toThrow("'exempt' is the reconciling stack's name");
  });

  it("never repeats a secret typed where a password file path belongs", () => {
    const text = yaml(`    secrets:\n      files: { databasePassword: ${CANARY}, databaseRootPassword: /etc/exempt/root }\n`);
    try {
      parseConfigText(text, "exempt.yaml", { env: {} });
      throw new Error("expected a ConfigError");
    } catch (err) {
      expect((err as ConfigError).message).toContain("servers.matomo-server.secrets");
      expect((err as ConfigError).message).not.toContain(CANARY);
    }
  });

  it("loads the committed example, whose stacks synthesise", () => {
    const loaded = loadConfigFile(path.join(__dirname, "..", "..", "examples", "self-hosted.yaml"), { env: {} });
    const app = Testing.app();
    const sites = stackFromConfig(app, loaded);
    const [server] = serverStacksFromConfig(app, loaded);
    expect(validationErrors(server)).toBe("");
    expect(validationErrors(sites)).toBe("");
  });

  it("changes nothing for a file without servers", () => {
    const loaded = parseConfigText(yaml().replace(/^servers:[\s\S]*?instances:/m, "instances:").replace("    server: matomo-server\n", "    url: https://stats.example.gouv.fr\n"), "exempt.yaml", { env: {} });
    expect(loaded.config.servers).toBeUndefined();
    expect(serverStacksFromConfig(Testing.app(), loaded)).toEqual([]);
  });
});
