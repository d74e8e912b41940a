import * as fs from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { Config, INSTANCE_KINDS } from "./config";
import { ConfigError, ConfigIssue, formatPath, SourceLocation } from "./errors";
import { describeZodIssue, knownKeys, schemaAt } from "./zod-issues";
import { interpolateEnv, locate, MAX_CONFIG_BYTES, parseYamlSource, ParsedYaml, sourceMapOf } from "./yaml-source";
import { describeValue } from "./describe-value";
import { resolveServerReferences } from "./matomo-server";

export const DEFAULT_CONFIG_FILE = "exempt.yaml";

export interface LoadedConfig {
  config: Config;
  /** The file it came from, as the user named it (relative paths stay relative: they end up in reports). */
  file: string;
  /** Where every key of the document is, for reports that point at YAML lines. */
  sourceMap: Record<string, SourceLocation>;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
}

/** Reads, interpolates and validates exempt.yaml. Throws a ConfigError listing every problem with its file:line:column. */
export function loadConfigFile(file: string, options: LoadOptions = {}): LoadedConfig {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new ConfigError(file, [{ path: "(file)", message: `the configuration file ${file} does not exist (pass --config PATH, or create ${DEFAULT_CONFIG_FILE})` }]);
  }
  if (stat.isDirectory()) throw new ConfigError(file, [{ path: "(file)", message: `expected a YAML file, found a directory` }]);
  if (stat.size > MAX_CONFIG_BYTES)
    throw new ConfigError(file, [{ location: { file, line: 1, column: 1 }, path: "(file)", message: `the file is ${stat.size} bytes, over the limit of ${MAX_CONFIG_BYTES} bytes: split the fleet into several files` }]);
  const text = fs.readFileSync(file, "utf8");
  return parseConfigText(text, file, options);
}

export function parseConfigText(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES)
    throw new ConfigError(file, [{ location: { file, line: 1, column: 1 }, path: "(file)", message: `the document is over the limit of ${MAX_CONFIG_BYTES} bytes` }]);
  if (text.trim() === "" || text.split("\n").every((l) => l.trim() === "" || l.trim().startsWith("#")))
    throw new ConfigError(file, [{ location: { file, line: 1, column: 1 }, path: "(document)", message: "the file is empty: expected a mapping with `instances:`" }]);
  const { parsed, issues } = parseYamlSource(text, file);
  if (!parsed) throw new ConfigError(file, issues);
  const envIssues = interpolateEnv(parsed, env);
  let raw: unknown;
  try {
    raw = parsed.document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    // The yaml library refuses documents whose aliases expand exponentially ("billion laughs").
    throw new ConfigError(file, [{ location: { file, line: 1, column: 1 }, path: "(document)", message: `the document expands too many YAML aliases (*name): write the values out instead (${(err as Error).message})` }]);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new ConfigError(file, [{ location: { file, line: 1, column: 1 }, path: "(document)", message: `expected a mapping with \`instances:\` at the top, found ${describeValue(raw)}` }]);
  // `instances.<id>.server` becomes the instance's url before validation, so the model has no new field.
  const serverIssues = resolveServerReferences(raw as Record<string, unknown>, (p) => locate(parsed, p));
  const result = validateConfig(raw, parsed);
  // A value whose variable is unset is reported once, as the missing variable, not again as a bad value.
  const envPaths = new Set(envIssues.map((i) => i.path));
  // A bad server reference leaves the instance without url: report the reference, not its consequence.
  for (const i of serverIssues) envPaths.add(i.path.replace(/\.server$/, ".url"));
  const all = [...envIssues, ...serverIssues, ...result.issues.filter((i) => !envPaths.has(i.path))];
  if (all.length || !result.config) throw new ConfigError(file, sortIssues(all));
  return { config: result.config, file, sourceMap: sourceMapOf(parsed) };
}

/** Validates a plain object (from YAML, JSON or constructs) against the model; locations when a YAML source is given. */
export function validateConfig(raw: unknown, parsed?: ParsedYaml): { config?: Config; issues: ConfigIssue[] } {
  const result = Config.safeParse(raw, { reportInput: true });
  if (result.success) return { config: result.data, issues: [] };
  return { issues: issuesFromZod(Config, result.error.issues, raw, parsed ? (p, key) => locate(parsed, p, key) : undefined) };
}

/**
 * Turns zod's issues into located, readable ones: what was expected, what was found, and for an
 * unknown key the keys allowed there (with a "did you mean").
 */
export function issuesFromZod(
  schema: z.core.$ZodType,
  zodIssues: readonly z.core.$ZodIssue[],
  raw: unknown,
  locator?: (path: readonly PropertyKey[], unknownKey?: string) => SourceLocation,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  // Where an object has an unknown key, its "missing field" issues are usually the same mistake
  // (a key of the other product, a typo): the unknown-key message lists what is allowed instead.
  const withUnknownKeys = new Set(zodIssues.filter((i) => i.code === "unrecognized_keys").map((i) => formatPath(i.path as PropertyKey[])));
  for (const issue of zodIssues) {
    const issuePath = issue.path as PropertyKey[];
    if (issue.code === "unrecognized_keys") {
      const allowed = knownKeys(schemaAt(schema, issuePath, raw)).filter((k) => !k.startsWith("$"));
      const messages = describeZodIssue(issue, allowed);
      issue.keys.forEach((key, i) => issues.push({ location: locator?.(issuePath, key), path: formatPath([...issuePath, key]), message: messages[i] }));
      continue;
    }
    if (issue.code === "invalid_type" && (issue as { input?: unknown }).input === undefined && withUnknownKeys.has(formatPath(issuePath.slice(0, -1)))) continue;
    if (issue.code === "invalid_key") {
      // A record key (instance id, site key) broke its own schema: say so about the key itself.
      const key = issuePath[issuePath.length - 1];
      const inner = (issue as unknown as { issues?: Array<{ message: string }> }).issues?.[0]?.message ?? issue.message;
      issues.push({ location: locator?.(issuePath.slice(0, -1), String(key)), path: formatPath(issuePath), message: `${inner}, found ${JSON.stringify(String(key))}` });
      continue;
    }
    if (issue.code === "invalid_union" && "discriminator" in issue) (issue as { input?: unknown }).input = valueAt(raw, issuePath);
    for (const message of describeZodIssue(issue)) issues.push({ location: locator?.(issuePath), path: formatPath(issuePath), message });
  }
  return dedupe(issues);
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0));
}

/** `--config` defaults to ./exempt.yaml in the working directory. */
export function resolveConfigPath(flag: string | undefined, cwd: string): string {
  const file = flag ?? DEFAULT_CONFIG_FILE;
  return path.isAbsolute(file) ? file : path.relative(cwd, path.resolve(cwd, file)) || file;
}

export { INSTANCE_KINDS };

function valueAt(root: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of p) v = v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}
