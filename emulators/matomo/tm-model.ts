/**
 * Tag Manager's tables and the operations on them: containers, their versions (one draft per
 * container), releases to environments, and the variables, triggers and tags of each version.
 * Ids come from table-wide counters, as MySQL auto-increments do, which is why the first
 * container created after N sites has draft version 2N+1 in the recordings.
 */
import { randomInt } from "node:crypto";
import { ApiError, MSG } from "./errors";

export interface Container {
  idcontainer: string;
  idsite: number;
  context: string;
  name: string;
  description: string;
  ignoreGtmDataLayer: number;
  created_date: string;
  updated_date: string;
  draftId: number;
  /** Non-draft versions, oldest first. */
  versionIds: number[];
  releaseIds: number[];
}

export interface Version {
  id: number;
  idcontainer: string;
  idsite: number;
  revision: number;
  name: string;
  description: string;
  created_date: string;
  updated_date: string;
  variableIds: number[];
  triggerIds: number[];
  tagIds: number[];
}

export interface Release {
  id: number;
  idcontainer: string;
  idcontainerversion: number;
  idsite: number;
  environment: string;
  release_login: string;
  release_date: string;
}

interface Entity {
  id: number;
  idcontainerversion: number;
  idsite: number;
  type: string;
  name: string;
  description: string;
  status: "active" | "paused";
  parameters: Map<string, unknown>;
  created_date: string;
  updated_date: string;
}

export interface Variable extends Entity {
  lookup_table: unknown;
  default_value: unknown;
}

export interface Trigger extends Entity {
  conditions: unknown;
}

export interface Tag extends Entity {
  fire_trigger_ids: number[];
  block_trigger_ids: number[];
  fire_limit: string;
  priority: number;
  fire_delay: number;
  start_date: string | null;
  end_date: string | null;
}

export interface TagManagerState {
  containers: Map<string, Container>;
  containersBySite: Map<number, string[]>;
  versions: Map<number, Version>;
  releases: Map<number, Release>;
  variables: Map<number, Variable>;
  triggers: Map<number, Trigger>;
  tags: Map<number, Tag>;
  next: { version: number; release: number; variable: number; trigger: number; tag: number };
}

export function newTagManagerState(): TagManagerState {
  return {
    containers: new Map(),
    containersBySite: new Map(),
    versions: new Map(),
    releases: new Map(),
    variables: new Map(),
    triggers: new Map(),
    tags: new Map(),
    next: { version: 1, release: 1, variable: 1, trigger: 1, tag: 1 },
  };
}

