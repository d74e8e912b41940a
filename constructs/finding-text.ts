import type { SourceLocation } from "../model/errors";
import type { Finding } from "../policies/types";

/** The nearest located ancestor of a document path: a default value has no line of its own, its parent does. */
export function locateFinding(sourceMap: Record<string, SourceLocation> | undefined, pathText?: string): SourceLocation | undefined {
  if (!sourceMap || !pathText) return undefined;
  let p = pathText;
  while (p) {
    if (sourceMap[p]) return sourceMap[p];
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return undefined;
}

/** One line per finding: rule id, level, where (instance/site, document path, file:line), why, source. */
export function describeFinding(f: Finding, location?: SourceLocation): string {
  const where = `${f.instanceId}${f.siteKey ? "/" + f.siteKey : ""}`;
  const at = f.path ? ` ${f.path}${location ? ` (${location.file}:${location.line}:${location.column})` : ""}` : location ? ` (${location.file}:${location.line}:${location.column})` : "";
  const src = f.source ? ` [source: ${f.source}${f.sourceUrl ? " " + f.sourceUrl : ""}]` : "";
  return `${f.ruleId} ${f.level} on ${where}${at}: ${f.message}${src}`;
}
