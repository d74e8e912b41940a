import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import type { Command } from "../command";
import { EXEMPT_JS, REPO_ROOT, runStep, startSandboxProcess, StepResult } from "../demo/processes";

/**
 * `npm run demo`: the main job on the built-in sandbox, no network. Starts the Matomo sandbox,
 * deploys the example fleet with the real `cdktf deploy`, changes a setting behind Exempt's back
 * through the raw API, shows `exempt drift` finding it (exit 2), repairs it with `exempt apply`,
 * shows drift clean (exit 0), and stops the sandbox. Work files go to a temporary folder.
 */
export const demoCommand: Command = {
  name: "demo",
  summary: "run the main job on the built-in sandbox (no network, under a minute)",
  usage: "exempt demo [--keep]",
  flags: {
    keep: { type: "boolean", description: "keep the temporary folder (cdktf.out, state) and print its path" },
    config: { type: "string", description: "the fleet to deploy", default: "./exempt.yaml" },
  },
  async run({ flags }, io) {
    const say = (s = "") => io.stdout.write(s + "\n");
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "exempt-demo-"));
    const token = randomBytes(16).toString("hex");
    const password = `demo-${randomBytes(6).toString("hex")}`;
    const config = path.resolve(io.cwd, (flags.config as string | undefined) ?? "exempt.yaml");
    const started = Date.now();
    const clientId = `demo-client-${randomBytes(4).toString("hex")}`;
    const clientSecret = randomBytes(24).toString("hex");
    say("Exempt demo: the example fleet on the built-in sandboxes (no network).");
    const sandbox = await startSandboxProcess("matomo", { args: ["--token", token, "--password", password], env: { ...process.env } });
    const piwik = await startSandboxProcess("piwikpro", { args: ["--client-id", clientId, "--client-secret", clientSecret], env: { ...process.env } }).catch(async (err) => {
      await sandbox.stop();
      throw err;
    });
    let ok = false;
    try {
      say(`\n1. Sandboxes: a fresh Matomo 5.1.2 emulator on ${sandbox.url}, a fresh Piwik PRO account emulator on ${piwik.url}`);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        MATOMO_URL: sandbox.url,
        MATOMO_TOKEN: token,
        MATOMO_PASSWORD: password,
        PIWIKPRO_URL: piwik.url,
        PIWIKPRO_CLIENT_ID: clientId,
        PIWIKPRO_CLIENT_SECRET: clientSecret,
        EXEMPT_CONFIG: config,
        CHECKPOINT_DISABLE: "1",
        TF_CLI_CONFIG_FILE: "/dev/null",
        CI: "true",
        NO_COLOR: "1",
        FORCE_COLOR: "0",
      };
      const exempt = (...args: string[]) => runStep(process.execPath, [EXEMPT_JS, ...args, "--config", config], env);

      say("\n2. exempt check: the declaration against the CNIL rule pack, offline");
      show(say, await exempt("check"), { tail: 3 });

      say("\n3. cdktf deploy: synthesise the stack (the rule pack runs as a validation) and apply it through Terraform");
      const cdktf = path.join(REPO_ROOT, "node_modules", ".bin", "cdktf");
      const deploy = await runStep(cdktf, ["deploy", "exempt", "--auto-approve", "--output", path.join(work, "cdktf.out")], env);
      // Terraform prefixes each line of the local-exec with the resource: keep what `exempt apply` said.
      const execLines = deploy.stdout
        .split("\n")
        .map((l) => /\(local-exec\): (.*)$/.exec(l)?.[1])
        .filter((l): l is string => l !== undefined && !l.startsWith("Executing:") && !l.startsWith("exempt: ["));
      for (const l of essentials(execLines.join("\n"))) say(`   ${l}`);
      for (const l of deploy.stdout.split("\n").filter((x) => /Apply complete|Error:/.test(x))) say(`   ${l.replace(/^\s*exempt\s+/, "").trim()}`);
      say(`   (${(deploy.ms / 1000).toFixed(1)} s, exit ${deploy.code})`);
      if (deploy.code !== 0) throw new Error(`cdktf deploy failed:\n${deploy.stdout.slice(-3000)}\n${deploy.stderr.slice(-2000)}`);

      say("\n4. Behind Exempt's back, by hand, through the raw APIs:");
      const site = await findSite(sandbox.url, token, "https://www.example.gouv.fr");
      const change = await rawPost(sandbox.url, "SitesManager.updateSite", { token_auth: token, idSite: String(site), excludeUnknownUrls: "0" });
      say(`   Matomo: POST SitesManager.updateSite idSite=${site} excludeUnknownUrls=0 -> ${change}`);
      say("   (Matomo also empties every list field the call leaves out, as real Matomo does)");
      const tag = await loosenPiwikProTag(piwik.url, clientId, clientSecret, "Le magazine");
      say(`   Piwik PRO: PATCH the magazine's Piwik PRO tag ${tag}: consent_type analytics -> not_require_consent`);

      say("\n5. exempt drift: compare live with the declaration (exit 2 = drift)");
      const drift = await exempt("drift");
      show(say, drift, { head: 16 });
      say(`   exit ${drift.code}`);
      if (drift.code !== 2) throw new Error("drift was expected to exit 2");

      say("\n6. exempt apply: write only what differs, read back and verify");
      const apply = await exempt("apply");
      show(say, apply, { head: 14 });
      say(`   exit ${apply.code}`);
      if (apply.code !== 0) throw new Error("apply was expected to exit 0");

      say("\n7. exempt drift again: clean");
      const clean = await exempt("drift");
      show(say, clean, { tail: 1 });
      say(`   exit ${clean.code}`);
      if (clean.code !== 0) throw new Error("drift was expected to be clean after apply");
      ok = true;
    } finally {
      const code = Math.max(await sandbox.stop(), await piwik.stop());
      say(`\n8. Sandboxes stopped (exit ${code}). ${ok ? "Demo complete" : "Demo FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      if (flags.keep) say(`   Work files kept in ${work}`);
      else fs.rmSync(work, { recursive: true, force: true });
    }
    return ok ? 0 : 1;
  },
};

/** The changes and the verdict of a report, without its findings and notes (the demo shows what moves). */
function essentials(stdout: string): string[] {
  const out: string[] = [];
  let inFindings = false;
  for (const line of stdout.trimEnd().split("\n")) {
    if (/^  Findings:/.test(line)) inFindings = true;
    else if (inFindings && /^    /.test(line)) continue;
    else inFindings = false;
    if (inFindings || /^  (To confirm|note:|\d+ checks? passed)/.test(line)) continue;
    out.push(line);
  }
  return out;
}

function show(say: (s: string) => void, r: StepResult, opts: { head?: number; tail?: number }): void {
  const lines = essentials(r.stdout);
  const picked = opts.head ? lines.slice(0, opts.head).concat(lines.length > opts.head ? [lines[lines.length - 1]] : []) : lines.slice(-(opts.tail ?? 5));
  for (const l of picked) say(`   ${l}`);
}

async function rawPost(url: string, method: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(`${url}/index.php?module=API&method=${method}&format=JSON`, { method: "POST", body: new URLSearchParams(params) });
  return res.text();
}

async function findSite(url: string, token: string, siteUrl: string): Promise<number> {
  const body = await rawPost(url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: token, url: siteUrl });
  const rows = JSON.parse(body) as Array<{ idsite: number | string }>;
  if (!rows.length) throw new Error(`no site for ${siteUrl} on the sandbox`);
  return Number(rows[0].idsite);
}

/** Piwik PRO's own API, as a person with the credentials would use it: token, app, tag, PATCH. */
async function loosenPiwikProTag(url: string, clientId: string, clientSecret: string, appName: string): Promise<string> {
  const token = ((await (await fetch(`${url}/auth/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }) })).json()) as { access_token: string }).access_token;
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/vnd.api+json" };
  const apps = (await (await fetch(`${url}/api/apps/v2?limit=100`, { headers })).json()) as { data: Array<{ id: string; attributes: { name: string } }> };
  const app = apps.data.find((a) => a.attributes.name === appName);
  if (!app) throw new Error(`no app ${appName} on the Piwik PRO sandbox`);
  const tags = (await (await fetch(`${url}/api/tag/v1/${app.id}/tags?filter[template]=piwik`, { headers })).json()) as { data: Array<{ id: string }> };
  const tag = tags.data[0];
  const res = await fetch(`${url}/api/tag/v1/${app.id}/tags/${tag.id}`, { method: "PATCH", headers, body: JSON.stringify({ data: { id: tag.id, type: "tag", attributes: { consent_type: "not_require_consent" } } }) });
  if (res.status !== 204) throw new Error(`PATCH of the tag answered ${res.status}`);
  return tag.id;
}
