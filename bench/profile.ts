/** What a run measures: the full benchmark of issue 7, or the reduced one CI runs so it cannot rot. */
export interface BenchProfile {
  mode: "full" | "reduced";
  /** Matomo fleet sizes, ascending. */
  fleets: number[];
  /** The fleet whose plan and apply are held to the request budgets (and the speed-up). */
  goalFleet: number;
  /** The per-resource speed-up asked of the goal fleet's plan; none where fixed costs dominate. */
  speedupGoal?: number;
  /** Plans per fleet; the median is reported. */
  planRuns: number;
  /** The fleet audited through the counting proxy (the largest: the bulk cap matters most there). */
  auditFleet: number;
  /** The fleet synthesised and deployed with cdktf (one of `fleets`, so it is already seeded). */
  cdktfSites: number;
  piwikApps: number;
  memorySites: number;
  latencyMs: number;
}

export const FULL: BenchProfile = {
  mode: "full",
  fleets: [100, 1000, 3000],
  goalFleet: 1000,
  speedupGoal: 20,
  planRuns: 5,
  auditFleet: 3000,
  cdktfSites: 1000,
  piwikApps: 300,
  memorySites: 10_000,
  latencyMs: 20,
};

/** Small fleets, the same code paths and the goals that mean something at that size. */
export const REDUCED: BenchProfile = {
  mode: "reduced",
  fleets: [40, 120],
  goalFleet: 120,
  planRuns: 3,
  auditFleet: 120,
  cdktfSites: 40,
  piwikApps: 60,
  memorySites: 300,
  latencyMs: 20,
};
