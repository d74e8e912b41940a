import { Instance, type InstanceKind } from "../../model/config";
import { MatomoPrivacy, MatomoSite } from "../../model/matomo";
import { PiwikProApp, PiwikProPrivacy } from "../../model/piwikpro";

const SHAPES = { matomo: { site: MatomoSite.shape, privacy: MatomoPrivacy.shape }, piwikpro: { site: PiwikProApp.shape, privacy: PiwikProPrivacy.shape } };

/**
 * The model's own defaults, read from the schema rather than restated, so an import leaves out
 * exactly the fields whose live value is what leaving them out declares (the compliant default).
 */
export interface ModelDefaults {
  instance: Record<string, unknown>;
  site: Record<string, unknown>;
  /** Matomo: a Tag Manager container's defaults. */
  container?: Record<string, unknown>;
  /** Piwik PRO: a tag's defaults. */
  tag?: Record<string, unknown>;
  /** Fields of a site declaration (the schema's keys), so nothing outside them is written. */
  siteFields: Set<string>;
  privacyFields: Set<string>;
}

const PROBE_URL = "https://probe.invalid";

export function modelDefaults(kind: InstanceKind, auth: Record<string, string>): ModelDefaults {
  const site = kind === "matomo" ? { name: "p", urls: [PROBE_URL], tagManager: { containers: { c: {} } } } : { name: "p", urls: [PROBE_URL], tags: { t: { name: "t", template: "piwik" } } };
  const parsed = Instance.parse({ kind, url: PROBE_URL, auth, sites: { p: site } }) as unknown as Record<string, unknown> & { sites: Record<string, Record<string, unknown>> };
  const parsedSite = parsed.sites.p;
  const containers = (parsedSite.tagManager as { containers?: Record<string, Record<string, unknown>> } | undefined)?.containers;
  const tags = parsedSite.tags as Record<string, Record<string, unknown>> | undefined;
  return {
    instance: parsed,
    site: parsedSite,
    container: containers?.c,
    tag: tags?.t,
    siteFields: new Set(Object.keys(SHAPES[kind].site)),
    privacyFields: new Set(Object.keys(SHAPES[kind].privacy)),
  };
}
