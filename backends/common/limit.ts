/**
 * At most `size` HTTP requests in flight against one instance or account, however much work is
 * waiting: a shared Matomo, or a Piwik PRO organisation, serves other people too.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`concurrency must be a positive integer, got ${size}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so a newcomer cannot overtake the queue (and
      // the count can never pass `size` between a release and the waiter's resumption).
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task` on every item with at most `width` running at once; results keep the input order. */
export async function mapLimited<T, R>(items: readonly T[], width: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, width), items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Like Promise.allSettled, keeping the order, for work where one failure must not stop the rest. */
export async function settle<T>(tasks: ReadonlyArray<Promise<T>>): Promise<Array<{ ok: true; value: T } | { ok: false; error: unknown }>> {
  return Promise.all(tasks.map((t) => t.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }))));
}
