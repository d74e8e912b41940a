import type { InstanceKind } from "../model/config";
import type { BackendFactory } from "./types";

/** The product backends, loaded on demand so that a Matomo-only run never loads the Piwik PRO client. */
export function backendFactoryFor(kind: InstanceKind): BackendFactory {
  if (kind === "matomo") return require("../backends/matomo").createMatomoBackend as BackendFactory;
  return require("../backends/piwikpro").createPiwikProBackend as BackendFactory;
}
