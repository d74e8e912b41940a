import { redactSecrets } from "../../model/secrets";
import { FLEET_PAGE, JSON_FILE, JSON_SCHEMA_FILE, PRINT_PAGE } from "./pages";
import { evidenceJsonSchema, EvidenceReport } from "./schema";
import { fleetPage, printAllPage } from "./render/fleet";
import { sitePage } from "./render/site";

/**
 * Every file of the report, by path relative to the output folder. Pure: the command writes them.
 * Redacted once more on the way out, as `writeReport` does for the other reports.
 */
export function renderEvidenceFiles(report: EvidenceReport): Record<string, string> {
  const files: Record<string, string> = {};
  const byId = new Map(report.instances.map((i) => [i.instanceId, i]));
  files[FLEET_PAGE] = fleetPage(report);
  files[PRINT_PAGE] = printAllPage(report);
  for (const site of report.sites) files[site.page] = sitePage(report, site, byId.get(site.instanceId)!);
  files[JSON_FILE] = JSON.stringify(report, null, 2) + "\n";
  files[JSON_SCHEMA_FILE] = JSON.stringify(evidenceJsonSchema(), null, 2) + "\n";
  for (const path of Object.keys(files)) files[path] = redactSecrets(files[path]);
  return files;
}
