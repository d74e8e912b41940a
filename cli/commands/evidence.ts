import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "../command";
import { UsageError } from "../args";
import { loadDeclarationAsync, parseOnly, today } from "../load";
import { runCommand } from "../../engine/run";
import { buildEvidence, FLEET_PAGE, JSON_FILE, renderEvidenceFiles } from "../../engine/evidence";
import { CnilPack } from "../../policies";
import { redactSecrets } from "../../model/secrets";
import { CONNECTION_FLAGS, DECLARATION_FLAGS, connectionOptions } from "../flags";

/**
 * `exempt evidence`: read the live instances (a drift run: nothing is ever written to an
 * instance), judge the declaration and the live state with the rule pack, and write a static report
 * a DPO can file. Exit 0 when the report was written, whatever it shows (the report is the
 * product); 1 when it could not be.
 */
export const evidenceCommand: Command = {
  name: "evidence",
  summary: "write a dated, sourced compliance report per site (HTML and JSON) from the live instances, read-only",
  usage: "exempt evidence [--config exempt.yaml | --manifest FILE] [--only instance[/site]] --out DIR",
  flags: {
    ...DECLARATION_FLAGS,
    out: { type: "string", description: "the folder to write the report to (index.html, sites/, evidence.json)" },
    ...CONNECTION_FLAGS,
  },
  async run({ flags }, io) {
    const outFlag = flags.out as string | undefined;
    if (!outFlag) throw new UsageError("exempt evidence: --out DIR is required (the folder the report is written to)");
    const out = path.resolve(io.cwd, outFlag);
    const decl = await loadDeclarationAsync({ config: flags.config as string | undefined, manifest: flags.manifest as string | undefined }, io);
    const only = parseOnly(flags.only as string | undefined, decl.config);
    const quiet = Boolean(flags.quiet);
    const log = (m: string) => {
      if (!quiet) io.stderr.write(redactSecrets(`exempt: ${m}`) + "\n");
    };
    const day = today(io.env);
    // `drift` reads and judges; it has no path to a write.
    const run = await runCommand(decl.config, {
      command: "drift",
      prune: false,
      strict: false,
      only,
      env: io.env,
      ...connectionOptions(flags, io.env),
      log,
      today: day,
      configFile: decl.file,
      sourceMap: decl.sourceMap,
    });
    const report = buildEvidence({ run, config: decl.config, pack: CnilPack, today: day, generatedAt: new Date().toISOString(), scope: only });
    const files = renderEvidenceFiles(report);
    try {
      writeFiles(out, files);
    } catch (err) {
      throw new Error(`could not write the evidence report to ${out}: ${(err as Error).message}`);
    }
    for (const i of report.instances) if (i.error) io.stderr.write(redactSecrets(`exempt: ${i.instanceId} could not be read, its sites carry no live evidence: ${i.error}`) + "\n");
    io.stdout.write(redactSecrets(`${report.summary.headline}\nEvidence written to ${path.join(out, FLEET_PAGE)} (${report.sites.length} site page${report.sites.length === 1 ? "" : "s"}, ${JSON_FILE})\n`));
    return 0;
  },
};

const OWN_PAGE = /^sites\/[A-Za-z0-9_-]+\.html$/;

/**
 * Site pages first and the fleet page last, so an interrupted run leaves no index pointing at
 * missing pages. Pages a previous report in the same folder listed, and this one does not, are
 * removed: a filed folder must not show a site that is no longer read. Nothing else is touched.
 */
function writeFiles(dir: string, files: Record<string, string>): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new Error("it exists and is not a folder");
  fs.mkdirSync(path.join(dir, "sites"), { recursive: true });
  const previous = previousPages(path.join(dir, JSON_FILE));
  const order = Object.keys(files).sort((a, b) => rank(a) - rank(b));
  for (const rel of order) {
    const target = path.join(dir, rel);
    const tmp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, files[rel]);
    fs.renameSync(tmp, target);
  }
  for (const rel of previous) if (!(rel in files) && OWN_PAGE.test(rel)) fs.rmSync(path.join(dir, rel), { force: true });
}

function rank(rel: string): number {
  return rel === FLEET_PAGE ? 2 : rel.startsWith("sites/") ? 0 : 1;
}

function previousPages(jsonFile: string): string[] {
  try {
    const old = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as { kind?: string; sites?: Array<{ page?: unknown }> };
    if (old.kind !== "exempt-evidence" || !Array.isArray(old.sites)) return [];
    return old.sites.map((s) => s.page).filter((p): p is string => typeof p === "string");
  } catch {
    return [];
  }
}
