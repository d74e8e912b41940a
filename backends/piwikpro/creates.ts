import { randomUUID } from "node:crypto";
import { urlIdentity } from "../../model/config";
import type { PiwikProApp, PiwikProTag } from "../../model/piwikpro";
import type { PiwikProClient, Resource } from "./client";
import { PiwikProError } from "./errors";
import type { AppAttributes, TagAttributes } from "./responses";

/**
 * Creates that never duplicate. An app or a tag is created with an id Exempt chooses (the
 * documents let the client set it), in one attempt. When the answer is lost (timeout, dropped
 * connection, 5xx), the create may or may not have happened: Exempt looks for it, by that id and,
 * in case the server ignored the id, among the newest items by name, and sends the create again
 * only when it is not there.
 */
export interface CreateSettings {
  /** Attempts in all, the first included. */
  attempts: number;
  backoff: (attempt: number) => number;
  sleep: (ms: number) => Promise<void>;
  log: (message: string) => void;
}

export interface Created<A> {
  resource: Resource<A>;
  /** True when the create's answer was lost and the item was found afterwards. */
  found: boolean;
}

async function createChecked<A>(what: string, create: () => Promise<Resource<A>>, find: () => Promise<Resource<A> | undefined>, settings: CreateSettings): Promise<Created<A>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { resource: await create(), found: false };
    } catch (err) {
      if (!(err instanceof PiwikProError) || !err.outcomeUnknown) throw err;
      const existing = await find();
      if (existing) {
        settings.log(`${what}: the answer was lost, but it was created; using it`);
        return { resource: existing, found: true };
      }
      if (attempt >= settings.attempts) throw err;
      const delay = settings.backoff(attempt);
      settings.log(`${what}: the answer was lost and it was not created; creating again in ${delay} ms`);
      await settings.sleep(delay);
    }
  }
}

/** How many of the newest apps are looked through for a create whose id the server did not keep. */
const RECENT_APPS = 50;

export function createAppChecked(client: PiwikProClient, app: PiwikProApp, attributes: Record<string, unknown>, knownAppIds: ReadonlySet<string>, label: string, settings: CreateSettings): Promise<Created<AppAttributes>> {
  const appId = randomUUID();
  return createChecked(
    `creating app ${label}`,
    () => client.createApp(appId, attributes, label),
    async () => {
      const byId = await client.findApp(appId, label);
      if (byId) return byId;
      const main = urlIdentity(app.urls[0]);
      for (const item of await client.recentApps(RECENT_APPS)) {
        if (knownAppIds.has(item.id) || item.attributes.name !== app.name) continue;
        const candidate = await client.getApp(item.id, label);
        const first = candidate.attributes.urls?.[0];
        if (first !== undefined && urlIdentity(first) === main) return candidate;
      }
      return undefined;
    },
    settings,
  );
}

export function createTagChecked(client: PiwikProClient, appId: string, tag: PiwikProTag, attributes: Record<string, unknown>, knownTagIds: ReadonlySet<string>, label: string, settings: CreateSettings): Promise<Created<TagAttributes>> {
  const tagId = randomUUID();
  return createChecked(
    `creating tag "${tag.name}" of app ${label}`,
    () => client.createTag(appId, tagId, attributes, label),
    async () => {
      const byId = await client.findTag(appId, tagId, label);
      if (byId) return byId;
      const match = (await client.listTags(appId, label)).find((t) => !knownTagIds.has(t.id) && t.attributes.name === tag.name && t.attributes.template === tag.template);
      return match ? client.getTag(appId, match.id, label) : undefined;
    },
    settings,
  );
}
