import { createHash } from "node:crypto";
import type { LiveInstance } from "../../engine/types";
import type { MatomoContainer } from "../../model/matomo";
import type { ApiCall, MatomoClient } from "./client";
import { errorText, MatomoError } from "./errors";
import {
  MATOMO_CONFIGURATION_NAME,
  MATOMO_CONFIGURATION_TYPE,
  matchContainer,
  readContainer,
  readInt,
  toParamValue,
  trackerConfigDifferences,
  trackerParameters,
  type ReadContainer,
} from "./mapping";
import { fail, label, runOps, siteChanges, type ApplyContext, type Op, type SiteWork } from "./work";

/**
 * Tag Manager during an apply: find each declared container of the sites to reconcile, write its
 * "Matomo Configuration" variable when it differs (every parameter sent: an omitted one is reset),
 * create the containers that do not exist, then make a version of each container written and
 * publish it to `live`.
 */

export interface ContainerWork {
  work: SiteWork;
  key: string;
  declared: MatomoContainer;
  /** Set once the container exists (found, or created in this run). */
  idContainer?: string;
  draftVersionId?: number;
  /** To be created in this run. */
  create: boolean;
  /** Something was written: a new version is due. */
  changed: boolean;
  failed: boolean;
  /** The live container it matched, when it exists. */
  existing?: ReadContainer;
  /** addContainer got no answer: whether it happened is checked before anything else is done. */
  createUnknown?: boolean;
  /** Ids of the site's containers before this run, to tell a container we made from others. */
  before: Set<string>;
}

/** Sites whose containers are reconciled, and the live containers of each. */
export async function prepareTagManager(client: MatomoClient, works: SiteWork[], live: LiveInstance, ctx: ApplyContext): Promise<ContainerWork[]> {
  const tmWorks = works.filter(
    (w) =>
      w.outcome.ok &&
      w.idSite &&
      (w.plan.operation === "create" || w.plan.operation === "update") &&
      Object.keys(w.desired.tagManager?.containers ?? {}).length > 0 &&
      (w.plan.operation === "create" || siteChanges(w, "tagmanager").length > 0),
  );
  if (tmWorks.length === 0) return [];
  const useCache = ctx.cache !== undefined && live.readAt === ctx.cache.readAt;
  const known = new Map<string, ReadContainer[]>();
  const toRead: SiteWork[] = [];
  for (const w of tmWorks) {
    const cached = useCache && w.plan.operation !== "create" ? ctx.cache!.containers.get(w.idSite!) : undefined;
    if (cached && cached.every((c) => c.exported)) known.set(w.idSite!, cached);
    else toRead.push(w);
  }
  const read = await readContainersOf(client, toRead.map((w) => ({ idSite: w.idSite!, site: label(w) })));
  toRead.forEach((w) => {
    const r = read.get(w.idSite!);
    if (r instanceof MatomoError || r === undefined) fail(w, r ?? "containers could not be read");
    else known.set(w.idSite!, r);
  });

  const out: ContainerWork[] = [];
  for (const w of tmWorks) {
    const containers = known.get(w.idSite!);
    if (!containers) continue;
    for (const [key, declared] of Object.entries(w.desired.tagManager?.containers ?? {})) {
      const match = matchContainer(declared, containers);
      if (!match && declared.idContainer) {
        fail(w, `container ${key}: the declared idContainer ${declared.idContainer} does not exist on site ${label(w)}; Exempt cannot create a container with a given id`);
        continue;
      }
      const cw: ContainerWork = { work: w, key, declared, create: !match, changed: false, failed: false, before: new Set(containers.map((c) => c.live.idContainer)) };
      if (match) {
        cw.idContainer = match.live.idContainer;
        cw.draftVersionId = match.live.draftVersionId;
        cw.existing = match;
      }
      out.push(cw);
    }
  }
  return out;
}

