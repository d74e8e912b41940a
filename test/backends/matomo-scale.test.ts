import type { Change, SitePlan } from "../../engine/types";
import type { MatomoEmulator } from "../../emulators/matomo";
import type { MatomoSite } from "../../model/matomo";
import { backendFor, declareInstance, declareSite, planOf, seedSites, startEmulator } from "./matomo-fixtures";

/**
 * Issue 7: `apply` of 1,000 changed sites in at most 30 requests, and no request past 500
 * sub-requests. Counted on the emulator's side of the wire.
 */
describe("the request budget of an apply", () => {
  let emulator: MatomoEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
    await seedSites(emulator, 1000);
  }, 60_000);
  afterAll(async () => {
    await emulator.close();
  });

  function subRequestsPerRequest(): number[] {
    const counts = new Map<number, number>();
    for (const c of emulator.calls) counts.set(c.httpRequest, (counts.get(c.httpRequest) ?? 0) + 1);
    return [...counts.values()];
  }

  function declare(count: number, round: number, withContainers: boolean): Record<string, MatomoSite> {
    return Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `s${i}`,
        declareSite({
          name: `Site ${i} r${round}`,
          urls: [`https://site${i}.example.org`],
          excludedQueryParameters: [`p${round}`],
          ...(withContainers ? { tagManager: { containers: { main: { matomoConfiguration: { disableCookies: round % 2 === 1 } } } } } : {}),
        }),
      ]),
    );
  }

  test.each([
    [100, false, 1, 1],
    [1000, false, 1, 3],
    [1000, true, 5, 9],
  ])("%i changed sites (containers too: %s) are applied in at most %i+%i requests (read + apply)", async (count, withContainers, readBudget, applyBudget) => {
    const round = Math.floor(Math.random() * 1000) * 2 + 1;
    const sites = declare(count, round, withContainers);
    const { backend } = backendFor(declareInstance(emulator.url, { sites }), { runStamp: `r${round}` });
    emulator.resetStats();
    const live = await backend.read();
    const readRequests = emulator.stats.requests;
    const plans: SitePlan[] = Object.entries(sites).map(([key, desired]) => {
      const site = live.sites.find((s) => s.urls[0] === desired.urls[0])!;
      const changes: Change[] = [{ area: "site", siteKey: key, field: "name", live: site.name, desired: desired.name }];
      if (withContainers) changes.push({ area: "tagmanager", siteKey: key, field: "containers.main.matomoConfiguration.disableCookies", live: false, desired: true });
      return { siteKey: key, productId: site.productId, operation: "update", live: site, desired, changes };
    });
    emulator.resetStats();
    emulator.resetCalls();
    const outcome = await backend.apply(
      planOf(live, plans, { reassert: [{ field: "ipMaskBytes", desired: 2, enforced: true }, { field: "doNotTrack", desired: true, enforced: true }] }),
      live,
      { prune: false },
    );
    expect(outcome.sites.filter((s) => !s.ok)).toEqual([]);
    expect(readRequests).toBeLessThanOrEqual(readBudget);
    expect(emulator.stats.requests).toBeLessThanOrEqual(applyBudget);
    expect(emulator.stats.requests).toBeLessThanOrEqual(30);
    expect(Math.max(...subRequestsPerRequest())).toBeLessThanOrEqual(500);
    console.log(`apply of ${count} changed sites${withContainers ? " with containers" : ""}: read ${readRequests} requests, apply ${emulator.stats.requests} requests, ${backend.traffic.bytesSent} bytes sent, ${backend.traffic.bytesReceived} received`);
    const after = await backend.read();
    expect(after.sites.filter((s) => s.name.endsWith(` r${round}`))).toHaveLength(count);
  }, 60_000);
});
