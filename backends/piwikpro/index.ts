import type { ApplyOutcome, BackendFactory, BackendOptions, InstancePlan, LiveInstance, ProductBackend } from "../../engine/types";
import type { Instance } from "../../model/config";
import type { PiwikProInstance } from "../../model/piwikpro";
import { readSecret, redactSecrets } from "../../model/secrets";
import { applyPiwikPro } from "./apply";
import { TokenSource } from "./auth";
import { PiwikProClient } from "./client";
import { PiwikProError } from "./errors";
import { sleep as realSleep } from "../common/limit";
import { PLATFORM_PAGE_SIZE, TAG_MANAGER_PAGE_SIZE } from "./pagination";
import { readPiwikPro } from "./read";
import { PiwikProTransport } from "./transport";

export { PiwikProError } from "./errors";
export { UNCONFIRMED_NOTES } from "./unconfirmed";

/**
 * The Piwik PRO backend: `createPiwikProBackend` is what the engine loads. Timeouts, retries and
 * concurrency come from the instance's `client` settings, overridden by the command line; the
 * rest are fixed here with values that suit the product, and can be changed by tests through
 * `createPiwikProBackendWith`.
 */
export interface PiwikProTuning {
  /** The backend's clock (token expiry, publish timeout). Default Date.now. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** First retry pause; doubles each retry, with jitter. */
  backoffBaseMs: number;
  /** Longest Retry-After honoured on a 429. */
  maxRetryAfterMs: number;
  /** 429 answers one call may wait out before giving up. */
  maxRateLimitWaits: number;
  /** Renew the token this long before it expires (Piwik PRO's own client renews 60 s early). */
  tokenRenewBeforeMs: number;
  /** How long a Tag Manager publish may take before the apply says so. */
  publishTimeoutMs: number;
  publishPollIntervalMs: number;
  publishMaxPollIntervalMs: number;
  /** Items per page of the platform lists (apps, users, permissions); at most 1000. */
  platformPageSize: number;
  /** Tags per page of a Tag Manager list. */
  tagPageSize: number;
}

export const DEFAULT_TUNING: PiwikProTuning = {
  now: Date.now,
  sleep: realSleep,
  backoffBaseMs: 250,
  maxRetryAfterMs: 60_000,
  maxRateLimitWaits: 10,
  tokenRenewBeforeMs: 60_000,
  publishTimeoutMs: 120_000,
  publishPollIntervalMs: 500,
  publishMaxPollIntervalMs: 5_000,
  platformPageSize: PLATFORM_PAGE_SIZE,
  tagPageSize: TAG_MANAGER_PAGE_SIZE,
};

export interface PiwikProBackend extends ProductBackend {
  /** Tokens fetched so far (one per 30 minutes in a healthy run). */
  readonly tokensFetched: number;
}

export function createPiwikProBackendWith(tuning: Partial<PiwikProTuning> = {}): (instanceId: string, instance: Instance, options: BackendOptions) => PiwikProBackend {
  const t: PiwikProTuning = { ...DEFAULT_TUNING, ...tuning };
  return (instanceId, instance, options) => {
    if (instance.kind !== "piwikpro") throw new PiwikProError(`instance '${instanceId}' is a ${instance.kind} instance, not Piwik PRO`, { kind: "config" });
    const config: PiwikProInstance = instance;
    const log = (message: string) => options.log(redactSecrets(message));
    const timeoutMs = options.timeoutMs ?? config.client.timeoutMs;
    const retries = options.retries ?? config.client.retries;
    const concurrency = options.concurrency ?? config.client.concurrency;
    const transport = new PiwikProTransport({
      instanceId,
      url: config.url,
      timeoutMs,
      retries,
      concurrency,
      allowInsecureHttp: options.allowInsecureHttp,
      backoffBaseMs: t.backoffBaseMs,
      maxRetryAfterMs: t.maxRetryAfterMs,
      maxRateLimitWaits: t.maxRateLimitWaits,
      clientIdEnv: config.auth.clientIdEnv,
      clientSecretEnv: config.auth.clientSecretEnv,
      log,
      sleep: t.sleep,
    });
    const client = new PiwikProClient(transport, instanceId, { platform: Math.min(t.platformPageSize, PLATFORM_PAGE_SIZE), tags: t.tagPageSize });
    const tokens = new TokenSource({
      // Read when the first token is needed, so that building a backend stays offline and free of secrets.
      fetch: () =>
        client.issueToken(
          readSecret(options.env, config.auth.clientIdEnv, "the Piwik PRO API client id"),
          readSecret(options.env, config.auth.clientSecretEnv, "the Piwik PRO API client secret"),
        ),
      now: t.now,
      renewBeforeMs: t.tokenRenewBeforeMs,
    });
    transport.useTokens(tokens);

    return {
      product: "piwikpro",
      traffic: transport.traffic,
      get tokensFetched() {
        return tokens.fetched;
      },
      async read(): Promise<LiveInstance> {
        const live = await readPiwikPro(client, { instanceId, instance: config, onlySites: options.onlySites, concurrency, allTagDrafts: options.readAllTagDrafts });
        if (transport.seen.rateLimited > 0)
          live.notes.push(`Piwik PRO answered HTTP 429 (rate limited) ${transport.seen.rateLimited} time(s) so far; Exempt waited as asked.`);
        return live;
      },
      apply(plan: InstancePlan, live: LiveInstance, applyOptions: { prune: boolean }): Promise<ApplyOutcome> {
        return applyPiwikPro(client, plan, live, applyOptions, {
          instanceId,
          concurrency,
          log,
          create: { attempts: retries + 1, backoff: (n) => transport.backoff(n), sleep: t.sleep, log },
          publish: {
            instanceId,
            timeoutMs: t.publishTimeoutMs,
            pollIntervalMs: t.publishPollIntervalMs,
            maxPollIntervalMs: t.publishMaxPollIntervalMs,
            attempts: retries + 1,
            now: t.now,
            sleep: t.sleep,
            log,
          },
        });
      },
    };
  };
}

export const createPiwikProBackend: BackendFactory = createPiwikProBackendWith();
