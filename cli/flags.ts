import type { FlagSpec, FlagValues } from "./args";

/** The flags several commands share, declared once so their names and help never drift apart. */

/** Where the declaration comes from, and which part of it. */
export const DECLARATION_FLAGS: Record<string, FlagSpec> = {
  config: { type: "string", description: "the configuration file", default: "./exempt.yaml" },
  manifest: { type: "string", description: "a manifest written by `cdktf synth` (instead of --config)" },
  only: { type: "string", description: "one instance, or one site: <instance>[/<site>]" },
};

/** How an instance is called (each overrides the instance's own `client` setting). */
export const CONNECTION_FLAGS: Record<string, FlagSpec> = {
  "allow-insecure-http": { type: "boolean", description: "allow plain http:// to a non-loopback instance (also EXEMPT_ALLOW_INSECURE_HTTP=1)" },
  "timeout-ms": { type: "number", description: "per-request timeout, overrides the instance's client.timeoutMs" },
  retries: { type: "number", description: "retries of reads and idempotent writes, overrides client.retries" },
  concurrency: { type: "number", description: "requests in flight per instance, overrides client.concurrency" },
  quiet: { type: "boolean", description: "no logs on stderr, only errors" },
};

/** The connection flags' values, as the engine and the import take them. */
export function connectionOptions(flags: FlagValues, env: NodeJS.ProcessEnv): { allowInsecureHttp: boolean; client: { timeoutMs?: number; retries?: number; concurrency?: number } } {
  return {
    allowInsecureHttp: Boolean(flags["allow-insecure-http"]) || env.EXEMPT_ALLOW_INSECURE_HTTP === "1",
    client: { timeoutMs: flags["timeout-ms"] as number | undefined, retries: flags.retries as number | undefined, concurrency: flags.concurrency as number | undefined },
  };
}
