import type { Context } from "./context";
import { tagManagerApp, uuidParameter } from "./containers";
import { TagManagerError, refuse, tagManagerErrors } from "./errors";
import { newId } from "./ids";
import { isObject, jsonApi, noContent, readDocument } from "./jsonapi";
import { readTagManagerPage } from "./paging";
import type { Container, PiwikProState, Tag } from "./state";
import { TEMPLATES, TEMPLATE_SPECS, attributesShape, isTemplate } from "./tag-templates";
import { timestamp } from "./time";
import { Shape, check } from "./tm-schema";

/**
 * Tag Manager tags. Every change goes into the app's draft; `is_published` says whether the tag is
 * part of the published version (UNCONFIRMED: it stays true when a published tag is edited in the
 * draft; `has_changes` on the draft is what tells that the edit is not live yet).
 */
const SORT_FIELDS = ["name", "is_active", "tag_type", "priority", "created_at", "updated_at"];

const TRIGGERS: Shape = {
  type: "object",
  properties: {
    triggers: {
      type: "object",
      properties: {
        data: {
          type: "array",
          items: {
            type: "object",
            properties: { id: { type: "string", pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i }, type: { type: "string", enum: ["trigger"] } },
            required: ["id", "type"],
            additionalProperties: false,
          },
        },
      },
      required: ["data"],
      additionalProperties: false,
    },
  },
  required: ["triggers"],
  additionalProperties: false,
};

export function listTags(ctx: Context) {
  const { appId, tags, container } = tagManagerApp(ctx);
  const { query } = ctx;
  const page = readTagManagerPage(query);
  const bad = (parameter: string, detail: string) => refuse(tagManagerErrors(400, [{ code: "INVALID_URI_PARAMETER_ERROR", detail, source: { parameter } }]));
  const bool = (name: string): boolean | undefined => {
    const raw = query.get(name);
    if (raw === undefined) return undefined;
    if (raw !== "true" && raw !== "false" && raw !== "1" && raw !== "0") bad(name, `Parameter ${name} should be a boolean`);
    return raw === "true" || raw === "1";
  };
  const name = query.get("filter[name]");
  if (name !== undefined && (name.length < 1 || name.length > 255)) bad("filter[name]", "Parameter filter[name] should be between 1 and 255 characters long");
  const isActive = bool("filter[is_active]");
  const isPrioritized = bool("filter[is_prioritized]");
  const tagType = query.get("filter[tag_type]");
  if (tagType !== undefined && tagType !== "sync" && tagType !== "async") bad("filter[tag_type]", "Parameter filter[tag_type] should be one of: sync, async");
  // Several templates are asked for by repeating the parameter; a comma-separated list is documented not to work.
  const templates = query.all("filter[template]");
  for (const t of templates) if (!isTemplate(t)) bad("filter[template]", `Parameter filter[template] should be one of: ${TEMPLATES.join(", ")}`);
  const sort = query.all("sort").flatMap((s) => s.split(",")).filter(Boolean);
  for (const s of sort) if (!SORT_FIELDS.includes(s.replace(/^-/, ""))) bad("sort", `Parameter sort should be a list of: ${SORT_FIELDS.flatMap((f) => [f, `-${f}`]).join(", ")}`);

  let items = [...tags.values()].filter(
    (t) =>
      // UNCONFIRMED: `filter[name]` matches a part of the name, ignoring case; `filter[is_prioritized]` means priority above 0.
      (name === undefined || String(t.attributes.name).toLowerCase().includes(name.toLowerCase())) &&
      (isActive === undefined || t.attributes.is_active === isActive) &&
      (isPrioritized === undefined || (Number(t.attributes.priority) > 0) === isPrioritized) &&
      (tagType === undefined || t.attributes.tag_type === tagType) &&
      (templates.length === 0 || templates.includes(String(t.attributes.template))),
  );
  // UNCONFIRMED: without `sort`, tags come in creation order.
  items = sortTags(items, sort);
  const total = items.length;
  const links = paginationLinks(ctx, total, page.offset, page.limit);
  return jsonApi(200, {
    data: items.slice(page.offset, page.offset + page.limit).map((t) => {
      const full = renderTag(ctx.state, appId, t, container).attributes;
      return {
        type: "tag",
        id: t.id,
        attributes: {
          is_active: full.is_active,
          is_published: full.is_published,
          priority: full.priority,
          tag_type: full.tag_type,
          name: full.name,
          consent_type: full.consent_type,
          template: full.template,
          created_at: full.created_at,
          updated_at: full.updated_at,
        },
      };
    }),
    meta: { total },
    links,
  });
}

export function getTag(ctx: Context) {
  const { appId, tags, container } = tagManagerApp(ctx);
  return jsonApi(200, { data: renderTag(ctx.state, appId, findTag(ctx, tags), container) });
}

