import { encodeSubRequest, flattenParams, type Params } from "./encoding";
import { describeCall, MatomoError } from "./errors";
import { errorMessageOf, type MatomoTransport } from "./transport";

/**
 * The Matomo API as the rest of the backend sees it: single calls, and batches sent through
 * `API.getBulkRequest` in chunks. A failing sub-request fails alone; a chunk that fails as a whole
 * fails each of its calls, with the chunk's reason.
 */
export interface ApiCall {
  method: string;
  params?: Params;
  /** The site concerned, as `key (idSite N)`, for messages. */
  site?: string;
  /** Reads and idempotent writes: may be sent again after an unknown outcome. */
  retrySafe: boolean;
}

export type CallResult = { ok: true; value: unknown } | { ok: false; error: MatomoError };

/**
 * PHP's `max_input_vars` (1,000 by default) silently drops form fields past the limit, and the
 * first field dropped decides what breaks (the token, then `filter_limit`). 500 sub-requests plus
 * the token and `filter_limit` stay far below it, whatever the fleet size.
 */
export const MAX_SUBREQUESTS_PER_BULK = 500;

export class MatomoClient {
  constructor(
    readonly transport: MatomoTransport,
    readonly instanceId: string,
  ) {}

  get traffic() {
    return this.transport.traffic;
  }

  /** One call on its own. `filter_limit=-1` always: the 100-row default cuts every list. */
  async call(method: string, params: Params = {}, options: { site?: string; retrySafe: boolean }): Promise<unknown> {
    return this.transport.request(method, [["filter_limit", "-1"], ...flattenParams(params)], { call: method, site: options.site, retrySafe: options.retrySafe });
  }

  /**
   * Runs calls in as few HTTP requests as possible; results keep the input order. Chunks go out
   * together, the transport's limiter bounding how many are in flight. Throws only for failures
   * that must stop everything (refused token, lockout, refused configuration).
   */
  async bulk(calls: readonly ApiCall[], options: { chunkSize?: number } = {}): Promise<CallResult[]> {
    const results = new Array<CallResult>(calls.length);
    await this.bulkEach(calls, (chunk, offset) => chunk.forEach((r, i) => (results[offset + i] = r)), options);
    return results;
  }

  /**
   * Like `bulk`, but hands each chunk's results to `onChunk` as soon as its request answers, and
   * keeps none: a fleet's Tag Manager exports are tens of megabytes, and held all at once they
   * were most of a large plan's memory.
   */
  async bulkEach(calls: readonly ApiCall[], onChunk: (results: CallResult[], offset: number) => void, options: { chunkSize?: number } = {}): Promise<void> {
    if (calls.length === 0) return;
    const cap = Math.max(1, Math.min(options.chunkSize ?? MAX_SUBREQUESTS_PER_BULK, MAX_SUBREQUESTS_PER_BULK));
    // Balanced chunks (1,002 calls → 3 × 334, not 500 + 500 + 2): they run side by side.
    const size = Math.ceil(calls.length / Math.ceil(calls.length / cap));
    const sends: Promise<void>[] = [];
    for (let i = 0; i < calls.length; i += size) {
      const offset = i;
      sends.push(this.sendChunk(calls.slice(i, i + size)).then((results) => onChunk(results, offset)));
    }
    await Promise.all(sends);
  }

  private async sendChunk(chunk: readonly ApiCall[]): Promise<CallResult[]> {
    const label = `API.getBulkRequest (${summarise(chunk)})`;
    const site = chunk.length === 1 ? chunk[0].site : undefined;
    let answer: unknown;
    try {
      answer = await this.transport.request(
        "API.getBulkRequest",
        [["filter_limit", "-1"], ...chunk.map((c) => ["urls[]", encodeSubRequest(c.method, c.params ?? {})] as const)],
        { call: label, site, retrySafe: chunk.every((c) => c.retrySafe) },
      );
    } catch (err) {
      if (!(err instanceof MatomoError) || err.fatal) throw err;
      return chunk.map((c) => ({
        ok: false as const,
        error: new MatomoError(`${describeCall(c.method, c.site)} was sent in a bulk request that failed: ${err.message}`, {
          kind: err.kind,
          call: c.method,
          site: c.site,
          status: err.status,
          matomoMessage: err.matomoMessage,
          outcomeUnknown: err.outcomeUnknown,
          requestError: err,
        }),
      }));
    }
    if (!Array.isArray(answer) || answer.length !== chunk.length) {
      const got = Array.isArray(answer) ? `${answer.length} results` : `a ${answer === null ? "null" : typeof answer}`;
      const writes = chunk.some((c) => !c.retrySafe);
      return chunk.map((c) => ({
        ok: false as const,
        error: new MatomoError(
          `Matomo instance '${this.instanceId}': ${describeCall(c.method, c.site)}: ${label} answered ${got} for ${chunk.length} sub-requests${writes ? "; the writes in it may or may not have been executed" : ""}`,
          { kind: "malformed", call: c.method, site: c.site, outcomeUnknown: writes && !c.retrySafe },
        ),
      }));
    }
    return chunk.map((c, i) => {
      const message = errorMessageOf(answer[i]);
      if (message === undefined) return { ok: true as const, value: answer[i] };
      return {
        ok: false as const,
        error: new MatomoError(`Matomo instance '${this.instanceId}': ${describeCall(c.method, c.site)}: Matomo said: ${message}`, {
          kind: "api",
          call: c.method,
          site: c.site,
          matomoMessage: message,
        }),
      };
    });
  }
}

/** "SitesManager.updateSite ×480, UsersManager.setUserAccess ×20" */
function summarise(chunk: readonly ApiCall[]): string {
  const counts = new Map<string, number>();
  for (const c of chunk) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
  const parts = [...counts].map(([m, n]) => (n > 1 ? `${m} ×${n}` : m));
  return parts.length > 4 ? `${parts.slice(0, 4).join(", ")}, …` : parts.join(", ");
}
