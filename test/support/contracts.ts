import * as fs from "node:fs";
import * as path from "node:path";

/** The vendored copies (contracts/), unless an environment variable points elsewhere. */
export const REPO_CONTRACTS = path.resolve(__dirname, "..", "..", "contracts");
/** The team's shared folder, next to the repository when it is there. */
export const SHARED_CONTRACTS = path.resolve(__dirname, "..", "..", "..", "shared", "contracts");

export function matomoTranscriptsDir(): string {
  return process.env.EXEMPT_MATOMO_TRANSCRIPTS_DIR ?? path.join(REPO_CONTRACTS, "matomo", "transcripts");
}

export function piwikProOpenApiDirectory(): string {
  return process.env.EXEMPT_PIWIKPRO_OPENAPI_DIR ?? path.join(REPO_CONTRACTS, "piwikpro", "openapi");
}

export function sharedContractsAvailable(): boolean {
  return fs.existsSync(SHARED_CONTRACTS);
}
