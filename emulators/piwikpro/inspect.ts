import { renderApp } from "./apps";
import { draftHasChanges } from "./containers";
import type { OperationState, Permission, PiwikProState, Role } from "./state";
import { renderTag } from "./tags";
import { effectiveSettings } from "./tracker-settings";

export interface TagView {
  id: string;
  /** As `GET …/tags/{tag_id}` shows them, `is_published` included. */
  attributes: Record<string, unknown>;
  triggers: string[];
}

/**
 * Read-only, in-process access to the emulated account, for test assertions. Everything returned is
 * a copy in the shape the API shows; state changes go through the HTTP API like a client's would.
 * It also shows what the API cannot: which tracker settings an app overrides, and the published
 * tags as visitors get them.
 */
export interface PiwikProStateView {
  readonly organization: string;
  readonly owner: { id: string; email: string };
  appIds(): string[];
  /** The app's attributes as `GET /api/apps/v2/{app_id}` shows them. */
  app(appId: string): Record<string, unknown> | undefined;
  trackerGlobal(): Record<string, unknown>;
  /** Only the settings this app overrides. */
  trackerOverrides(appId: string): Record<string, unknown>;
  /** The effective settings, as `GET /api/tracker/v2/settings/app/{app_id}` shows them. */
  trackerSettings(appId: string): Record<string, unknown> | undefined;
  /** The draft's tags (what the tags API lists). */
  tags(appId: string): TagView[];
  /** The tags of the published version, as visitors get them. */
  publishedTags(appId: string): TagView[];
  draftHasChanges(appId: string): boolean;
  operations(appId?: string): { id: string; appId: string; state: OperationState }[];
  users(): { id: string; email: string; role: Role; language: string }[];
  /** Explicit permissions per user id; users without an entry have `no-access`. */
  permissions(appId: string): Record<string, Permission>;
}

export function stateView(state: PiwikProState): PiwikProStateView {
  const key = (id: string) => id.toLowerCase();
  const tagViews = (appId: string, published: boolean): TagView[] => {
    const container = state.containers.get(key(appId));
    const tags = published ? container?.publishedTags : state.tags.get(key(appId));
    if (!container || !tags) return [];
    return [...tags.values()].map((t) => ({ id: t.id, attributes: renderTag(state, key(appId), t, container).attributes, triggers: [...t.triggers] }));
  };
  return {
    organization: state.organization,
    owner: { id: state.owner.id, email: state.owner.email },
    appIds: () => [...state.apps.keys()],
    app(appId) {
      const app = state.apps.get(key(appId));
      return app ? renderApp(state, app).attributes : undefined;
    },
    trackerGlobal: () => structuredClone(state.trackerGlobal),
    trackerOverrides: (appId) => structuredClone(state.trackerOverrides.get(key(appId))?.values ?? {}),
    trackerSettings(appId) {
      const app = state.apps.get(key(appId));
      return app ? effectiveSettings(state, app) : undefined;
    },
    tags: (appId) => tagViews(appId, false),
    publishedTags: (appId) => tagViews(appId, true),
    draftHasChanges(appId) {
      const tags = state.tags.get(key(appId));
      const container = state.containers.get(key(appId));
      return tags !== undefined && container !== undefined && draftHasChanges(tags, container);
    },
    operations: (appId) =>
      [...state.operations.values()].filter((op) => appId === undefined || op.appId === key(appId)).map((op) => ({ id: op.id, appId: op.appId, state: op.state })),
    users: () => [...state.users.values()].map((u) => ({ id: u.id, email: u.email, role: u.role, language: u.language })),
    permissions: (appId) => Object.fromEntries(state.permissions.get(key(appId)) ?? []),
  };
}
