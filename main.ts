import * as fs from "node:fs";
import { App } from "./constructs/cdk";
import { stackFromConfig } from "./constructs";
import { loadConfigFile, DEFAULT_CONFIG_FILE } from "./model/loader";
import { formatUserError } from "./cli/errors";
import { buildTypeScriptExample } from "./examples/typescript-example";

/**
 * The CDKTF app. `EXEMPT_CONFIG` names the YAML file; else ./exempt.yaml when present; else the
 * TypeScript example. Bad YAML stops here with every located error, before any stack is written.
 * Each `servers:` entry adds its own Docker stack beside `exempt` (see docs/self-hosted.md).
 */
const app = new App();
const configFile = process.env.EXEMPT_CONFIG ?? (fs.existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
if (configFile) {
  try {
    const loaded = loadConfigFile(configFile);
    stackFromConfig(app, loaded);
    // Loaded only when the file declares a server: without one, nothing loads the Docker provider.
    if (Object.keys(loaded.config.servers ?? {}).length > 0)
      (require("./constructs/matomo-server") as typeof import("./constructs/matomo-server")).serverStacksFromConfig(app, loaded);
  } catch (err) {
    process.stderr.write(formatUserError(err) + "\n");
    process.exit(1);
  }
} else {
  buildTypeScriptExample(app);
}
try {
  app.synth();
} catch (err) {
  // A failed validation is the rule pack (or a bad prop) speaking: print its list, not a stack trace.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`exempt: cdktf synth refused the declaration.\n${message.replace(/\nIf you wish to ignore these validations.*$/s, "")}\n`);
  process.exit(1);
}
