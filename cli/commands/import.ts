import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "../command";
import { UsageError } from "../args";
import { today } from "../load";
import { CONNECTION_FLAGS, connectionOptions } from "../flags";
import { redactSecrets } from "../../model/secrets";
import { INSTANCE_KINDS, type InstanceKind } from "../../model/config";
import { Identifier } from "../../model/common";

/**
 * `exempt import`: reads a live Matomo instance or Piwik PRO account and writes the exempt.yaml
 * that declares it as it is, so adopting an instance configured by hand starts from a plan with
 * no change and a list of what breaks the CNIL pack. 0 written, 1 otherwise.
 */
export const importCommand: Command = {
  name: "import",
  summary: "write an exempt.yaml declaring a live instance as it is (sites, access, Tag Manager), flagging what breaks the CNIL pack",
  usage: "exempt import --kind matomo|piwikpro --url URL (--token-env NAME | --client-id-env NAME --client-secret-env NAME) [--out exempt.yaml] [--instance-id ID]",
  flags: {
    kind: { type: "string", description: "matomo | piwikpro" },
    url: { type: "string", description: "the instance's base URL (Matomo) or the account URL (Piwik PRO)" },
    "token-env": { type: "string", description: "Matomo: the environment variable holding the token_auth" },
    "client-id-env": { type: "string", description: "Piwik PRO: the environment variable holding the API client id" },
    "client-secret-env": { type: "string", description: "Piwik PRO: the environment variable holding the API client secret" },
    out: { type: "string", description: "write to this file instead of stdout" },
    force: { type: "boolean", description: "overwrite --out when it exists" },
    "instance-id": { type: "string", description: "the instance's key in the written file", default: "imported" },
    ...CONNECTION_FLAGS,
    verbose: { type: "boolean", description: "also log the reading's notes and its request count" },
  },
  async run({ flags }, io) {
    const kind = flags.kind as string | undefined;
    if (!kind || !(INSTANCE_KINDS as readonly string[]).includes(kind)) throw new UsageError(`exempt import: --kind must be one of ${INSTANCE_KINDS.join(", ")}${kind ? `, got '${kind}'` : ""}`);
    const url = flags.url as string | undefined;
    if (!url) throw new UsageError("exempt import: --url is required");
    const instanceId = (flags["instance-id"] as string | undefined) ?? "imported";
    if (!Identifier.safeParse(instanceId).success) throw new UsageError(`exempt import: --instance-id must be an identifier (letters, digits, '-', '_'), got '${instanceId}'`);
    const auth = authFor(kind as InstanceKind, flags);
    const out = flags.out as string | undefined;
    const target = out ? path.resolve(io.cwd, out) : undefined;
    if (target && fs.existsSync(target) && !flags.force) throw new UsageError(`exempt import: ${out} exists; pass --force to overwrite it`);

    const quiet = Boolean(flags.quiet);
    const log = (m: string) => {
      if (!quiet) io.stderr.write(redactSecrets(`exempt: ${m}`) + "\n");
    };
    // Loaded here: `exempt --help` and the other commands do not pay for the backends.
    const { importInstance } = require("../../engine/import") as typeof import("../../engine/import");
    const result = await importInstance(
      { instanceId, kind: kind as InstanceKind, url, auth },
      {
        env: io.env,
        ...connectionOptions(flags, io.env),
        log,
        today: today(io.env),
      },
    );
    const text = redactSecrets(result.text);
    if (target) fs.writeFileSync(target, text);
    else io.stdout.write(text);
    if (flags.verbose) {
      for (const n of result.notes) log(`note: ${n}`);
      log(`${result.traffic.requests} HTTP request(s)`);
    }
    log(
      `imported ${result.sites} site(s)${target ? ` into ${out}` : ""}${result.leftOut ? `, ${result.leftOut} left out` : ""}: ${result.todo} TODO(s) to confirm, ${result.breaches} breach(es) of the CNIL pack flagged${result.breaches ? " (run `exempt check`)" : ""}`,
    );
    return 0;
  },
};

function authFor(kind: InstanceKind, flags: Record<string, unknown>): Record<string, string> {
  if (kind === "matomo") {
    const tokenEnv = flags["token-env"] as string | undefined;
    if (!tokenEnv) throw new UsageError("exempt import: --token-env NAME is required for Matomo (the variable holding the token_auth)");
    return { tokenEnv };
  }
  const clientIdEnv = flags["client-id-env"] as string | undefined;
  const clientSecretEnv = flags["client-secret-env"] as string | undefined;
  if (!clientIdEnv || !clientSecretEnv) throw new UsageError("exempt import: --client-id-env NAME and --client-secret-env NAME are required for Piwik PRO");
  return { clientIdEnv, clientSecretEnv };
}
