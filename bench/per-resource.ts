/**
 * The comparison: a plan the way a Terraform provider refreshes its state, one read per resource
 * and per attribute group, ten requests in flight (Terraform's default -parallelism). For each
 * site: the site, its URLs, who has access to it, and its Tag Manager containers.
 */
import { CountingClient, mapLimited, type Traffic } from "./http";
import { matomoCall } from "./fleet";

export const PER_RESOURCE_CALLS = ["SitesManager.getSiteFromId", "SitesManager.getSiteUrlsFromId", "UsersManager.getUsersAccessFromSite", "TagManager.getContainers"] as const;
export const TERRAFORM_PARALLELISM = 10;

export interface PerResourceRun {
  ms: number;
  traffic: Traffic;
  sites: number;
}

export async function perResourcePlan(url: string, siteIds: readonly number[], parallelism = TERRAFORM_PARALLELISM): Promise<PerResourceRun> {
  const client = new CountingClient(url, parallelism);
  const reads = siteIds.flatMap((id) => PER_RESOURCE_CALLS.map((method) => ({ id, method })));
  const started = process.hrtime.bigint();
  try {
    // Every answer is parsed, as a provider would, so the client's own work counts too.
    await mapLimited(reads, parallelism, ({ id, method }) => matomoCall(client, method, [["idSite", String(id)]]));
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, traffic: { ...client.traffic }, sites: siteIds.length };
  } finally {
    client.close();
  }
}
