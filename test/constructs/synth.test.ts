import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { App, Testing } from "../../constructs/cdk";
import { ExemptStack, MatomoInstance, MatomoSite, PiwikProApp, PiwikProInstance, stackFromConfig } from "../../constructs";
import { parseConfigText } from "../../model/loader";
import { parseManifest } from "../../model/manifest";
import { baseEnv, REPO } from "../support/cli";
import { tempDir, writeFile } from "../support/tmp";

/** Synth output inside the project, as `cdktf.out` is for a user: the apply command's relative path then stays in the project. */
function projectOutdir(): string {
  const dir = path.join(REPO, "test-artifacts", `synth-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  fs.mkdirSync(dir, { recursive: true });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Real `cdktf synth` of a YAML file into a folder of its own. */
function cdktfSynth(configFile: string, outdir: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(REPO, "node_modules", ".bin", "cdktf"), ["synth", "--output", outdir], {
      cwd: REPO,
      env: { ...baseEnv(), EXEMPT_CONFIG: configFile, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

function readTree(dir: string): string {
  let text = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    text += entry.isDirectory() ? readTree(p) : fs.readFileSync(p, "utf8");
  }
  return text;
}

const minimal = `instances:
  stats:
    kind: matomo
    url: https://stats.example.gouv.fr
    auth: { tokenEnv: MATOMO_TOKEN }
    sites:
      www:
        name: Portail
        urls: [https://www.example.gouv.fr]
`;

function synthYaml(yaml: string, file = "exempt.yaml"): { json: any; stack: ExemptStack } {
  const app = Testing.app();
  const stack = stackFromConfig(app, parseConfigText(yaml, file, { env: {} }), { today: "2026-11-25" });
  return { json: JSON.parse(Testing.synth(stack)), stack };
}

describe("cdktf synth", () => {
  const exampleOut = projectOutdir();
  it("the committed example synthesises: one terraform_data per instance, a relative apply command, state outside cdktf.out", async () => {
    const out = exampleOut;
    const result = await cdktfSynth("exempt.yaml", path.join(out, "cdktf.out"));
    expect(result.code).toBe(0);
    const stackDir = path.join(out, "cdktf.out", "stacks", "exempt");
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
    const resources = json.resource.terraform_data as Record<string, any>;
    expect(Object.keys(resources).map((k) => k.split("_")[0]).sort()).toEqual(["cloud", "stats"]);
    expect(resources[Object.keys(resources).find((k) => k.startsWith("cloud"))!].provisioner[0]["local-exec"].command).toMatch(/apply --manifest exempt-manifest\.json --only cloud$/);
    const reconcile = resources[Object.keys(resources).find((k) => k.startsWith("stats"))!];
    expect(reconcile.triggers_replace.hash).toMatch(/^[0-9a-f]{64}$/);
    const command: string = reconcile.provisioner[0]["local-exec"].command;
    expect(command).toMatch(/^node (\.\.\/)+.*bin\/exempt\.js apply --manifest exempt-manifest\.json --only stats$/);
    expect(command).not.toContain(REPO);
    expect(json.terraform.backend.local.path).toBe("../../../state/exempt.tfstate");
    // The destroy-time provisioner only talks; it never calls the API.
    expect(reconcile.provisioner[1]["local-exec"].when).toBe("destroy");
    expect(reconcile.provisioner[1]["local-exec"].command).toMatch(/^echo /);
    const manifest = parseManifest(fs.readFileSync(path.join(stackDir, "exempt-manifest.json"), "utf8"), "manifest");
    expect(Object.keys(manifest.config.instances.stats.sites)).toEqual(["www", "demarches", "boutique"]);
    expect(manifest.config.instances.stats.sites.boutique.mode).toBe("consent");
    expect(manifest.hashes.stats).toBe(reconcile.triggers_replace.hash);
    expect(JSON.stringify(json)).not.toContain(REPO);
  }, 60_000);

  it("a non-compliant exempt.yaml fails cdktf synth with the rule ids, the site and the YAML line", async () => {
    const dir = tempDir();
    const file = writeFile(dir, "bad.yaml", minimal.replace("    sites:", "    privacy:\n      ipMaskBytes: 1\n      referrer: keep\n    sites:") + "        excludeUnknownUrls: false\n");
    const result = await cdktfSynth(file, path.join(dir, "out"));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("CNIL-IP-MASK-2B");
    expect(result.output).toContain("CNIL-REFERRER-ANON");
    expect(result.output).toContain("CNIL-SINGLE-PUBLISHER");
    expect(result.output).toContain("stats/www");
    expect(result.output).toMatch(/bad\.yaml:7:\d+/); // ipMaskBytes
    expect(fs.existsSync(path.join(dir, "out", "stacks", "exempt", "cdk.tf.json"))).toBe(false);
  }, 60_000);

  it("a secret placed in the environment appears nowhere under cdktf.out", async () => {
    const canary = "canary-7f3e9b2c-token-never-written";
    const out = tempDir();
    const result = await cdktfSynth("exempt.yaml", path.join(out, "cdktf.out"), { MATOMO_TOKEN: canary, MATOMO_PASSWORD: canary + "-pw" });
    expect(result.code).toBe(0);
    const everything = readTree(path.join(out, "cdktf.out"));
    expect(everything).toContain("MATOMO_TOKEN"); // the name, so the reconciler knows where to look
    expect(everything).not.toContain(canary);
    expect(result.output).not.toContain(canary);
  }, 60_000);
});

describe("the stack built from exempt.yaml", () => {
  it("a minimal declaration passes the rule pack", () => {
    const { stack } = synthYaml(minimal);
    expect(stack.resolveDeclaration().findings.filter((f) => f.status === "fail")).toEqual([]);
  });

  it("changing one site changes only its instance's hash", () => {
    const two = minimal.replace("instances:\n", "instances:\n  other:\n    kind: matomo\n    url: https://other.example.fr\n    auth: { tokenEnv: T2 }\n");
    const before = synthYaml(two).json.resource.terraform_data;
    const after = synthYaml(two.replace("name: Portail", "name: Portail national")).json.resource.terraform_data;
    const hashOf = (r: any, prefix: string) => (Object.entries(r).find(([k]) => k.startsWith(prefix))![1] as any).triggers_replace.hash;
    expect(hashOf(after, "stats")).not.toBe(hashOf(before, "stats"));
    expect(hashOf(after, "other")).toBe(hashOf(before, "other"));
  });

  it("a suppression with a reason and an owner turns a violation into a reported, accepted deviation", () => {
    const yaml = minimal + "        ecommerce: true\n        suppressions:\n          - { rule: CNIL-ECOMMERCE-OFF, reason: Order statistics agreed with the DPO on 2026-10-01, owner: dpo@example.gouv.fr }\n";
    const { stack } = synthYaml(yaml);
    const f = stack.resolveDeclaration().findings.find((x) => x.ruleId === "CNIL-ECOMMERCE-OFF")!;
    expect(f.status).toBe("suppressed");
    expect(f.suppression).toMatchObject({ owner: "dpo@example.gouv.fr" });
  });

  it("a suppression without a reason is itself an error, located in the file", () => {
    const yaml = minimal + "        suppressions:\n          - { rule: CNIL-ECOMMERCE-OFF, owner: dpo@example.gouv.fr }\n";
    expect(() => parseConfigText(yaml, "exempt.yaml", { env: {} })).toThrow(/exempt\.yaml:11:\d+: instances\.stats\.sites\.www\.suppressions\[0\]\.reason/);
  });

  it("a core condition cannot be suppressed on an exempt site, and synth fails saying why", () => {
    const yaml = minimal.replace("    sites:", "    privacy: { ipMaskBytes: 1 }\n    suppressions:\n      - { rule: CNIL-IP-MASK-2B, reason: legacy instance shared with another team, owner: ops@example.gouv.fr }\n    sites:");
    const app = Testing.app();
    const stack = stackFromConfig(app, parseConfigText(yaml, "exempt.yaml", { env: {} }), { today: "2026-11-25" });
    expect(() => Testing.synth(stack, true)).toThrow(/CNIL-IP-MASK-2B.*cannot be suppressed on an exempt site/);
  });

  it("the same core condition can be suppressed on a site that declares mode: consent", () => {
    const yaml = minimal.replace("    sites:", "    privacy: { ipMaskBytes: 1 }\n    suppressions:\n      - { rule: CNIL-IP-MASK-2B, reason: legacy instance shared with another team, owner: ops@example.gouv.fr }\n    sites:") + "        mode: consent\n";
    const { stack } = synthYaml(yaml);
    expect(stack.resolveDeclaration().findings.filter((f) => f.status === "fail" && f.level === "error")).toEqual([]);
  });

  it("an expired suppression is an error again", () => {
    const yaml = minimal + "        excludeUnknownUrls: false\n        suppressions:\n          - { rule: CNIL-SINGLE-PUBLISHER, reason: migration of the old domain in progress, owner: ops@example.gouv.fr, expires: 2026-01-31 }\n";
    const app = Testing.app();
    const stack = stackFromConfig(app, parseConfigText(yaml.replace("CNIL-SINGLE-PUBLISHER", "CNIL-ECOMMERCE-OFF").replace("excludeUnknownUrls: false", "ecommerce: true"), "exempt.yaml", { env: {} }), { today: "2026-11-25" });
    const f = stack.resolveDeclaration().findings.find((x) => x.ruleId === "CNIL-ECOMMERCE-OFF")!;
    expect(f.status).toBe("fail");
    expect(f.message).toContain("expired on 2026-01-31");
  });
});

describe("the TypeScript constructs", () => {
  it("validate their props at construction and fail synth naming the construct path and the field", () => {
    const app = Testing.app();
    const stack = new ExemptStack(app, "exempt");
    const stats = new MatomoInstance(stack, "stats", { url: "https://stats.example.fr", auth: { tokenEnv: "T" }, privacy: { ipMaskBytes: 9 } });
    new MatomoSite(stats, "www", { name: "W", urls: [] });
    expect(() => Testing.synth(stack, true)).toThrow(/\[exempt\/stats\] privacy\.ipMaskBytes: expected at most 4, found 9[\s\S]*\[exempt\/stats\/www\] urls: a site needs at least one URL/);
  });

  it("build the same manifest as the YAML path", () => {
    const yamlConfig = parseConfigText(minimal, "x.yaml", { env: {} }).config;
    const app = Testing.app();
    const stack = new ExemptStack(app, "exempt");
    const stats = new MatomoInstance(stack, "stats", { url: "https://stats.example.gouv.fr", auth: { tokenEnv: "MATOMO_TOKEN" } });
    new MatomoSite(stats, "www", { name: "Portail", urls: ["https://www.example.gouv.fr"] });
    expect(stack.resolveDeclaration().config).toEqual(yamlConfig);
  });

  it("declare Piwik PRO accounts and apps beside Matomo instances", () => {
    const app = new App({ outdir: tempDir() });
    const stack = new ExemptStack(app, "exempt");
    const pp = new PiwikProInstance(stack, "cloud", { url: "https://acme.piwik.pro", auth: { clientIdEnv: "PP_ID", clientSecretEnv: "PP_SECRET" } });
    new PiwikProApp(pp, "shop", { name: "Shop", urls: ["https://shop.example.fr"] });
    const json = JSON.parse(Testing.synth(stack, true));
    expect(Object.keys(json.resource.terraform_data)).toHaveLength(1);
    expect(stack.resolveDeclaration().findings.filter((f) => f.status === "fail")).toEqual([]);
  });
});