export function createTag(ctx: Context) {
  const { appId, tags, container } = tagManagerApp(ctx);
  const data = readData(ctx);
  stopAt(check({ type: "object", properties: { id: { type: "any" }, type: { type: "any" }, attributes: { type: "any" }, relationships: { type: "any" } }, required: ["type", "attributes"], additionalProperties: false }, data, "/data"));
  stopAt(check({ type: "string", enum: ["tag"] }, data.type, "/data/type"));
  if (data.id !== undefined) stopAt(check({ type: "string", pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i }, data.id, "/data/id"));
  const attributes = data.attributes;
  stopAt(check({ type: "object", required: ["template"] }, attributes, "/data/attributes"));
  const template = (attributes as Record<string, unknown>).template;
  stopAt(check({ type: "string", enum: TEMPLATES }, template, "/data/attributes/template"));
  stopAt(check(attributesShape(template as (typeof TEMPLATES)[number], true), attributes, "/data/attributes"));
  if (data.relationships !== undefined) stopAt(check(TRIGGERS, data.relationships, "/data/relationships"));
  const id = typeof data.id === "string" ? data.id.toLowerCase() : newId();
  if (tags.has(id)) {
    // UNCONFIRMED: how a client-chosen id that already exists is refused.
    refuse(tagManagerErrors(400, [{ code: "INVALID_JSON_ERROR", detail: `Tag with given identifier already exists: ${id}`, source: { pointer: "/data/id" } }]));
  }
  const given = structuredClone(attributes as Record<string, unknown>);
  const t = TEMPLATE_SPECS[template as (typeof TEMPLATES)[number]];
  const tag: Tag = {
    id,
    attributes: {
      // UNCONFIRMED defaults, except `consent_type: analytics` for the Piwik PRO tag, which Piwik
      // PRO's template documentation states; other templates start without consent.
      disable_in_debug_mode: false,
      is_active: true,
      priority: 0,
      tag_type: "async",
      respect_visitors_privacy: true,
      scheduler: { date_ranges: [], times_of_day: [] },
      consent_type: template === "piwik" ? "analytics" : "not_require_consent",
      ...(t.customCode ? { document_write: false } : {}),
      template_options: {},
      ...given,
    },
    triggers: readTriggers(data.relationships) ?? [],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  tags.set(id, tag);
  container.draft.updatedAt = ctx.now;
  return jsonApi(201, { data: renderTag(ctx.state, appId, tag, container) });
}

export function updateTag(ctx: Context) {
  const { tags, container } = tagManagerApp(ctx);
  const tag = findTag(ctx, tags);
  const data = readData(ctx);
  const template = tag.attributes.template as (typeof TEMPLATES)[number];
  const spec = TEMPLATE_SPECS[template];
  stopAt(
    check(
      { type: "object", properties: { id: { type: "any" }, type: { type: "any" }, attributes: { type: "any" }, relationships: { type: "any" } }, required: spec.editNeedsAttributes ? ["id", "type", "attributes"] : ["id", "type"], additionalProperties: false },
      data,
      "/data",
    ),
  );
  stopAt(check({ type: "string", enum: ["tag"] }, data.type, "/data/type"));
  if (typeof data.id !== "string" || data.id.toLowerCase() !== tag.id) {
    // UNCONFIRMED: the wording; JSON:API requires the body's id to be the resource's.
    refuse(tagManagerErrors(400, [{ code: "INVALID_JSON_ERROR", detail: "Resource identifier does not match the identifier in the URL", source: { pointer: "/data/id" } }]));
  }
  // `template` is not part of any edit schema, so sending it (even unchanged) is an unknown attribute.
  if (data.attributes !== undefined) stopAt(check(attributesShape(template, false), data.attributes, "/data/attributes"));
  if (data.relationships !== undefined) stopAt(check(TRIGGERS, data.relationships, "/data/relationships"));
  Object.assign(tag.attributes, structuredClone((data.attributes as Record<string, unknown> | undefined) ?? {}));
  const triggers = readTriggers(data.relationships);
  if (triggers) tag.triggers = triggers;
  tag.updatedAt = ctx.now;
  container.draft.updatedAt = ctx.now;
  return noContent();
}

export function deleteTag(ctx: Context) {
  const { tags, container } = tagManagerApp(ctx);
  const tag = findTag(ctx, tags);
  tags.delete(tag.id);
  container.draft.updatedAt = ctx.now;
  return noContent();
}

/** `PATCH …/tags`: sets the firing order (priorities) of several tags at once. */
export function reorderTags(ctx: Context) {
  const { tags, container } = tagManagerApp(ctx);
  const doc = readDocument("tag-manager", ctx.req);
  const entry: Shape = {
    type: "object",
    properties: {
      id: { type: "string", pattern: /^[0-9a-f-]{36}$/i },
      type: { type: "string", enum: ["tag"] },
      attributes: { type: "object", properties: { priority: { type: "integer", minimum: 0, maximum: 4294967295 } }, required: ["priority"], additionalProperties: false },
    },
    required: ["id", "type", "attributes"],
    additionalProperties: false,
  };
  stopAt(check({ type: "object", properties: { data: { type: "array", items: entry } }, required: ["data"], additionalProperties: false }, doc, ""));
  const entries = doc.data as { id: string; attributes: { priority: number } }[];
  for (const e of entries) {
    if (!tags.has(e.id.toLowerCase())) refuse(tagManagerErrors(404, [{ code: "NOT_FOUND_ERROR", detail: `There is no tag with given identifier: ${e.id}`, source: { pointer: "/data" } }]));
  }
  for (const e of entries) {
    const tag = tags.get(e.id.toLowerCase()) as Tag;
    tag.attributes.priority = e.attributes.priority;
    tag.updatedAt = ctx.now;
  }
  container.draft.updatedAt = ctx.now;
  return noContent();
}

export function renderTag(state: PiwikProState, appId: string, tag: Tag, container: Container) {
  const spec = TEMPLATE_SPECS[tag.attributes.template as (typeof TEMPLATES)[number]];
  const { code, template_options, ...attributes } = structuredClone(tag.attributes);
  return {
    id: tag.id,
    type: "tag",
    attributes: {
      // The response schemas require a non-empty `code` for every template but the ecommerce ones.
      // For templates whose code Tag Manager writes itself, what it returns is UNCONFIRMED.
      ...(spec.hasCode ? { code: typeof code === "string" ? code : `<!-- ${tag.attributes.template}: code generated by Tag Manager from template_options -->` } : {}),
      ...(spec.customCode ? {} : { document_write: false }),
      ...attributes,
      template_options: { ...structuredClone(spec.optionDefaults), ...(template_options as object), ...(spec.serverOptions?.(appId, state.organization) ?? {}) },
      is_published: container.publishedTags.has(tag.id),
      created_at: timestamp(tag.createdAt),
      updated_at: timestamp(tag.updatedAt),
    } as Record<string, unknown>,
    relationships: { triggers: { data: tag.triggers.map((id) => ({ id, type: "trigger" })) } },
  };
}

function findTag(ctx: Context, tags: Map<string, Tag>): Tag {
  const raw = ctx.params.tag_id;
  uuidParameter(raw, "tag_id", "Tag identifier");
  const tag = tags.get(raw.toLowerCase());
  if (!tag) refuse(tagManagerErrors(404, [{ code: "NOT_FOUND_ERROR", detail: `There is no tag with given identifier: ${raw}`, source: { parameter: "tag_id" } }]));
  return tag;
}

function readData(ctx: Context): Record<string, unknown> {
  const doc = readDocument("tag-manager", ctx.req);
  stopAt(check({ type: "object", properties: { data: { type: "object" } }, required: ["data"] }, doc, ""));
  return doc.data as Record<string, unknown>;
}

/**
 * Triggers have no document in the contract folder, so they are not emulated: references are kept
 * as given (checked for shape, not for existence).
 */
function readTriggers(relationships: unknown): string[] | undefined {
  if (!isObject(relationships) || !isObject(relationships.triggers) || !Array.isArray(relationships.triggers.data)) return undefined;
  return relationships.triggers.data.map((t) => String((t as { id: string }).id).toLowerCase());
}

function stopAt(errors: TagManagerError[]): void {
  if (errors.length) refuse(tagManagerErrors(400, errors));
}

function sortTags(items: Tag[], sort: string[]): Tag[] {
  if (sort.length === 0) return items;
  const value = (t: Tag, field: string): string | number => {
    if (field === "created_at") return t.createdAt;
    if (field === "updated_at") return t.updatedAt;
    const v = t.attributes[field];
    return typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : String(v ?? "").toLowerCase();
  };
  // Array.prototype.sort is stable, so equal keys keep creation order ("primary key" order).
  return [...items].sort((a, b) => {
    for (const s of sort) {
      const desc = s.startsWith("-");
      const field = desc ? s.slice(1) : s;
      const va = value(a, field);
      const vb = value(b, field);
      if (va !== vb) return (va < vb ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  });
}

/**
 * The schema declares the links as `format: uri`, so they are absolute, with the brackets of
 * `page[…]` percent-encoded (UNCONFIRMED: the documented example shows relative links).
 */
function paginationLinks(ctx: Context, total: number, offset: number, limit: number) {
  const kept = ctx.req.rawQuery
    .split("&")
    .filter((p) => p && !/^page(%5B|\[)/i.test(p))
    .map((p) => p.replace(/\[/g, "%5B").replace(/\]/g, "%5D"));
  const link = (o: number) => `${ctx.baseUrl}${ctx.req.path}?${[...kept, `page%5Boffset%5D=${o}`, `page%5Blimit%5D=${limit}`].join("&")}`;
  const last = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  return {
    self: link(offset),
    first: link(0),
    last: link(last),
    prev: offset > 0 ? link(Math.max(0, offset - limit)) : null,
    next: offset + limit < total ? link(offset + limit) : null,
  };
}

