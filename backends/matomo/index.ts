import type { ApplyOutcome, BackendFactory, BackendOptions, InstancePlan, LiveInstance, ProductBackend, TrafficCounters } from "../../engine/types";
import type { Instance } from "../../model/config";
import type { MatomoInstance } from "../../model/matomo";
import { readOptionalSecret, readSecret, redactSecrets } from "../../model/secrets";
import { applyMatomoPlan } from "./apply";
import { MatomoClient } from "./client";
import { MatomoError } from "./errors";
import { readMatomo, type ReadCache } from "./read";
import { MatomoTransport } from "./transport";

export { MatomoError } from "./errors";
export type { MatomoErrorKind } from "./errors";
export { MAX_SUBREQUESTS_PER_BULK } from "./client";
export { CHEAP_CONTAINER_SCAN_SITES } from "./read";

/** Tuning that tests and the benchmark may change; users set timeouts, retries and concurrency. */
export interface MatomoBackendOptions extends BackendOptions {
  /** First retry delay; doubles each time, with jitter. Default 500 ms. */
  backoffBaseMs?: number;
  /** Longest Retry-After honoured. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Fixes the Tag Manager version names of a run. */
  runStamp?: string;
}

export const DEFAULT_BACKOFF_BASE_MS = 500;
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

class MatomoBackend implements ProductBackend {
  readonly product = "matomo" as const;
  private readonly client: MatomoClient;
  private readonly backoffBaseMs: number;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private cache?: ReadCache;
  private readonly log: (message: string) => void;

  constructor(
    private readonly instanceId: string,
    private readonly instance: MatomoInstance,
    private readonly options: MatomoBackendOptions,
  ) {
    const c = instance.client;
    // Log lines are built from names and redacted errors; redacted again, whatever path they took.
    const log = (m: string) => options.log(redactSecrets(m));
    this.log = log;
    this.backoffBaseMs = options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    this.retries = options.retries ?? c.retries;
    this.timeoutMs = options.timeoutMs ?? c.timeoutMs;
    const transport = new MatomoTransport({
      instanceId,
      url: instance.url,
      tokenEnv: instance.auth.tokenEnv,
      readToken: () => readSecret(options.env, instance.auth.tokenEnv, `the Matomo token_auth of instance '${instanceId}'`),
      timeoutMs: this.timeoutMs,
      retries: this.retries,
      concurrency: options.concurrency ?? c.concurrency,
      allowInsecureHttp: options.allowInsecureHttp,
      backoffBaseMs: this.backoffBaseMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
      log,
    });
    this.client = new MatomoClient(transport, instanceId);
  }

  get traffic(): TrafficCounters {
    return this.client.traffic;
  }

  private password(): string | undefined {
    return readOptionalSecret(this.options.env, this.instance.auth.passwordEnv);
  }

  async read(): Promise<LiveInstance> {
    const { live, cache } = await readMatomo(this.client, {
      instanceId: this.instanceId,
      instance: this.instance,
      hasPassword: this.password() !== undefined,
      onlySites: this.options.onlySites,
    });
    this.cache = cache;
    return live;
  }

  async apply(plan: InstancePlan, live: LiveInstance, options: { prune: boolean }): Promise<ApplyOutcome> {
    return applyMatomoPlan(this.client, plan, live, options, {
      instanceId: this.instanceId,
      instance: this.instance,
      password: this.password(),
      cache: this.cache,
      baseUrl: this.client.transport.baseUrl,
      retries: this.retries,
      backoffBaseMs: this.backoffBaseMs,
      timeoutMs: this.timeoutMs,
      log: this.log,
      runStamp: this.options.runStamp,
    });
  }
}

/** The Matomo backend of one instance. Nothing is sent, and no secret read, before `read()`. */
export const createMatomoBackend: BackendFactory = (instanceId: string, instance: Instance, options: BackendOptions): ProductBackend => {
  if (instance.kind !== "matomo") throw new MatomoError(`instance '${instanceId}' is a ${instance.kind} instance, not matomo`, { kind: "config" });
  return new MatomoBackend(instanceId, instance, options as MatomoBackendOptions);
};
