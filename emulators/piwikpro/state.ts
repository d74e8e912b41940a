/**
 * The in-memory account: one organization, its apps, tracker settings, Tag Manager containers,
 * users and permissions. Plain data; the service modules own the rules that change it.
 */
export type Role = "OWNER" | "USER";
export type Permission = "no-access" | "view" | "edit" | "edit-publish" | "manage";
export const PERMISSIONS: readonly Permission[] = ["no-access", "view", "edit", "edit-publish", "manage"];

export interface User {
  id: string;
  email: string;
  role: Role;
  language: string;
  addedAt: number;
}

export interface App {
  id: string;
  appType: "web" | "sharepoint";
  /** The editable camelCase attributes, defaults filled in at creation. */
  attributes: Record<string, unknown>;
  addedAt: number;
  updatedAt: number;
}

export interface TrackerOverrides {
  /** Only the settings this app overrides; everything else is read from the global settings. */
  values: Record<string, unknown>;
  updatedAt: number;
}

export interface Tag {
  id: string;
  /** Every stored attribute except timestamps and the computed `is_published`. */
  attributes: Record<string, unknown>;
  triggers: string[];
  createdAt: number;
  updatedAt: number;
}

export interface Version {
  id: string;
  major: number;
  minor: number;
  parentId: string | null;
  authorId: string;
  publisherId?: string;
  createdAt: number;
  updatedAt: number;
  publishedAt?: number;
}

export interface Container {
  draft: Version;
  published: Version;
  /** What visitors get: the tags as they were when the published version was published. */
  publishedTags: Map<string, Tag>;
  historic: Version[];
}

export type OperationState = "created" | "started" | "completed" | "failed";

export interface Operation {
  id: string;
  appId: string;
  versionId: string;
  /** The draft's tags when publishing was asked for: that is what gets published. */
  snapshot: Map<string, Tag>;
  willFail: boolean;
  polls: number;
  state: OperationState;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  completedAt: number | null;
  failedAt: number | null;
  summary: Record<string, unknown>;
}

export interface PiwikProState {
  organization: string;
  /**
   * The user the API credentials belong to. An owner, so every call is permitted: the exact
   * permission each endpoint checks is UNCONFIRMED, and Exempt's credentials need owner rights
   * anyway (global tracker settings and new apps are owner-only).
   */
  owner: User;
  apps: Map<string, App>;
  trackerGlobal: Record<string, unknown>;
  trackerGlobalUpdatedAt: number;
  trackerOverrides: Map<string, TrackerOverrides>;
  tags: Map<string, Map<string, Tag>>;
  containers: Map<string, Container>;
  operations: Map<string, Operation>;
  users: Map<string, User>;
  /** Explicit per-app permissions of users; absent means `no-access`. */
  permissions: Map<string, Map<string, Permission>>;
  maxApps: number;
  operationSteps: number;
  failNextOperations: number;
}

export function cloneDeep<T>(value: T): T {
  return structuredClone(value);
}
