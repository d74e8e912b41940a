/** Small measuring helpers: wall clock in milliseconds, medians, ratios. */

export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `task` `times` times and keeps the run whose `ms` is the median. The machine is shared
 * (two cores, other jobs): one run can be unlucky, and a median says what a user typically sees
 * without picking the luckiest.
 */
export async function medianRun<T extends { ms: number }>(times: number, task: () => Promise<T>): Promise<{ run: T; all: number[] }> {
  const runs: T[] = [];
  for (let i = 0; i < times; i++) runs.push(await task());
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return { run: sorted[Math.floor((sorted.length - 1) / 2)], all: runs.map((r) => r.ms) };
}

export const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
