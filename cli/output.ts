import * as fs from "node:fs";
import type { RunReport } from "../engine/report-schema";
import { renderText } from "../engine/render/text";
import { renderMarkdown } from "../engine/render/markdown";
import { redactSecrets } from "../model/secrets";
import { UsageError } from "./args";

export const REPORT_FORMATS = ["text", "markdown", "json", "junit", "sarif"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function parseFormat(value: string | undefined, allowed: readonly string[] = REPORT_FORMATS): ReportFormat {
  const format = value ?? "text";
  if (!allowed.includes(format)) throw new UsageError(`exempt: --format must be one of ${allowed.join(", ")}, got '${format}'`);
  return format as ReportFormat;
}

export function renderReport(report: RunReport, format: ReportFormat, options: { verbose?: boolean; marker?: string; sarif?: { cwd?: string; root?: string } } = {}): string {
  switch (format) {
    case "json":
      return JSON.stringify(report, null, 2) + "\n";
    case "markdown":
      return renderMarkdown(report, { marker: options.marker });
    case "junit":
      return require("../engine/render/junit").renderJunit(report);
    case "sarif":
      return JSON.stringify(require("../engine/render/sarif").renderSarif(report, options.sarif), null, 2) + "\n";
    default:
      return renderText(report, options);
  }
}

/** Reports are redacted once more on their way out: whatever path a secret took, it stops here. */
export function writeReport(text: string, stdout: NodeJS.WritableStream, outFile?: string): void {
  const safe = redactSecrets(text);
  if (outFile) fs.writeFileSync(outFile, safe);
  stdout.write(safe);
}
