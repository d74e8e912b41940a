export * from "./types";
export * from "./pack";
export * from "./runner";
export * from "./subjects";
export { CnilPack } from "./cnil-pack";
export { renderRuleTable } from "./rule-table";
export * as rules from "./rules";
