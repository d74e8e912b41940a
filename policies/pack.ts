import type { Level, Product, Rule } from "./types";

/** A rule as a pack uses it: the pack, not the rule, decides the level (cdk-nag's split). */
export interface PackEntry {
  rule: Rule;
  level: Level;
  /** Keeps its level on a site in `mode: consent` (rules that protect data whatever the legal basis). */
  appliesInConsentMode: boolean;
  /** False for the core conditions of the exemption: on an exempt site they cannot be suppressed. */
  suppressibleWhenExempt: boolean;
}

export interface RulePack {
  name: string;
  /** Bumped when a rule is added or its level changes; shown in evidence reports. */
  version: string;
  entries: PackEntry[];
}

export function entriesFor(pack: RulePack, product: Product): PackEntry[] {
  return pack.entries.filter((e) => e.rule.products.includes(product));
}

export function findEntry(pack: RulePack, ruleId: string): PackEntry | undefined {
  return pack.entries.find((e) => e.rule.id === ruleId);
}
