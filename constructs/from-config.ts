import { Construct } from "constructs";
import type { LoadedConfig } from "../model/loader";
import { ExemptStack, ExemptStackProps } from "./exempt-stack";
import { MatomoInstance, MatomoSite } from "./matomo";
import type { MatomoInstanceProps, MatomoSiteProps } from "./matomo-props";
import { PiwikProApp, PiwikProInstance } from "./piwikpro";
import type { PiwikProAppProps, PiwikProInstanceProps } from "./piwikpro-props";

/**
 * Builds the reconciling stack from a loaded exempt.yaml: the same constructs a TypeScript user
 * writes, so both paths share one validation and one rule pack.
 */
export function stackFromConfig(scope: Construct, loaded: LoadedConfig, props: Omit<ExemptStackProps, "source"> = {}): ExemptStack {
  const stack = new ExemptStack(scope, "exempt", { ...props, backend: props.backend ?? loaded.config.terraform?.backend, source: { file: loaded.file, sourceMap: loaded.sourceMap } });
  for (const [id, instance] of Object.entries(loaded.config.instances)) {
    const { sites, kind: _kind, ...rest } = instance;
    if (instance.kind === "matomo") {
      const construct = new MatomoInstance(stack, id, rest as unknown as MatomoInstanceProps);
      for (const [key, site] of Object.entries(sites)) new MatomoSite(construct, key, site as unknown as MatomoSiteProps);
    } else {
      const construct = new PiwikProInstance(stack, id, rest as unknown as PiwikProInstanceProps);
      for (const [key, site] of Object.entries(sites)) new PiwikProApp(construct, key, site as unknown as PiwikProAppProps);
    }
  }
  return stack;
}
