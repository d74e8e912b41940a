import { Construct } from "constructs";
import * as path from "node:path";
import { DataResource, Lazy, TerraformSelf } from "./cdk";
import type { ConfigIssue } from "../model/errors";

/** Where `bin/exempt.js` is, so the local-exec can call it by a path relative to the stack folder. */
export const EXEMPT_BIN = path.resolve(__dirname, "..", "bin", "exempt.js");

/** The file name of the manifest inside the stack's output folder. */
export const MANIFEST_FILE = "exempt-manifest.json";

/** Something that turns itself into the model's plain input object. */
export interface ModelSource {
  toModelInput(): Record<string, unknown>;
  /** False when the construct's own props failed validation (already reported with its path). */
  readonly valid: boolean;
}

/** A problem a construct found with its own props, reported at synth with its construct path. */
export function addIssueValidation(scope: Construct, issues: () => ConfigIssue[]): void {
  scope.node.addValidation({ validate: () => issues().map((i) => `${i.path}: ${i.message}`) });
}

/**
 * What both products' instance constructs share: their sites, and the Terraform wiring: one
 * `terraform_data` per instance whose `triggers_replace` is the hash of the instance's whole desired
 * state, and whose local-exec runs `exempt apply` for that instance only. One reconcile per
 * instance: it reads the whole instance in a few batched requests and writes only what differs.
 */
export abstract class AnalyticsInstance extends Construct {
  readonly instanceId: string;
  protected readonly siteSources = new Map<string, ModelSource>();
  readonly reconcile: DataResource;

  protected constructor(scope: Construct, id: string, hashOf: (instanceId: string) => string) {
    super(scope, id);
    this.instanceId = id;
    const hash = Lazy.stringValue({ produce: () => hashOf(id) });
    this.reconcile = new DataResource(this, "reconcile", {
      input: { instance: id, hash },
      triggersReplace: { hash },
      provisioners: [
        {
          type: "local-exec",
          command: Lazy.stringValue({ produce: (ctx) => applyCommand(ctx.scope, id) }),
        },
        {
          // Runs on every replacement as well as on destroy: it must never call an API (it could
          // delete a live site each time a setting changes). It only says what it leaves alone.
          type: "local-exec",
          when: "destroy",
          command: `echo "exempt: Terraform drops its record of instance ${TerraformSelf.getString("input.instance")}; no live site, container, access grant or data is deleted"`,
        },
      ],
    });
  }

  /** Registers a site construct under its key (called by the site constructs). */
  registerSite(key: string, site: ModelSource): void {
    if (this.siteSources.has(key)) throw new Error(`instance '${this.instanceId}' already has a site '${key}'`);
    this.siteSources.set(key, site);
  }

  get siteKeys(): string[] {
    return [...this.siteSources.keys()];
  }

  abstract toModelInput(): Record<string, unknown>;
  abstract readonly valid: boolean;

  /** True when this instance and all its sites passed their own validation. */
  get validWithSites(): boolean {
    return this.valid && [...this.siteSources.values()].every((s) => s.valid);
  }

  protected sitesInput(): Record<string, unknown> {
    const sites: Record<string, unknown> = {};
    for (const [key, site] of this.siteSources) sites[key] = site.toModelInput();
    return sites;
  }
}

/** `node <relative path>/bin/exempt.js apply ...`, relative to the stack's output folder: no machine path is baked in. */
function applyCommand(scope: Construct, instanceId: string): string {
  const stack = scope.node.scopes.find((s) => (s as { isExemptStack?: boolean }).isExemptStack) as { stackOutdir(): string } | undefined;
  const stackDir = stack ? stack.stackOutdir() : process.cwd();
  const bin = path.relative(stackDir, EXEMPT_BIN).split(path.sep).join("/");
  return `node ${bin} apply --manifest ${MANIFEST_FILE} --only ${instanceId}`;
}

/** Removes undefined fields, so optional props left out stay absent (and take the schema's default). */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}
