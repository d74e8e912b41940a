import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { baseEnv, REPO } from "../support/cli";
import { EXAMPLE_FLEET, rawMatomo, startTestMatomo, TestMatomo, writeCalls } from "../support/matomo";
import { writeFile } from "../support/tmp";

/** The real `cdktf deploy` (Terraform 1.11, built-in terraform_data only) against the emulator. */
function cdktf(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(REPO, "node_modules", ".bin", "cdktf"), args, { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

function readAll(dir: string): string {
  if (!fs.existsSync(dir)) return "";
  let text = "";
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) text += e.name === ".terraform" ? "" : readAll(p);
    else text += fs.readFileSync(p, "utf8");
  }
  return text;
}

describe("cdktf deploy", () => {
  let matomo: TestMatomo;
  // Inside the project, like a user's cdktf.out: the local-exec's relative path then stays in the project.
  const work = path.join(REPO, "test-artifacts", `deploy-${process.pid}`);
  const outdir = path.join(work, "cdktf.out");
  const config = path.join(work, "exempt.yaml");
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    matomo = await startTestMatomo();
    writeFile(work, "exempt.yaml", EXAMPLE_FLEET());
    env = { ...baseEnv(), ...matomo.env, EXEMPT_CONFIG: config, EXEMPT_LOCK_DIR: path.join(work, "locks") };
  });
  afterAll(async () => {
    await matomo.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("creates every declared site through the terraform_data's local-exec, and no secret reaches cdktf.out, the state or Terraform's output", async () => {
    const r = await cdktf(["deploy", "exempt", "--auto-approve", "--output", outdir], env);
    expect(r.code).toBe(0);
    expect(r.output).toContain("Apply complete! Resources: 1 added");
    const creates = writeCalls(matomo.emulator).filter((c) => c.method === "SitesManager.addSite");
    expect(creates.map((c) => c.params.siteName).sort()).toEqual(["Boutique", "Démarches", "Portail"]);
    const state = path.join(work, "state", "exempt.tfstate");
    expect(fs.existsSync(state)).toBe(true);
    for (const secret of [matomo.token, matomo.password]) {
      expect(readAll(outdir)).not.toContain(secret);
      expect(fs.readFileSync(state, "utf8")).not.toContain(secret);
      expect(r.output).not.toContain(secret);
    }
  }, 90_000);

  it("after a change to one site, a new deploy writes that site and no other", async () => {
    const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: matomo.token });
    matomo.emulator.resetCalls();
    writeFile(work, "exempt.yaml", EXAMPLE_FLEET().replace("name: Boutique", "name: Boutique en ligne"));
    const r = await cdktf(["deploy", "exempt", "--auto-approve", "--output", outdir], env);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/1 added, 0 changed, 1 destroyed/);
    const shop = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url: "https://boutique.example.gouv.fr" });
    const siteWrites = writeCalls(matomo.emulator).filter((c) => c.params.idSite !== undefined || c.method === "SitesManager.addSite");
    expect(siteWrites.map((c) => [c.method, String(c.params.idSite)])).toEqual([["SitesManager.updateSite", String(shop[0].idsite)]]);
    expect(ids.length).toBe(4);
    // The destroy-time provisioner of the replaced resource only logs.
    expect(r.output).toContain("no live site, container, access grant or data is deleted");
  }, 90_000);

  it("a deploy with no change runs no reconcile at all", async () => {
    matomo.emulator.resetCalls();
    const r = await cdktf(["deploy", "exempt", "--auto-approve", "--output", outdir], env);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/No changes/);
    expect(matomo.emulator.calls).toEqual([]);
  }, 90_000);

  it("cdktf destroy leaves the instance untouched and says so", async () => {
    matomo.emulator.resetCalls();
    const r = await cdktf(["destroy", "exempt", "--auto-approve", "--output", outdir], env);
    expect(r.code).toBe(0);
    expect(r.output).toContain("no live site, container, access grant or data is deleted");
    expect(writeCalls(matomo.emulator)).toEqual([]);
    const sites = await rawMatomo(matomo.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: matomo.token });
    expect(sites).toHaveLength(4);
  }, 90_000);
});

describe("cdktf deploy of a Piwik PRO account", () => {
  it("creates the declared apps and publishes their tags through the local-exec, with no secret in the state or the output", async () => {
    const { startValidatedPiwikPro } = await import("../support/piwikpro");
    const pp = await startValidatedPiwikPro();
    const work = path.join(REPO, "test-artifacts", `deploy-pp-${process.pid}`);
    fs.mkdirSync(work, { recursive: true });
    try {
      writeFile(
        work,
        "exempt.yaml",
        `instances:\n  cloud:\n    kind: piwikpro\n    url: \${PIWIKPRO_URL}\n    auth: { clientIdEnv: PIWIKPRO_CLIENT_ID, clientSecretEnv: PIWIKPRO_CLIENT_SECRET }\n    sites:\n      mag:\n        name: Le magazine\n        urls: [https://magazine.example.fr]\n        tags:\n          analytics: { name: Piwik PRO, template: piwik }\n`,
      );
      const env = { ...baseEnv(), PIWIKPRO_URL: pp.url, PIWIKPRO_CLIENT_ID: pp.clientId, PIWIKPRO_CLIENT_SECRET: pp.clientSecret, EXEMPT_CONFIG: path.join(work, "exempt.yaml"), EXEMPT_LOCK_DIR: path.join(work, "locks") };
      const r = await cdktf(["deploy", "exempt", "--auto-approve", "--output", path.join(work, "cdktf.out")], env);
      expect(r.code).toBe(0);
      const [appId] = pp.emulator.state.appIds();
      expect(pp.emulator.state.app(appId)).toMatchObject({ name: "Le magazine", excludeUnknownUrls: true });
      expect(pp.emulator.state.publishedTags(appId).map((t) => t.attributes.consent_type)).toEqual(["analytics"]);
      expect(r.output).not.toContain(pp.clientSecret);
      expect(readAll(path.join(work, "cdktf.out"))).not.toContain(pp.clientSecret);
      expect(fs.readFileSync(path.join(work, "state", "exempt.tfstate"), "utf8")).not.toContain(pp.clientSecret);
    } finally {
      await pp.close();
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 90_000);
});
