/**
 * Fault injection shared by both emulators. Faults are chosen by a seeded PRNG so that a failing
 * test can be replayed, and can also be scripted one by one for tests of a precise situation
 * ("the response to this addSite is lost after the site was created").
 */
export type FaultKind =
  | "error" //       answered 5xx (500, 502 or 503) before the request is processed
  | "drop-before" // connection destroyed before the request is processed
  | "drop-after" //  request processed, then the connection destroyed: the effect happened, the answer is lost
  | "stall" //       request processed, the answer held back for stallMs (past the client's timeout)
  | "rate-limit"; // answered 429 with Retry-After before the request is processed

export interface FaultSettings {
  /** Added before every answer, in milliseconds. */
  latencyMs: number;
  /** Share (0..1) of requests answered with a 5xx before processing. */
  errorRate: number;
  /** Share (0..1) of requests whose connection is dropped (half before, half after processing). */
  dropRate: number;
  /** Share (0..1) of requests processed and then held for `stallMs`. */
  stallRate: number;
  stallMs: number;
  /** Share (0..1) of requests answered 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitRate: number;
  retryAfterSeconds: number;
  /** When set, random faults only hit operations whose name matches (e.g. /addSite|updateSite/). */
  only?: RegExp;
  /** PRNG seed, so a run is reproducible. */
  seed: number;
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  dropRate: 0,
  stallRate: 0,
  stallMs: 2500,
  rateLimitRate: 0,
  retryAfterSeconds: 1,
  seed: 1,
};

export interface ScriptedFault {
  kind: FaultKind;
  /** Matches the operation name; absent = the next request whatever it is. */
  match?: RegExp;
}

/** mulberry32: small, fast, good enough to spread faults evenly and reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private settings: FaultSettings;
  private random: () => number;
  private scripted: ScriptedFault[] = [];
  /** How many faults of each kind were injected: the fault suites report these figures. */
  readonly injected: Record<FaultKind, number> = { error: 0, "drop-before": 0, "drop-after": 0, stall: 0, "rate-limit": 0 };

  constructor(settings: Partial<FaultSettings> = {}) {
    this.settings = { ...NO_FAULTS, ...settings };
    this.random = prng(this.settings.seed);
  }

  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  set(settings: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...settings };
    if (settings.seed !== undefined) this.random = prng(settings.seed);
  }

  reset(): void {
    this.settings = { ...NO_FAULTS };
    this.random = prng(NO_FAULTS.seed);
    this.scripted = [];
  }

  /** Queues faults that hit the next matching requests, in order, before any random fault. */
  script(...faults: ScriptedFault[]): void {
    this.scripted.push(...faults);
  }

  get pendingScripted(): number {
    return this.scripted.length;
  }

  /** Decides the fault (if any) for one request, given its operation name. */
  pick(operation: string): FaultKind | undefined {
    const idx = this.scripted.findIndex((f) => !f.match || f.match.test(operation));
    if (idx >= 0) {
      const [fault] = this.scripted.splice(idx, 1);
      this.injected[fault.kind]++;
      return fault.kind;
    }
    const s = this.settings;
    if (s.only && !s.only.test(operation)) return undefined;
    const r = this.random();
    let edge = 0;
    const pickIf = (rate: number, kind: FaultKind): FaultKind | undefined => {
      edge += rate;
      return r < edge ? kind : undefined;
    };
    const kind =
      pickIf(s.errorRate, "error") ??
      pickIf(s.rateLimitRate, "rate-limit") ??
      pickIf(s.stallRate, "stall") ??
      (r < edge + s.dropRate ? (this.random() < 0.5 ? "drop-before" : "drop-after") : undefined);
    if (kind) this.injected[kind]++;
    return kind;
  }
}
