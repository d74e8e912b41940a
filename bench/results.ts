/** The shape of the benchmark's JSON: every figure of one run, the goals and whether each was met. */

export interface TrafficFigures {
  requests: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface CommandFigures extends TrafficFigures {
  ms: number;
  exitCode: number;
  /** Changes the report counted (applied ones, for apply). */
  changes: number;
}

export interface FleetFigures {
  sites: number;
  seed: { ms: number; requests: number };
  /** Set-up: the first apply after seeding (Tag Manager configurations, access), so that a plan has nothing to change. */
  firstApply: CommandFigures;
  /** `exempt plan` with nothing to change: the median of `runs`. */
  plan: CommandFigures & { runs: number[] };
  /** The same plan in a new process (`node bin/exempt.js plan`): start-up and module loading included. */
  coldPlan: { ms: number; exitCode: number; peakRssMb: number };
  /** `exempt apply` with every site renamed and a list flipped. */
  apply: CommandFigures & { sitesChanged: number };
  perResource: TrafficFigures & { ms: number; parallelism: number };
  /** per-resource ÷ Exempt plan. */
  ratio: { time: number; requests: number; bytes: number };
}

export interface AuditFigures {
  sites: number;
  /** Untimed runs through a counting proxy: what reached the wire. */
  plan: { requests: number; maxSubRequests: number; subRequests: number; bytesSent: number; bytesReceived: number; exemptCounted: TrafficFigures };
  apply: { requests: number; maxSubRequests: number; subRequests: number; bytesSent: number; bytesReceived: number; exemptCounted: TrafficFigures };
}

export interface PiwikProFigures {
  apps: number;
  concurrency: number;
  plan: CommandFigures & { runs: number[] };
  /** requests × latency ÷ concurrency. */
  goalMs: number;
  ratio: number;
  seed: CommandFigures;
}

export interface CdktfFigures {
  sites: number;
  synth: { ms: number; exitCode: number };
  /** sitesChanged: sites a plan right after the deploy finds as declared (each had another name before). */
  deploy: { ms: number; exitCode: number; sitesChanged: number };
}

export interface MemoryFigures {
  sites: number;
  peakRssMb: number;
  rusageMb?: number;
  vmHwmMb?: number;
  ms: number;
  exitCode: number;
  seedMs: number;
}

export interface GoalResult {
  id: string;
  goal: string;
  measured: string;
  met: boolean;
  /** How far from the limit, e.g. "2.3× under" or "missed by 12%". */
  margin: string;
}

export interface MachineFigures {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  release: string;
}

export interface BenchResults {
  schema: "exempt-bench/1";
  mode: "full" | "reduced";
  command: string;
  startedAt: string;
  totalMs: number;
  machine: MachineFigures;
  latencyMs: number;
  matomo: FleetFigures[];
  audit?: AuditFigures;
  piwikpro?: PiwikProFigures;
  cdktf?: CdktfFigures;
  memory?: MemoryFigures;
  goals: GoalResult[];
  ok: boolean;
}
