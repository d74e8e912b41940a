import * as fs from "node:fs";
import type { Config } from "../model/config";
import type { SourceLocation } from "../model/errors";
import { loadConfigFile, resolveConfigPath } from "../model/loader";
import { parseManifest } from "../model/manifest";
import { UsageError } from "./args";

export interface LoadedDeclaration {
  config: Config;
  file: string;
  sourceMap: Record<string, SourceLocation>;
}

/** `--manifest` (what `cdktf synth` wrote) wins over `--config` (./exempt.yaml by default). */
export function loadDeclaration(flags: { config?: string; manifest?: string }, io: { cwd: string; env: NodeJS.ProcessEnv }): LoadedDeclaration {
  if (flags.manifest) {
    let text: string;
    try {
      text = fs.readFileSync(flags.manifest, "utf8");
    } catch {
      throw new UsageError(`exempt: the manifest ${flags.manifest} does not exist (run \`cdktf synth\` first)`);
    }
    const manifest = parseManifest(text, flags.manifest);
    return { config: manifest.config, file: manifest.source.file ?? flags.manifest, sourceMap: manifest.source.sourceMap };
  }
  const file = resolveConfigPath(flags.config, io.cwd);
  const loaded = loadConfigFile(file, { env: io.env });
  return { config: loaded.config, file: loaded.file, sourceMap: loaded.sourceMap };
}

/** `--only stats` or `--only stats/www`, checked against the declaration so a typo is an error, not an empty run. */
export function parseOnly(value: string | undefined, config: Config): { instance?: string; site?: string } | undefined {
  if (!value) return undefined;
  const [instance, site, ...rest] = value.split("/");
  if (!instance || rest.length) throw new UsageError(`exempt: --only expects <instance> or <instance>/<site>, got '${value}'`);
  const decl = config.instances[instance];
  if (!decl) throw new UsageError(`exempt: --only: no instance '${instance}' in the configuration (instances: ${Object.keys(config.instances).join(", ")})`);
  if (site !== undefined && !(site in decl.sites)) throw new UsageError(`exempt: --only: instance '${instance}' has no site '${site}' (sites: ${Object.keys(decl.sites).join(", ") || "none"})`);
  return { instance, site };
}

export function today(env: NodeJS.ProcessEnv): string {
  // EXEMPT_TODAY lets tests and reproducible reports pin the date expiries are judged against.
  const pinned = env.EXEMPT_TODAY;
  if (pinned && /^\d{4}-\d{2}-\d{2}$/.test(pinned)) return pinned;
  return new Date().toISOString().slice(0, 10);
}
