import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { Config } from "../model/config";
import { ConfigError, ConfigIssue, SourceLocation } from "../model/errors";
import { loadConfigFile, resolveConfigPath } from "../model/loader";
import { ManifestError, parseManifest } from "../model/manifest";
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

/** Past this size a declaration is loaded in a worker thread. */
export const WORKER_LOAD_BYTES = 1024 * 1024;

/**
 * loadDeclaration, for the commands that go on to read instances. A large file (a fleet of
 * thousands of sites) is loaded in a worker thread: the YAML parser's document model costs tens of
 * bytes per byte of YAML, and held in the main thread it stays in the process's memory while the
 * instances are read and judged; the worker's memory is released when it ends. Small files load
 * in this thread, where a worker's start-up would cost more than it saves.
 */
export async function loadDeclarationAsync(flags: { config?: string; manifest?: string }, io: { cwd: string; env: NodeJS.ProcessEnv }): Promise<LoadedDeclaration> {
  const file = flags.manifest ?? resolveConfigPath(flags.config, io.cwd);
  let size = 0;
  try {
    size = fs.statSync(path.resolve(io.cwd, file)).size;
  } catch {
    // Missing: the synchronous path reports it.
  }
  if (size < WORKER_LOAD_BYTES) return loadDeclaration(flags, io);
  const answer = await new Promise<{ ok?: LoadedDeclaration; error?: { kind: string; message?: string; source?: string; file?: string; issues?: ConfigIssue[] } }>((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, "load-worker.js"), { workerData: { tsx: require.resolve("tsx/cjs"), flags, io: { cwd: io.cwd, env: io.env } } });
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => code !== 0 && reject(new Error(`loading ${file} stopped (worker exit ${code})`)));
  });
  if (answer.ok) return answer.ok;
  const e = answer.error!;
  if (e.kind === "config") throw new ConfigError(e.source ?? file, e.issues ?? []);
  if (e.kind === "manifest") throw new ManifestError(e.file ?? file, e.message ?? "invalid manifest");
  if (e.kind === "usage") throw new UsageError(e.message ?? "usage error");
  throw new Error(e.message ?? `could not load ${file}`);
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
