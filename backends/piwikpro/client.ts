import type { z } from "zod";
import type { IssuedToken } from "./auth";
import { PiwikProError } from "./errors";
import { resourceDocument } from "./jsonapi";
import { APP_TYPE, GLOBAL_SETTINGS_TYPE, PERMISSION_TYPE, TAG_TYPE } from "./mapping";
import { type PagingDialect, platformPaging, readAllPages, tagManagerPaging } from "./pagination";
import {
  AppAttributes,
  AppListAttributes,
  DraftAnswer,
  ListDocument,
  OperationAnswer,
  PermissionAttributes,
  PublishAnswer,
  SingleDocument,
  TagAttributes,
  TagListAttributes,
  TokenAnswer,
  TrackerAttributes,
  UserAttributes,
  checkShape,
} from "./responses";
import type { Call, PiwikProTransport } from "./transport";

/**
 * The Piwik PRO calls Exempt makes, one method each, answers checked against the shapes in
 * responses.ts. Paths and resource types live here; attribute names live in mapping.ts.
 */
export interface Resource<A> {
  id: string;
  attributes: A;
}

export interface UserPermission {
  userId: string;
  email?: string;
  attributes: z.infer<typeof PermissionAttributes>;
}

const id = (value: string) => encodeURIComponent(value);

export interface PageSizes {
  /** Apps, users and permissions per request (at most 1000, the documented maximum). */
  platform?: number;
  /** Tags per request. */
  tags?: number;
}

export class PiwikProClient {
  private readonly platformPaging: PagingDialect;
  private readonly tagPaging: PagingDialect;

  constructor(
    readonly transport: PiwikProTransport,
    private readonly instanceId: string,
    pageSizes: PageSizes = {},
  ) {
    this.platformPaging = platformPaging(pageSizes.platform);
    this.tagPaging = tagManagerPaging(pageSizes.tags);
  }

  private malformed(call: Pick<Call, "method" | "path" | "app">, problem: string): PiwikProError {
    return new PiwikProError(`Piwik PRO instance '${this.instanceId}': ${this.transport.describe(call)}: the answer does not have the documented shape (${problem})`, {
      kind: "malformed",
      method: call.method,
      path: call.path,
      app: call.app,
    });
  }

  private decode<S extends z.ZodType>(schema: S, value: unknown, call: Pick<Call, "method" | "path" | "app">, where?: string): z.infer<S> {
    const checked = checkShape(schema, value);
    if (!checked.ok) throw this.malformed(call, where ? `${where}: ${checked.problem}` : checked.problem);
    return checked.value;
  }

  private async one<S extends z.ZodType>(call: Call, attributes: S): Promise<Resource<z.infer<S>>> {
    const answer = await this.transport.request(call);
    const doc = this.decode(SingleDocument, answer.body, call);
    return { id: doc.data.id, attributes: this.decode(attributes, doc.data.attributes ?? {}, call, "data.attributes") };
  }

  private async list<S extends z.ZodType>(base: Omit<Call, "query">, paging: PagingDialect, extraQuery: Array<[string, string]>, attributes: S): Promise<Array<Resource<z.infer<S>>>> {
    const items = await readAllPages(paging, async (query) => {
      const call: Call = { ...base, query: [...extraQuery, ...query] };
      const answer = await this.transport.request(call);
      return this.decode(ListDocument, answer.body, call);
    });
    return items.map((item, i) => ({ id: item.id, attributes: this.decode(attributes, item.attributes ?? {}, base, `data[${i}].attributes`) }));
  }

  // ------------------------------------------------------------------------------- token

