export { buildEvidence, type EvidenceInput } from "./model";
export { renderEvidenceFiles } from "./files";
export { EvidenceReportSchema, EVIDENCE_SCHEMA_VERSION, evidenceJsonSchema, type EvidenceReport, type SiteEvidence, type RuleEvidence } from "./schema";
export { FLEET_PAGE, PRINT_PAGE, JSON_FILE, JSON_SCHEMA_FILE } from "./pages";
export { STATUS_WORDS, VERDICT_WORDS, EVIDENCE_STATUSES, type EvidenceStatus, type SiteVerdict } from "./vocabulary";
