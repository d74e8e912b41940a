import type { Context } from "./context";
import { refuse, tagManagerErrors } from "./errors";
import { isUuid, newId } from "./ids";
import type { Container, Tag } from "./state";

/**
 * A Tag Manager container: the draft every edit goes into and the published version visitors get.
 * A new app's container already has a published version (UNCONFIRMED: an empty one, published when
 * the app was created). The documents imply it: the summary of a completed publish lists exactly
 * three versions (published, historic, new draft), which needs a version published before.
 */
export function openContainer(ownerId: string, now: number): Container {
  const published = { id: newId(), major: 1, minor: 0, parentId: null, authorId: ownerId, publisherId: ownerId, createdAt: now, updatedAt: now, publishedAt: now };
  const draft = { id: newId(), major: 2, minor: 0, parentId: published.id, authorId: ownerId, createdAt: now, updatedAt: now };
  return { draft, published, publishedTags: new Map(), historic: [] };
}

/** The documented meaning of `has_changes`: the draft differs from the published version. */
export function draftHasChanges(tags: Map<string, Tag>, container: Container): boolean {
  return contentOf(tags) !== contentOf(container.publishedTags);
}

/** What a visitor would get; timestamps are bookkeeping, not content. */
function contentOf(tags: Map<string, Tag>): string {
  return JSON.stringify(
    [...tags.values()].map((t) => [t.id, t.attributes, t.triggers]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
}

export function copyTags(tags: Map<string, Tag>): Map<string, Tag> {
  return new Map([...tags].map(([id, tag]) => [id, structuredClone(tag)]));
}

/** Resolves the `{app_id}` of a Tag Manager path, refusing as Tag Manager does. */
export function tagManagerApp(ctx: Context): { appId: string; tags: Map<string, Tag>; container: Container } {
  const raw = ctx.params.app_id;
  uuidParameter(raw, "app_id", "Application identifier");
  const appId = raw.toLowerCase();
  const tags = ctx.state.tags.get(appId);
  const container = ctx.state.containers.get(appId);
  if (!tags || !container) {
    refuse(tagManagerErrors(404, [{ code: "NOT_FOUND_ERROR", detail: `There is no application with given identifier: ${raw}`, source: { parameter: "app_id" } }]));
  }
  return { appId, tags, container };
}

export function uuidParameter(value: string, parameter: string, label: string): void {
  if (!isUuid(value)) {
    refuse(tagManagerErrors(400, [{ code: "INVALID_URI_PARAMETER_ERROR", detail: `${label} should be of type UUID`, source: { parameter } }]));
  }
}