  async issueToken(clientId: string, clientSecret: string): Promise<IssuedToken> {
    const call: Call = { method: "POST", path: "/auth/token", token: true, retry: "safe", body: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret } };
    const answer = await this.transport.request(call);
    const token = this.decode(TokenAnswer, answer.body, call);
    return { accessToken: token.access_token, expiresInSeconds: token.expires_in };
  }

  // -------------------------------------------------------------------------------- apps

  /** Every app: the list carries only names and dates, so each app is read in full separately. */
  listApps(): Promise<Array<Resource<z.infer<typeof AppListAttributes>>>> {
    // Oldest first, so that an app added while the pages are read lands on the last page instead
    // of shifting every page by one.
    return this.list({ method: "GET", path: "/api/apps/v2", retry: "safe" }, this.platformPaging, [["sort", "addedAt"]], AppListAttributes);
  }

  /** The most recently added apps (one page): where a create whose answer was lost would show. */
  async recentApps(limit: number): Promise<Array<Resource<z.infer<typeof AppListAttributes>>>> {
    const call: Call = { method: "GET", path: "/api/apps/v2", retry: "safe", query: [["sort", "-addedAt"], ["offset", 0], ["limit", limit]] };
    const doc = this.decode(ListDocument, (await this.transport.request(call)).body, call);
    return doc.data.map((item, i) => ({ id: item.id, attributes: this.decode(AppListAttributes, item.attributes ?? {}, call, `data[${i}].attributes`) }));
  }

  getApp(appId: string, label?: string): Promise<Resource<AppAttributes>> {
    return this.one({ method: "GET", path: `/api/apps/v2/${id(appId)}`, retry: "safe", app: label }, AppAttributes);
  }

  /** The app, or undefined when it does not exist. */
  async findApp(appId: string, label?: string): Promise<Resource<AppAttributes> | undefined> {
    const call: Call = { method: "GET", path: `/api/apps/v2/${id(appId)}`, retry: "safe", app: label, accept: [404] };
    const answer = await this.transport.request(call);
    if (answer.status === 404) return undefined;
    const doc = this.decode(SingleDocument, answer.body, call);
    return { id: doc.data.id, attributes: this.decode(AppAttributes, doc.data.attributes ?? {}, call, "data.attributes") };
  }

  /** One attempt: a failure with an unknown outcome comes back for the caller to check. */
  createApp(appId: string, attributes: Record<string, unknown>, label?: string): Promise<Resource<AppAttributes>> {
    // The client chooses the id (documented `attributes.id`), so a lost answer can be looked up by it.
    return this.one({ method: "POST", path: "/api/apps/v2", retry: "create", app: label, body: resourceDocument(APP_TYPE, { id: appId, ...attributes }) }, AppAttributes);
  }

  async updateApp(appId: string, attributes: Record<string, unknown>, label?: string): Promise<void> {
    await this.transport.request({ method: "PATCH", path: `/api/apps/v2/${id(appId)}`, retry: "safe", app: label, body: resourceDocument(APP_TYPE, attributes, { id: appId }) });
  }

  /** True when deleted now, false when it was already gone (a retried DELETE finds it so). */
  async deleteApp(appId: string, label?: string): Promise<boolean> {
    const answer = await this.transport.request({ method: "DELETE", path: `/api/apps/v2/${id(appId)}`, retry: "safe", app: label, accept: [404] });
    return answer.status !== 404;
  }

  // -------------------------------------------------------------------- tracker settings

  async getGlobalSettings(): Promise<TrackerAttributes> {
    return (await this.one({ method: "GET", path: "/api/tracker/v2/settings/app/global", retry: "safe" }, TrackerAttributes)).attributes;
  }

  async updateGlobalSettings(attributes: Record<string, unknown>): Promise<void> {
    await this.transport.request({ method: "PATCH", path: "/api/tracker/v2/settings/app/global", retry: "safe", body: resourceDocument(GLOBAL_SETTINGS_TYPE, attributes, { id: "global" }) });
  }

  async getAppSettings(appId: string, label?: string): Promise<TrackerAttributes> {
    return (await this.one({ method: "GET", path: `/api/tracker/v2/settings/app/${id(appId)}`, retry: "safe", app: label }, TrackerAttributes)).attributes;
  }

  /** Removes the app's override of one setting, so the global value applies again. */
  async resetAppSetting(appId: string, setting: string, label?: string): Promise<void> {
    await this.transport.request({ method: "DELETE", path: `/api/tracker/v2/settings/app/${id(appId)}/${id(setting)}`, retry: "safe", app: label });
  }

  // ---------------------------------------------------------------------------------- tags

  listTags(appId: string, label?: string): Promise<Array<Resource<TagListAttributes>>> {
    return this.list({ method: "GET", path: `/api/tag/v1/${id(appId)}/tags`, retry: "safe", app: label }, this.tagPaging, [], TagListAttributes);
  }

  getTag(appId: string, tagId: string, label?: string): Promise<Resource<TagAttributes>> {
    return this.one({ method: "GET", path: `/api/tag/v1/${id(appId)}/tags/${id(tagId)}`, retry: "safe", app: label }, TagAttributes);
  }

  async findTag(appId: string, tagId: string, label?: string): Promise<Resource<TagAttributes> | undefined> {
    const call: Call = { method: "GET", path: `/api/tag/v1/${id(appId)}/tags/${id(tagId)}`, retry: "safe", app: label, accept: [404] };
    const answer = await this.transport.request(call);
    if (answer.status === 404) return undefined;
    const doc = this.decode(SingleDocument, answer.body, call);
    return { id: doc.data.id, attributes: this.decode(TagAttributes, doc.data.attributes ?? {}, call, "data.attributes") };
  }

  /** One attempt, with a client-chosen id; `relationships.triggers` is sent as the documents require. */
  createTag(appId: string, tagId: string, attributes: Record<string, unknown>, label?: string): Promise<Resource<TagAttributes>> {
    const body = resourceDocument(TAG_TYPE, attributes, { id: tagId, relationships: { triggers: { data: [] } } });
    return this.one({ method: "POST", path: `/api/tag/v1/${id(appId)}/tags`, retry: "create", app: label, body }, TagAttributes);
  }

  async updateTag(appId: string, tagId: string, attributes: Record<string, unknown>, label?: string): Promise<void> {
    await this.transport.request({ method: "PATCH", path: `/api/tag/v1/${id(appId)}/tags/${id(tagId)}`, retry: "safe", app: label, body: resourceDocument(TAG_TYPE, attributes, { id: tagId }) });
  }

  // ------------------------------------------------------------------------------ versions

  /** Asks for the draft to be published (202); the answer names the operation to poll. One attempt. */
  async publishDraft(appId: string, label?: string): Promise<string> {
    const call: Call = { method: "POST", path: `/api/tag/v1/${id(appId)}/versions/draft/publish`, retry: "create", app: label };
    const answer = await this.transport.request(call);
    if (answer.status !== 202) throw this.malformed(call, `HTTP ${answer.status} where 202 Accepted was expected`);
    return this.decode(PublishAnswer, answer.body, call).data.relationships.operation.data.id;
  }

  async getOperation(appId: string, operationId: string, label?: string): Promise<{ state: string; summary: unknown }> {
    const call: Call = { method: "GET", path: `/api/tag/v1/${id(appId)}/operations/${id(operationId)}`, retry: "safe", app: label };
    const doc = this.decode(OperationAnswer, (await this.transport.request(call)).body, call);
    return { state: doc.data.attributes.state, summary: doc.data.attributes.summary };
  }

  async draftHasChanges(appId: string, label?: string): Promise<boolean | undefined> {
    const call: Call = { method: "GET", path: `/api/tag/v1/${id(appId)}/versions/draft`, retry: "safe", app: label };
    return this.decode(DraftAnswer, (await this.transport.request(call)).body, call).data.attributes.has_changes;
  }

  // ------------------------------------------------------------------ users and permissions

  listUsers(): Promise<Array<Resource<z.infer<typeof UserAttributes>>>> {
    return this.list({ method: "GET", path: "/api/users/v2", retry: "safe" }, this.platformPaging, [["sort", "addedAt"]], UserAttributes);
  }

  async listPermissions(appId: string, label?: string): Promise<UserPermission[]> {
    const items = await this.list({ method: "GET", path: `/api/access-control/v2/app/${id(appId)}/permission/user`, retry: "safe", app: label }, this.platformPaging, [], PermissionAttributes);
    return items.map((i) => ({ userId: i.id, email: i.attributes.email, attributes: i.attributes }));
  }

  /** Sets one user's permission on one app: the same body twice sets the same value, so it is retried like a PATCH. */
  async setPermission(appId: string, userId: string, permission: string, label?: string): Promise<void> {
    await this.transport.request({
      method: "POST",
      path: `/api/access-control/v2/app/${id(appId)}/permission/user/${id(userId)}`,
      retry: "safe",
      app: label,
      body: resourceDocument(PERMISSION_TYPE, { permission }),
    });
  }
}
