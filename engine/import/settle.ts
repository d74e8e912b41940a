import type { z } from "zod";
import { Config } from "../../model/config";
import type { BuiltDeclaration, Drop, Segment } from "./declaration";

/**
 * Live instances hold what the model refuses (a site without URL, two sites on one main URL, a
 * login Matomo accepted and the model does not). Each refused part is left out, narrowly (one
 * alias rather than its site, one field rather than the site), and the declaration rebuilt, until
 * the model accepts it: the written file must load.
 */
export function settleDeclaration(instanceId: string, build: (drops: readonly Drop[]) => BuiltDeclaration): { built: BuiltDeclaration; config: Config; drops: Drop[] } {
  const drops: Drop[] = [];
  for (let round = 0; round < 25; round++) {
    const built = build(drops);
    const result = Config.safeParse({ version: 1, instances: { [instanceId]: built.instance } });
    if (result.success) return { built, config: result.data, drops };
    const fresh: Drop[] = [];
    for (const issue of result.error.issues) {
      const drop = dropFor(issue, instanceId);
      if (!drop) throw new ImportError(`the imported declaration does not validate at ${issue.path.join(".")}: ${issue.message}`);
      const known = [...drops, ...fresh].some((d) => samePath(d.path, drop.path));
      if (!known) fresh.push(drop);
    }
    if (!fresh.length) throw new ImportError(`the imported declaration does not validate: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    drops.push(...fresh);
  }
  throw new ImportError("the imported declaration does not settle: too many parts refused by the model");
}

export class ImportError extends Error {
  userMessage(): string {
    return `exempt import: ${this.message}`;
  }
}

/** The narrowest part of the declaration that carries the refused value. */
function dropFor(issue: z.core.$ZodIssue, instanceId: string): Drop | undefined {
  const [root, id, ...rest] = issue.path as Segment[];
  if (root !== "instances" || id !== instanceId) return undefined;
  const reason = issue.message;
  const [area, key, field, index, sub] = rest;
  if (area === "sites" && key !== undefined) {
    if (field === undefined || field === "name" || (field === "urls" && (index === undefined || index === 0))) return { path: ["sites", key], reason };
    if (field === "urls") return { path: ["sites", key, "urls", index as number], reason };
    if (field === "tagManager" && index === "containers" && sub !== undefined) return { path: ["sites", key, "tagManager", "containers", sub], reason };
    if (field === "tags" && index !== undefined) return { path: ["sites", key, "tags", index], reason };
    return { path: ["sites", key, field], reason };
  }
  if (area === "access" && key === "users" && field !== undefined) return { path: ["access", "users", field], reason };
  if (area === "privacy" && key !== undefined) return { path: ["privacy", key], reason };
  return undefined;
}

function samePath(a: readonly Segment[], b: readonly Segment[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
