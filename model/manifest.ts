import { createHash } from "node:crypto";
import { z } from "zod";
import { Config, Instance } from "./config";
import type { SourceLocation } from "./errors";

/**
 * The desired state as synthesised: the model serialised, versioned, with no secret (only the
 * names of environment variables). `exempt apply --manifest` reads it back through the same schema.
 */
export const MANIFEST_VERSION = 1;

const Location = z.strictObject({ file: z.string(), line: z.number().int(), column: z.number().int() });

export const Manifest = z.strictObject({
  manifestVersion: z.literal(MANIFEST_VERSION),
  /** `exempt <version>`: the tool that wrote it. */
  generator: z.string(),
  /** The configuration it came from (a YAML file, or `typescript` for constructs). */
  source: z.strictObject({ file: z.string().optional(), sourceMap: z.record(z.string(), Location).default({}) }),
  /** The desired state, as the model validated and defaulted it. */
  config: Config,
  /** Per instance, the hash that Terraform's triggers_replace carries. */
  hashes: z.record(z.string(), z.string()),
});
export type Manifest = z.infer<typeof Manifest>;

/** JSON with keys sorted at every level, so equal states hash equally whatever the declaration order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

export function hashInstance(instance: Instance): string {
  return createHash("sha256").update(canonicalJson(instance)).digest("hex");
}

export function hashText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function buildManifest(config: Config, generator: string, source: { file?: string; sourceMap?: Record<string, SourceLocation> }): Manifest {
  const hashes: Record<string, string> = {};
  for (const [id, instance] of Object.entries(config.instances)) hashes[id] = hashInstance(instance);
  return { manifestVersion: MANIFEST_VERSION, generator, source: { file: source.file, sourceMap: source.sourceMap ?? {} }, config, hashes };
}

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = "ManifestError";
  }
  userMessage(): string {
    return `exempt: ${this.file}: ${this.message}`;
  }
}

/** Parses a manifest file's text; a wrong version or shape is a clear error, not a guess. */
export function parseManifest(text: string, file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(file, `not a JSON manifest (${(err as Error).message}); run \`cdktf synth\` again`);
  }
  const version = (raw as { manifestVersion?: unknown })?.manifestVersion;
  if (version !== MANIFEST_VERSION)
    throw new ManifestError(file, `manifest version ${JSON.stringify(version)} is not supported by this exempt (expected ${MANIFEST_VERSION}); synthesise again with this version`);
  const result = Manifest.safeParse(raw);
  if (!result.success) throw new ManifestError(file, `the manifest does not match the model: ${result.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return result.data;
}
