import type { Command } from "../command";
import { UsageError } from "../args";
import { registerSecret } from "../../model/secrets";
import type { FaultSettings } from "../../emulators/common/faults";

/**
 * `exempt sandbox`: runs an emulator in the foreground. Prints exactly one line on stdout, its base
 * URL, once it listens, so scripts can read it with `read URL`; logs nothing else on stdout.
 */
export const sandboxCommand: Command = {
  name: "sandbox",
  summary: "run a Matomo or Piwik PRO API emulator in the foreground (tests, demo, benchmark)",
  usage:
    "exempt sandbox --kind matomo --port <p> --token <t> [--password <p>] | --kind piwikpro --port <p> --client-id <id> --client-secret <s> [fault flags]",
  flags: {
    kind: { type: "string", description: "matomo | piwikpro", default: "matomo" },
    port: { type: "number", description: "port to listen on; 0 picks a free one", default: "0" },
    host: { type: "string", description: "address to listen on", default: "127.0.0.1" },
    token: { type: "string", description: "Matomo: the superuser's token_auth" },
    password: { type: "string", description: "Matomo: the superuser's password", default: "PASSWORD" },
    "client-id": { type: "string", description: "Piwik PRO: the API client id" },
    "client-secret": { type: "string", description: "Piwik PRO: the API client secret" },
    "latency-ms": { type: "number", description: "latency added to every answer", default: "0" },
    "error-rate": { type: "number", description: "share (0..1) of requests answered 5xx", default: "0" },
    "drop-rate": { type: "number", description: "share (0..1) of connections dropped", default: "0" },
    "stall-rate": { type: "number", description: "share (0..1) of answers held back for --stall-ms", default: "0" },
    "stall-ms": { type: "number", description: "how long a stalled answer is held", default: "2500" },
    "rate-limit-rate": { type: "number", description: "share (0..1) of requests answered 429", default: "0" },
    "retry-after": { type: "number", description: "Retry-After seconds of a 429", default: "1" },
    seed: { type: "number", description: "seed of the fault generator", default: "1" },
    "mariadb-url-env": { type: "string", description: "Matomo: keep the privacy options in a MariaDB table; the variable holds mysql://user:password@host:port/db" },
    "mariadb-table-prefix": { type: "string", description: "Matomo: table prefix of that option table", default: "matomo_" },
  },
  async run({ flags }, io) {
    const kind = (flags.kind as string | undefined) ?? "matomo";
    const rate = (name: string): number => {
      const v = (flags[name] as number | undefined) ?? 0;
      if (v < 0 || v > 1) throw new UsageError(`exempt sandbox: --${name} must be between 0 and 1, got ${v}`);
      return v;
    };
    const faults: Partial<FaultSettings> = {
      latencyMs: (flags["latency-ms"] as number | undefined) ?? 0,
      errorRate: rate("error-rate"),
      dropRate: rate("drop-rate"),
      stallRate: rate("stall-rate"),
      stallMs: (flags["stall-ms"] as number | undefined) ?? 2500,
      rateLimitRate: rate("rate-limit-rate"),
      retryAfterSeconds: (flags["retry-after"] as number | undefined) ?? 1,
      seed: (flags.seed as number | undefined) ?? 1,
    };
    const port = (flags.port as number | undefined) ?? 0;
    const host = (flags.host as string | undefined) ?? "127.0.0.1";
    let server: { url: string; close(): Promise<void> };
    if (kind === "matomo") {
      const token = flags.token as string | undefined;
      if (!token) throw new UsageError("exempt sandbox --kind matomo: --token is required");
      registerSecret(token);
      const { startMatomoEmulator } = require("../../emulators/matomo") as typeof import("../../emulators/matomo");
      const urlEnv = flags["mariadb-url-env"] as string | undefined;
      let store: { close(): Promise<void> } | undefined;
      if (urlEnv) {
        const connection = io.env[urlEnv];
        if (!connection) throw new UsageError(`exempt sandbox: --mariadb-url-env names ${urlEnv}, which is not set`);
        registerSecret(connection);
        const { MariaDbOptionStore } = require("../../emulators/matomo/mariadb-option-store") as typeof import("../../emulators/matomo/mariadb-option-store");
        store = await MariaDbOptionStore.open({ connection, tablePrefix: (flags["mariadb-table-prefix"] as string | undefined) ?? "matomo_", createTable: true });
      }
      const emulator = await startMatomoEmulator({ port, host, token, password: (flags.password as string | undefined) ?? "PASSWORD", faults, optionStore: store as never });
      server = { url: emulator.url, close: async () => (await emulator.close(), await store?.close()) };
    } else if (kind === "piwikpro") {
      const clientId = flags["client-id"] as string | undefined;
      const clientSecret = flags["client-secret"] as string | undefined;
      if (!clientId || !clientSecret) throw new UsageError("exempt sandbox --kind piwikpro: --client-id and --client-secret are required");
      registerSecret(clientSecret);
      const { startPiwikProEmulator } = require("../../emulators/piwikpro") as typeof import("../../emulators/piwikpro");
      server = await startPiwikProEmulator({ port, host, clientId, clientSecret, faults });
    } else {
      throw new UsageError(`exempt sandbox: --kind must be matomo or piwikpro, got '${kind}'`);
    }
    io.stdout.write(`${server.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await server.close();
    return 0;
  },
};