/** Reads the containers of some sites, with their drafts: two bulk rounds. */
export async function readContainersOf(client: MatomoClient, sites: { idSite: string; site: string }[]): Promise<Map<string, ReadContainer[] | MatomoError>> {
  const out = new Map<string, ReadContainer[] | MatomoError>();
  if (sites.length === 0) return out;
  const lists = await client.bulk(sites.map((s) => ({ method: "TagManager.getContainers", params: { idSite: Number(s.idSite) }, site: s.site, retrySafe: true })));
  const exports: { idSite: string; site: string; raw: unknown }[] = [];
  sites.forEach((s, i) => {
    const r = lists[i];
    if (!r.ok) return void out.set(s.idSite, r.error);
    if (!Array.isArray(r.value)) return void out.set(s.idSite, new MatomoError(`TagManager.getContainers for site ${s.site} did not answer a list`, { kind: "malformed", call: "TagManager.getContainers", site: s.site }));
    out.set(s.idSite, []);
    for (const raw of r.value) exports.push({ ...s, raw });
  });
  const answers = await client.bulk(
    exports.map((e) => ({ method: "TagManager.exportContainerVersion", params: { idSite: Number(e.idSite), idContainer: String((e.raw as { idcontainer?: unknown })?.idcontainer ?? "") }, site: e.site, retrySafe: true })),
  );
  exports.forEach((e, i) => {
    const list = out.get(e.idSite);
    if (!Array.isArray(list)) return;
    const r = answers[i];
    if (!r.ok) return void out.set(e.idSite, r.error);
    try {
      list.push(readContainer(e.raw, r.value));
    } catch (err) {
      out.set(e.idSite, new MatomoError(`TagManager.getContainers for site ${e.site}: ${(err as Error).message}`, { kind: "malformed", call: "TagManager.getContainers", site: e.site }));
    }
  });
  return out;
}

function variableCall(cw: ContainerWork, existing: ReadContainer | undefined, ctx: ApplyContext): ApiCall | undefined {
  const w = cw.work;
  const desired = cw.declared.matomoConfiguration;
  const defaults = { matomoUrl: ctx.baseUrl, idSite: w.idSite! };
  const variable = existing?.variable;
  const common = { idSite: Number(w.idSite), idContainer: cw.idContainer!, idContainerVersion: cw.draftVersionId! };
  if (variable) {
    if (trackerConfigDifferences(desired, existing!.live.matomoConfiguration?.settings).length === 0) return undefined;
    return {
      method: "TagManager.updateContainerVariable",
      params: {
        ...common,
        idVariable: variable.idVariable,
        name: variable.name,
        // Every parameter, the unmanaged ones as they are live: an omitted one is reset.
        parameters: trackerParameters(desired, variable.parameters, defaults),
        defaultValue: typeof variable.defaultValue === "string" ? variable.defaultValue : undefined,
        lookupTable: toParamValue(variable.lookupTable),
        description: variable.description,
      },
      site: label(w),
      retrySafe: true,
    };
  }
  return {
    method: "TagManager.addContainerVariable",
    params: { ...common, type: MATOMO_CONFIGURATION_TYPE, name: MATOMO_CONFIGURATION_NAME, parameters: trackerParameters(desired, undefined, defaults) },
    site: label(w),
    // A name is unique per container: sent twice it fails, it never duplicates; but a lost answer
    // is not retried blindly either: the next apply reads what happened.
    retrySafe: false,
  };
}

