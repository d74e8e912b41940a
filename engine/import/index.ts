import type { Config } from "../../model/config";
import type { LiveInstance, TrafficCounters } from "../types";
import { buildDeclaration, type Annotation, type ImportTarget } from "./declaration";
import { modelDefaults } from "./defaults";
import { ruleAnnotations } from "./flags";
import { readForImport, type ReadOptions } from "./read";
import { settleDeclaration } from "./settle";
import { renderImportYaml } from "./yaml";

export type { ImportTarget } from "./declaration";
export { ImportError } from "./settle";

export const SCHEMA_COMMENT = "yaml-language-server: $schema=./exempt.schema.json";

export interface ImportResult {
  /** The exempt.yaml text. */
  text: string;
  config: Config;
  sites: number;
  /** Live sites the model refuses (they stay unmanaged). */
  leftOut: number;
  /** Comments a person must act on. */
  todo: number;
  /** Distinct breaches of the CNIL pack, flagged on their fields. */
  breaches: number;
  notes: string[];
  traffic: TrafficCounters;
}

export async function importInstance(target: ImportTarget, options: ReadOptions & { today: string }): Promise<ImportResult> {
  const { live, traffic } = await readForImport(target, options);
  return { ...composeImport(live, target, { today: options.today }), traffic };
}

/** Pure: a reading in, the exempt.yaml text and what it holds out. */
export function composeImport(live: LiveInstance, target: ImportTarget, options: { today: string }): Omit<ImportResult, "traffic"> {
  const defaults = modelDefaults(target.kind, target.auth);
  const { built, config, drops } = settleDeclaration(target.instanceId, (d) => buildDeclaration(live, target, defaults, d));
  const flags = ruleAnnotations(config, target.instanceId, options.today);
  const annotations: Annotation[] = [...built.annotations, ...flags.annotations];
  const sites = Object.keys(config.instances[target.instanceId].sites).length;
  const leftOut = drops.filter((d) => d.path[0] === "sites" && d.path.length === 2).length;
  const header = [
    SCHEMA_COMMENT,
    "",
    `Imported by \`exempt import\` from ${target.url} (${live.version}) on ${options.today}: ${sites} site(s)${leftOut ? `, ${leftOut} left out (see below)` : ""}.`,
    "Fields left out take their CNIL-compliant default. TODO marks what a person must confirm or fill in;",
    "a rule id marks what breaks the CNIL pack as it is live today (`exempt check` lists them all).",
    "Right after this import `exempt plan` shows no change, except where a TODO says otherwise.",
    ...(flags.toConfirm.length ? ["", `Attestations to give (conditions no API shows): ${flags.toConfirm.join(", ")}.`] : []),
  ];
  const text = renderImportYaml({ instanceId: target.instanceId, instance: built.instance, annotations, header });
  return { text, config, sites, leftOut, todo: annotations.filter((a) => a.kind === "todo").length, breaches: flags.breaches, notes: live.notes };
}
