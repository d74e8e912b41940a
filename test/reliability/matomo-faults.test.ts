import { runExempt } from "../support/cli";
import { EXAMPLE_FLEET, rawMatomo, startTestMatomo, TestMatomo, writeCalls } from "../support/matomo";
import { tempDir, writeFile } from "../support/tmp";
import { RunReportSchema } from "../../engine/report-schema";
import type { FaultSettings } from "../../emulators/common/faults";

/**
 * `exempt apply` on the example fleet while the emulator misbehaves. Each run must converge (a
 * second run finds nothing to change) or stop with a clear error naming the site; no site is ever
 * created twice. The figures are printed for the release note.
 */
interface Profile {
  name: string;
  faults: Partial<FaultSettings>;
  seeds: number[];
  flags: string[];
}

const PROFILES: Profile[] = [
  { name: "20% of calls answered 5xx", faults: { errorRate: 0.2 }, seeds: [1, 2, 3], flags: ["--retries", "6", "--timeout-ms", "2000"] },
  { name: "20% of connections dropped (before or after the work)", faults: { dropRate: 0.2 }, seeds: [5, 6, 7], flags: ["--retries", "6", "--timeout-ms", "2000"] },
  { name: "2-second stalls past a 700 ms timeout", faults: { stallRate: 0.15, stallMs: 2000 }, seeds: [9, 10], flags: ["--retries", "6", "--timeout-ms", "700"] },
  { name: "429 bursts with Retry-After", faults: { rateLimitRate: 0.3, retryAfterSeconds: 1 }, seeds: [11, 12], flags: ["--retries", "8"] },
  { name: "all of them at once", faults: { errorRate: 0.1, dropRate: 0.1, stallRate: 0.05, stallMs: 2000, rateLimitRate: 0.1, retryAfterSeconds: 1 }, seeds: [14], flags: ["--retries", "8", "--timeout-ms", "700"] },
  // Past what retries can absorb: the run must give up clearly, and the next one converge.
  { name: "60% of calls answered 5xx with a single retry", faults: { errorRate: 0.6 }, seeds: [21, 22], flags: ["--retries", "1", "--timeout-ms", "2000"] },
];

const tally = { runs: 0, converged: 0, stoppedClearly: 0, faults: 0, duplicates: 0 };
afterAll(() => {
  console.log(`fault runs: ${tally.runs}, converged on the first run: ${tally.converged}, stopped with a clear error then converged: ${tally.stoppedClearly}, faults injected: ${tally.faults}, duplicate sites: ${tally.duplicates}`);
});

describe("exempt apply under injected faults", () => {
  let matomo: TestMatomo;
  let dir: string;
  let config: string;
  const exempt = (...args: string[]) => runExempt([...args, "--config", config], { env: { ...matomo.env, EXEMPT_LOCK_DIR: dir } });

  beforeEach(async () => {
    matomo = await startTestMatomo();
    dir = tempDir();
    config = writeFile(dir, "exempt.yaml", EXAMPLE_FLEET());
  });
  afterEach(() => matomo.close());

  for (const profile of PROFILES)
    for (const seed of profile.seeds)
      it(`${profile.name} (seed ${seed}): converges, or stops naming the site and converges on the next run; no duplicate`, async () => {
        matomo.emulator.faults.set({ ...profile.faults, seed });
        const first = await exempt("apply", "--format", "json", ...profile.flags);
        tally.runs++;
        tally.faults += Object.values(matomo.emulator.faults.injected).reduce((a, b) => a + b, 0);
        matomo.emulator.faults.reset();
        const report = RunReportSchema.parse(JSON.parse(first.stdout));
        if (first.code === 0) tally.converged++;
        else {
          // A run that gave up says which site or instance, in words.
          expect(first.code).toBe(1);
          const instance = report.instances[0];
          const said = [instance.error ?? "", ...instance.sites.filter((s) => s.outcome && !s.outcome.ok).map((s) => `${s.siteKey}: ${s.outcome!.error}`)].join("\n");
          expect(said).toMatch(/\S/);
          expect(first.stdout + first.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
          tally.stoppedClearly++;
          expect((await exempt("apply")).code).toBe(0);
        }
        const plan = await exempt("plan", "--format", "json");
        expect(RunReportSchema.parse(JSON.parse(plan.stdout)).summary.changes).toBe(0);
        for (const url of ["https://www.example.gouv.fr", "https://demarches.example.gouv.fr", "https://boutique.example.gouv.fr"]) {
          const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url });
          if (ids.length !== 1) tally.duplicates++;
          expect(ids).toHaveLength(1);
        }
      }, 60_000);

  it("a create whose answer is lost is checked before it is sent again: one site, not two", async () => {
    matomo.emulator.faults.script({ kind: "drop-after", match: /addSite/ });
    expect((await exempt("apply")).code).toBe(0);
    expect(writeCalls(matomo.emulator).filter((c) => c.method === "SitesManager.addSite")).toHaveLength(3);
    const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: matomo.token });
    expect(ids).toHaveLength(4);
  });

  it("one failing site does not stop the others, and the exit code is 1", async () => {
    writeFile(dir, "exempt.yaml", EXAMPLE_FLEET().replace("        mode: consent\n", "        mode: consent\n        timezone: Mars/Olympus\n"));
    const r = await exempt("apply", "--format", "json");
    expect(r.code).toBe(1);
    const sites = RunReportSchema.parse(JSON.parse(r.stdout)).instances[0].sites;
    expect(sites.find((s) => s.siteKey === "boutique")!.outcome).toMatchObject({ ok: false, error: expect.stringContaining("Mars/Olympus") });
    expect(sites.filter((s) => s.outcome?.ok).map((s) => s.siteKey)).toEqual(["www", "demarches"]);
  });

  it("two applies against one instance cannot interleave: the second waits for the first, or stops with a clear message", async () => {
    matomo.emulator.faults.set({ latencyMs: 120 });
    const [a, b] = await Promise.all([exempt("apply"), new Promise((r) => setTimeout(r, 150)).then(() => exempt("apply", "--lock-wait-ms", "50"))]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(1);
    expect(b.stdout + b.stderr).toContain("another exempt apply is running against");
    // Waiting long enough, the second one runs after the first and finds nothing to change.
    matomo.emulator.resetCalls();
    const [c, d] = await Promise.all([exempt("apply", "--format", "json"), new Promise((r) => setTimeout(r, 150)).then(() => exempt("apply", "--format", "json", "--lock-wait-ms", "30000"))]);
    expect([c.code, d.code]).toEqual([0, 0]);
    const writes = writeCalls(matomo.emulator);
    // The two runs' writes are two separate blocks: the second starts after the first ends.
    const runsOfWrites = writes.map((w) => w.method).join(",");
    expect(runsOfWrites).toBe([...new Array(2)].map(() => "PrivacyManager.setAnonymizeIpSettings,PrivacyManager.activateDoNotTrack,PrivacyManager.setDeleteLogsSettings").join(","));
  }, 60_000);
});
