import type { Context } from "./context";
import { copyTags, draftHasChanges, tagManagerApp, uuidParameter } from "./containers";
import { refuse, tagManagerErrors } from "./errors";
import { newId } from "./ids";
import { jsonApi } from "./jsonapi";
import type { Operation, PiwikProState, Version } from "./state";
import { timestamp } from "./time";

/**
 * Versions and the asynchronous publish operation. `POST …/versions/draft/publish` answers 202 at
 * once; the operation then moves `created` → `started` → `completed` (or `failed`) one step per
 * poll of `GET …/operations/{id}`, and the published version changes only when it completes.
 * UNCONFIRMED: the product advances on its own clock; the emulator advances on polls so that tests
 * and benchmarks are deterministic and need no waiting (`operationSteps` sets how many polls see it
 * unfinished).
 */
export function getDraft(ctx: Context) {
  const { tags, container } = tagManagerApp(ctx);
  return jsonApi(200, {
    data: renderVersion(ctx.state, container.draft, "draft", draftHasChanges(tags, container)),
  });
}

export function getPublished(ctx: Context) {
  const { container } = tagManagerApp(ctx);
  return jsonApi(200, { data: renderVersion(ctx.state, container.published, "published", false) });
}

export function publishDraft(ctx: Context) {
  const { state, now } = ctx;
  const { appId, tags, container } = tagManagerApp(ctx);
  const willFail = state.failNextOperations > 0;
  if (willFail) state.failNextOperations--;
  const operation: Operation = {
    id: newId(),
    appId,
    versionId: container.draft.id,
    snapshot: copyTags(tags),
    willFail,
    polls: 0,
    state: "created",
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    completedAt: null,
    failedAt: null,
    summary: {},
  };
  state.operations.set(operation.id, operation);
  return jsonApi(202, {
    data: { id: container.draft.id, type: "version", relationships: { operation: { data: { id: operation.id, type: "operation" } } } },
  });
}

export function getOperation(ctx: Context) {
  const { appId } = tagManagerApp(ctx);
  const raw = ctx.params.operation_id;
  uuidParameter(raw, "operation_id", "Operation identifier");
  const operation = ctx.state.operations.get(raw.toLowerCase());
  if (!operation || operation.appId !== appId) {
    refuse(tagManagerErrors(404, [{ code: "NOT_FOUND_ERROR", detail: `There is no operation with given identifier: ${raw}`, source: { parameter: "operation_id" } }]));
  }
  advance(ctx.state, operation, ctx.now);
  return jsonApi(200, {
    data: {
      id: operation.id,
      type: "operation",
      attributes: {
        operation_type: "publish/version",
        state: operation.state,
        parameters: { version_id: operation.versionId, version_type: "draft" },
        summary: operation.summary,
        created_at: timestamp(operation.createdAt),
        updated_at: timestamp(operation.updatedAt),
        started_at: operation.startedAt === null ? null : timestamp(operation.startedAt),
        completed_at: operation.completedAt === null ? null : timestamp(operation.completedAt),
        failed_at: operation.failedAt === null ? null : timestamp(operation.failedAt),
      },
    },
  });
}

function advance(state: PiwikProState, op: Operation, now: number): void {
  if (op.state === "completed" || op.state === "failed") return;
  op.polls++;
  const steps = state.operationSteps;
  if (op.polls <= steps) {
    const next = steps >= 2 && op.polls === 1 ? "created" : "started";
    if (next !== op.state) {
      op.state = next;
      op.updatedAt = now;
    }
    if (next === "started" && op.startedAt === null) op.startedAt = now;
    return;
  }
  op.startedAt ??= now;
  op.updatedAt = now;
  const container = state.containers.get(op.appId);
  // A second publish of the same draft finds it already published by the first.
  const stillDraft = container !== undefined && container.draft.id === op.versionId;
  if (op.willFail || !stillDraft) {
    op.state = "failed";
    op.failedAt = now;
    // UNCONFIRMED: the wording of a failed publish (the documents only fix the shape).
    op.summary = { errors: [stillDraft ? "Version could not be published" : "Version is not a draft anymore"] };
    return;
  }
  const previous = container.published;
  const published: Version = { ...container.draft, publisherId: state.owner.id, publishedAt: now, updatedAt: now };
  const draft: Version = { id: newId(), major: published.major + 1, minor: 0, parentId: published.id, authorId: state.owner.id, createdAt: now, updatedAt: now };
  container.historic.push(previous);
  container.published = published;
  container.publishedTags = op.snapshot;
  container.draft = draft;
  op.state = "completed";
  op.completedAt = now;
  const entry = (v: Version, version_type: string, change_type: string) => ({
    version_id: v.id,
    version_type,
    version_major: v.major,
    version_minor: v.minor,
    created_at: timestamp(v.createdAt),
    updated_at: timestamp(v.updatedAt),
    change_type,
  });
  op.summary = { versions: [entry(published, "published", "modified"), entry(previous, "historic", "modified"), entry(draft, "draft", "added")] };
}

function renderVersion(state: PiwikProState, v: Version, versionType: "draft" | "published", hasChanges: boolean) {
  const person = (id: string | undefined) => {
    const user = id === undefined ? undefined : state.users.get(id);
    return user ? { id: user.id, email: user.email } : null;
  };
  return {
    id: v.id,
    type: "version",
    attributes: {
      version_type: versionType,
      has_changes: hasChanges,
      version_major: v.major,
      version_minor: v.minor,
      author: person(v.authorId),
      publisher: versionType === "published" ? person(v.publisherId) : null,
      published_at: v.publishedAt === undefined || versionType === "draft" ? null : timestamp(v.publishedAt),
      parent_id: v.parentId,
      created_at: timestamp(v.createdAt),
      updated_at: timestamp(v.updatedAt),
    },
  };
}