/** Phase-2 writes of Tag Manager: variables of existing containers, and the containers to create. */
export function containerOps(tm: ContainerWork[], ctx: ApplyContext): Op[] {
  const ops: Op[] = [];
  for (const cw of tm) {
    if (cw.create) {
      ops.push({
        call: { method: "TagManager.addContainer", params: { idSite: Number(cw.work.idSite), context: "web", name: cw.declared.name, description: "Managed by Exempt" }, site: label(cw.work), retrySafe: false },
        work: cw.work,
        container: cw,
        what: `TagManager.addContainer ${cw.declared.name}`,
        onOk: (value) => {
          cw.idContainer = String((value as { value?: unknown })?.value ?? "");
          cw.changed = true;
        },
        onError: (err) => {
          if (!err.outcomeUnknown) return fail(cw.work, err);
          cw.failed = false;
          cw.createUnknown = true;
        },
      });
      continue;
    }
    const call = variableCall(cw, cw.existing, ctx);
    if (call)
      ops.push({ call, work: cw.work, container: cw, what: `${call.method} (container ${cw.declared.name})`, onOk: () => void (cw.changed = true) });
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// New containers: draft id, then variable and trigger, then the Matomo tag.

export async function newContainers(client: MatomoClient, tm: ContainerWork[], ctx: ApplyContext): Promise<void> {
  const created = tm.filter((cw) => cw.create && !cw.failed && (cw.idContainer || cw.createUnknown) && cw.work.outcome.ok);
  if (created.length === 0) return;
  const sites = [...new Map(created.map((cw) => [cw.work.idSite!, { idSite: cw.work.idSite!, site: label(cw.work) }])).values()];
  const lists = await client.bulk(sites.map((s) => ({ method: "TagManager.getContainers", params: { idSite: Number(s.idSite) }, site: s.site, retrySafe: true })));
  const byId = new Map<string, ReadContainer>();
  const bySite = new Map<string, ReadContainer[]>();
  sites.forEach((s, i) => {
    const r = lists[i];
    if (!r.ok || !Array.isArray(r.value)) return;
    for (const raw of r.value) {
      try {
        const c = readContainer(raw);
        byId.set(`${s.idSite}/${c.live.idContainer}`, c);
        bySite.set(s.idSite, [...(bySite.get(s.idSite) ?? []), c]);
      } catch {
        /* a container without an id cannot be one of ours */
      }
    }
  });
  const ready: ContainerWork[] = [];
  for (const cw of created) {
    if (cw.createUnknown) {
      // The create's answer was lost: a container of that name that was not there before is ours.
      const made = (bySite.get(cw.work.idSite!) ?? []).find((c) => !cw.before.has(c.live.idContainer) && c.live.name.trim() === cw.declared.name.trim());
      if (!made) {
        cw.failed = true;
        fail(cw.work, `TagManager.addContainer ${cw.declared.name} got no answer and the container is not there: it was not created (the next apply creates it)`);
        continue;
      }
      cw.idContainer = made.live.idContainer;
      cw.changed = true;
      cw.work.outcome.wrote.push(`TagManager.addContainer ${cw.declared.name} (the answer was lost, the container was found by its name)`);
    }
    const c = byId.get(`${cw.work.idSite}/${cw.idContainer}`);
    if (!c || !c.live.draftVersionId) {
      cw.failed = true;
      fail(cw.work, `container ${cw.declared.name} was created (${cw.idContainer}) but its draft could not be read; the next apply completes it`);
      continue;
    }
    cw.draftVersionId = c.live.draftVersionId;
    ready.push(cw);
  }
  const triggers = new Map<ContainerWork, number>();
  const ops: Op[] = [];
  for (const cw of ready) {
    const common = { idSite: Number(cw.work.idSite), idContainer: cw.idContainer!, idContainerVersion: cw.draftVersionId! };
    ops.push({ call: variableCall(cw, undefined, ctx)!, work: cw.work, container: cw, what: `TagManager.addContainerVariable (container ${cw.declared.name})` });
    ops.push({
      call: { method: "TagManager.addContainerTrigger", params: { ...common, type: "PageView", name: "Pageview" }, site: label(cw.work), retrySafe: false },
      work: cw.work,
      container: cw,
      what: `TagManager.addContainerTrigger Pageview (container ${cw.declared.name})`,
      onOk: (value) => {
        const id = readInt((value as { value?: unknown })?.value);
        if (id !== undefined) triggers.set(cw, id);
      },
    });
  }
  await runOps(client, ops, undefined);
  // A container without a tag tracks nothing: the Matomo tag that uses the configuration.
  const tagOps: Op[] = [];
  for (const cw of ready) {
    const trigger = triggers.get(cw);
    if (cw.failed || trigger === undefined) continue;
    tagOps.push({
      call: {
        method: "TagManager.addContainerTag",
        params: {
          idSite: Number(cw.work.idSite),
          idContainer: cw.idContainer!,
          idContainerVersion: cw.draftVersionId!,
          type: "Matomo",
          name: "Matomo Tracking",
          parameters: { matomoConfig: `{{${MATOMO_CONFIGURATION_NAME}}}`, trackingType: "pageview" },
          fireTriggerIds: [trigger],
        },
        site: label(cw.work),
        retrySafe: false,
      },
      work: cw.work,
      container: cw,
      what: `TagManager.addContainerTag Matomo Tracking (container ${cw.declared.name})`,
    });
  }
  await runOps(client, tagOps, undefined);
}

// ---------------------------------------------------------------------------------------------
// Phase 3: a version of each changed container, published to live.

/** The same within a run (a retried create that happened is recognised by its name), new across runs. */
export function versionName(runStamp: string, cw: { idContainer?: string; declared: MatomoContainer }): string {
  const hash = createHash("sha256").update(JSON.stringify([cw.idContainer, cw.declared.matomoConfiguration])).digest("hex").slice(0, 8);
  return `exempt-${runStamp}-${hash}`;
}

export async function versionContainers(client: MatomoClient, tm: ContainerWork[], ctx: ApplyContext): Promise<void> {
  const changed = tm.filter((cw) => cw.changed && !cw.failed && cw.idContainer);
  if (changed.length === 0) return;
  const stamp = ctx.runStamp ?? new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const names = new Map(changed.map((cw) => [cw, versionName(stamp, cw)]));
  const versions = new Map<ContainerWork, number>();
  const lookup: ContainerWork[] = [];
  await runOps(
    client,
    changed.map((cw) => ({
      call: {
        method: "TagManager.createContainerVersion",
        params: { idSite: Number(cw.work.idSite), idContainer: cw.idContainer!, name: names.get(cw)!, description: "Created by Exempt apply" },
        site: label(cw.work),
        retrySafe: true,
      },
      work: cw.work,
      container: cw,
      what: `TagManager.createContainerVersion ${names.get(cw)} (container ${cw.declared.name})`,
      onOk: (value) => {
        const id = readInt((value as { value?: unknown })?.value);
        if (id !== undefined) versions.set(cw, id);
        else lookup.push(cw);
      },
      // Sent again after a lost answer, the create meets its own name: it happened.
      tolerate: (err) => (/already in use/i.test(err.matomoMessage ?? "") ? (lookup.push(cw), "already created") : undefined),
    })),
    undefined,
  );
  if (lookup.length) {
    const lists = await client.bulk(lookup.map((cw) => ({ method: "TagManager.getContainerVersions", params: { idSite: Number(cw.work.idSite), idContainer: cw.idContainer! }, site: label(cw.work), retrySafe: true })));
    lookup.forEach((cw, i) => {
      const r = lists[i];
      const found = r.ok && Array.isArray(r.value) ? (r.value as Array<Record<string, unknown>>).find((v) => v?.name === names.get(cw)) : undefined;
      const id = found ? readInt(found.idcontainerversion) : undefined;
      if (id !== undefined) versions.set(cw, id);
      else {
        cw.failed = true;
        fail(cw.work, `container ${cw.declared.name}: the version ${names.get(cw)} cannot be found after creating it${r.ok ? "" : ` (${errorText(r.error)})`}`);
      }
    });
  }
  const publish = changed.filter((cw) => !cw.failed && cw.declared.publishLive && versions.has(cw));
  await runOps(
    client,
    publish.map((cw) => ({
      call: {
        method: "TagManager.publishContainerVersion",
        params: { idSite: Number(cw.work.idSite), idContainer: cw.idContainer!, idContainerVersion: versions.get(cw)!, environment: "live" },
        site: label(cw.work),
        retrySafe: true,
      },
      work: cw.work,
      container: cw,
      what: `TagManager.publishContainerVersion ${names.get(cw)} to live (container ${cw.declared.name})`,
    })),
    undefined,
  );
}