/** Environments of a default install (`live` plus the configurable `dev` and `staging`). */
export const ENVIRONMENTS = [
  { id: "live", name: "Live" },
  { id: "dev", name: "Dev" },
  { id: "staging", name: "Staging" },
];

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function newContainerId(tm: TagManagerState): string {
  for (;;) {
    let id = "";
    for (let i = 0; i < 8; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
    if (!tm.containers.has(id)) return id;
  }
}

export function containersOfSite(tm: TagManagerState, idsite: number): Container[] {
  return (tm.containersBySite.get(idsite) ?? []).map((id) => tm.containers.get(id)!);
}

export function findContainer(tm: TagManagerState, idsite: number, idcontainer: string): Container {
  const c = tm.containers.get(idcontainer);
  if (!c || c.idsite !== idsite) throw new ApiError(`The requested container "${idcontainer}" does not exist.`);
  return c;
}

/** A version of that container (the draft included); anything else fails like Tag Manager's check. */
export function findVersion(tm: TagManagerState, c: Container, idversion: unknown): Version {
  const id = typeof idversion === "string" && /^\d+$/.test(idversion.trim()) ? parseInt(idversion, 10) : NaN;
  const v = tm.versions.get(id);
  if (!v || v.idcontainer !== c.idcontainer) throw new ApiError("The requested container version does not exist.");
  return v;
}

export function createContainer(
  tm: TagManagerState,
  idsite: number,
  context: string,
  name: string,
  description: string,
  ignoreGtmDataLayer: number,
  now: string,
): Container {
  if (containersOfSite(tm, idsite).some((c) => c.name === name)) throw new ApiError(MSG.nameInUse);
  const idcontainer = newContainerId(tm);
  const draft: Version = {
    id: tm.next.version++, idcontainer, idsite, revision: 0, name: "", description: "",
    created_date: now, updated_date: now, variableIds: [], triggerIds: [], tagIds: [],
  };
  tm.versions.set(draft.id, draft);
  const c: Container = {
    idcontainer, idsite, context, name, description, ignoreGtmDataLayer,
    created_date: now, updated_date: now, draftId: draft.id, versionIds: [], releaseIds: [],
  };
  tm.containers.set(idcontainer, c);
  const list = tm.containersBySite.get(idsite);
  if (list) list.push(idcontainer);
  else tm.containersBySite.set(idsite, [idcontainer]);
  return c;
}

export function deleteContainer(tm: TagManagerState, c: Container): void {
  tm.containers.delete(c.idcontainer);
  const list = tm.containersBySite.get(c.idsite) ?? [];
  const i = list.indexOf(c.idcontainer);
  if (i >= 0) list.splice(i, 1);
}

export function deleteContainersOfSite(tm: TagManagerState, idsite: number): void {
  for (const c of containersOfSite(tm, idsite)) tm.containers.delete(c.idcontainer);
  tm.containersBySite.delete(idsite);
}

export function variablesOf(tm: TagManagerState, v: Version): Variable[] {
  return v.variableIds.map((id) => tm.variables.get(id)!);
}
export function triggersOf(tm: TagManagerState, v: Version): Trigger[] {
  return v.triggerIds.map((id) => tm.triggers.get(id)!);
}
/** Tags in the order Tag Manager lists them: by priority, then by id. */
export function tagsOf(tm: TagManagerState, v: Version): Tag[] {
  return v.tagIds.map((id) => tm.tags.get(id)!).sort((a, b) => a.priority - b.priority || a.id - b.id);
}

export function addVariable(tm: TagManagerState, v: Version, fields: Omit<Variable, "id" | "idcontainerversion" | "idsite">): Variable {
  if (variablesOf(tm, v).some((x) => x.name === fields.name)) throw new ApiError(MSG.nameInUse);
  const variable: Variable = { ...fields, id: tm.next.variable++, idcontainerversion: v.id, idsite: v.idsite };
  tm.variables.set(variable.id, variable);
  v.variableIds.push(variable.id);
  return variable;
}

export function addTrigger(tm: TagManagerState, v: Version, fields: Omit<Trigger, "id" | "idcontainerversion" | "idsite">): Trigger {
  if (triggersOf(tm, v).some((x) => x.name === fields.name)) throw new ApiError(MSG.nameInUse);
  const trigger: Trigger = { ...fields, id: tm.next.trigger++, idcontainerversion: v.id, idsite: v.idsite };
  tm.triggers.set(trigger.id, trigger);
  v.triggerIds.push(trigger.id);
  return trigger;
}

export function addTag(tm: TagManagerState, v: Version, fields: Omit<Tag, "id" | "idcontainerversion" | "idsite">): Tag {
  if (v.tagIds.some((id) => tm.tags.get(id)!.name === fields.name)) throw new ApiError(MSG.nameInUse);
  const tag: Tag = { ...fields, id: tm.next.tag++, idcontainerversion: v.id, idsite: v.idsite };
  tm.tags.set(tag.id, tag);
  v.tagIds.push(tag.id);
  return tag;
}

/** Snapshots a version (normally the draft) into a new numbered version, copying every object with new ids. */
export function createVersion(tm: TagManagerState, c: Container, from: Version, name: string, description: string, now: string): Version {
  const existing = c.versionIds.map((id) => tm.versions.get(id)!);
  if (existing.some((x) => x.name === name)) throw new ApiError(MSG.nameInUse);
  const revision = existing.reduce((m, x) => Math.max(m, x.revision), 0) + 1;
  const version: Version = {
    id: tm.next.version++, idcontainer: c.idcontainer, idsite: c.idsite, revision, name, description,
    created_date: now, updated_date: now, variableIds: [], triggerIds: [], tagIds: [],
  };
  tm.versions.set(version.id, version);
  c.versionIds.push(version.id);
  for (const x of variablesOf(tm, from)) {
    const copy: Variable = { ...x, id: tm.next.variable++, idcontainerversion: version.id, parameters: new Map(x.parameters), created_date: now, updated_date: now };
    tm.variables.set(copy.id, copy);
    version.variableIds.push(copy.id);
  }
  const triggerIdMap = new Map<number, number>();
  for (const x of triggersOf(tm, from)) {
    const copy: Trigger = { ...x, id: tm.next.trigger++, idcontainerversion: version.id, parameters: new Map(x.parameters), created_date: now, updated_date: now };
    triggerIdMap.set(x.id, copy.id);
    tm.triggers.set(copy.id, copy);
    version.triggerIds.push(copy.id);
  }
  for (const id of from.tagIds) {
    const x = tm.tags.get(id)!;
    const copy: Tag = {
      ...x, id: tm.next.tag++, idcontainerversion: version.id, parameters: new Map(x.parameters), created_date: now, updated_date: now,
      fire_trigger_ids: x.fire_trigger_ids.map((t) => triggerIdMap.get(t) ?? t),
      block_trigger_ids: x.block_trigger_ids.map((t) => triggerIdMap.get(t) ?? t),
    };
    tm.tags.set(copy.id, copy);
    version.tagIds.push(copy.id);
  }
  return version;
}

/** Releases a version to an environment; the environment's previous release of this container ends. */
export function publish(tm: TagManagerState, c: Container, v: Version, environment: string, login: string, now: string): Release {
  if (!ENVIRONMENTS.some((e) => e.id === environment)) throw new ApiError(`The environment "${environment}" does not exist.`);
  c.releaseIds = c.releaseIds.filter((id) => tm.releases.get(id)!.environment !== environment);
  const release: Release = { id: tm.next.release++, idcontainer: c.idcontainer, idcontainerversion: v.id, idsite: c.idsite, environment, release_login: login, release_date: now };
  tm.releases.set(release.id, release);
  c.releaseIds.push(release.id);
  return release;
}

export function releasesOf(tm: TagManagerState, c: Container): Release[] {
  return c.releaseIds.map((id) => tm.releases.get(id)!);
}
