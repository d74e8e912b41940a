import type { PiwikProClient } from "./client";
import { PiwikProError } from "./errors";

/**
 * Tag changes go into the Tag Manager draft; visitors get them only once the draft is published.
 * `POST …/versions/draft/publish` answers 202 with an operation, which moves from `created` through
 * `started` to `completed` or `failed`: it is polled, with a growing interval, until it ends or the
 * timeout passes.
 */
export interface PublishSettings {
  instanceId: string;
  /** How long to wait for the operation to complete. */
  timeoutMs: number;
  /** First pause between two polls; grows by half each time, up to `maxPollIntervalMs`. */
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  /** Attempts at the POST itself when its answer is lost (the draft is checked in between). */
  attempts: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  log: (message: string) => void;
}

export interface PublishResult {
  operationId?: string;
  /** How it ended: `completed`, or `already published` when a lost request had done it. */
  outcome: "completed" | "already published";
}

export async function publishAndWait(client: PiwikProClient, appId: string, label: string, settings: PublishSettings): Promise<PublishResult> {
  const where = `Piwik PRO instance '${settings.instanceId}': publishing the Tag Manager draft of app ${label}`;
  let operationId: string | undefined;
  let resent = false;
  for (let attempt = 1; operationId === undefined; attempt++) {
    try {
      operationId = await client.publishDraft(appId, label);
    } catch (err) {
      // A publish is not idempotent: a second one of a draft already published fails. Look first.
      if (!(err instanceof PiwikProError) || !err.outcomeUnknown || attempt >= settings.attempts) throw err;
      const pending = await client.draftHasChanges(appId, label);
      if (pending === false) return { outcome: "already published" };
      resent = true;
      settings.log(`${where}: the answer to the publish request was lost and the draft still has changes; asking again`);
    }
  }

  const deadline = settings.now() + settings.timeoutMs;
  let interval = settings.pollIntervalMs;
  let last = "created";
  for (;;) {
    const operation = await client.getOperation(appId, operationId, label);
    last = operation.state;
    if (operation.state === "completed") return { operationId, outcome: "completed" };
    if (operation.state === "failed") {
      // A request sent again after a lost answer may find its first copy already did the work.
      if (resent && (await client.draftHasChanges(appId, label)) === false) return { operationId, outcome: "already published" };
      throw new PiwikProError(`${where}: operation ${operationId} failed${summaryText(operation.summary)}. The tag changes are saved in the draft but not live; publish the draft in Tag Manager, or run apply again after fixing the cause.`, {
        kind: "publish",
        method: "GET",
        path: `/api/tag/v1/${appId}/operations/${operationId}`,
        app: label,
      });
    }
    if (settings.now() >= deadline)
      throw new PiwikProError(
        `${where}: operation ${operationId} did not complete within ${duration(settings.timeoutMs)} (last state: ${last}). The tag changes are saved in the draft; check the publish in Tag Manager before running apply again.`,
        { kind: "publish", method: "GET", path: `/api/tag/v1/${appId}/operations/${operationId}`, app: label },
      );
    await settings.sleep(Math.min(interval, Math.max(0, deadline - settings.now())));
    interval = Math.min(Math.round(interval * 1.5), settings.maxPollIntervalMs);
  }
}

function summaryText(summary: unknown): string {
  if (summary === undefined || summary === null) return "";
  const errors = (summary as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length) return `: ${errors.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("; ").slice(0, 300)}`;
  const text = JSON.stringify(summary);
  return text === "{}" ? "" : ` (${text.slice(0, 300)})`;
}

function duration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
