import type { Config } from "../../model/config";
import { CnilPack, desiredSubjects, evaluatePack } from "../../policies";
import type { Annotation, Segment } from "./declaration";

/**
 * What the imported declaration breaks, as annotations on the fields that break it: an instance is
 * imported as it is, so the first pull request shows the work to do. The same pack and the same
 * declaration as `exempt check`, so the comments and the check agree.
 */
export function ruleAnnotations(config: Config, instanceId: string, today: string): { annotations: Annotation[]; breaches: number; toConfirm: string[] } {
  const findings = evaluatePack(CnilPack, desiredSubjects(config, { instance: instanceId }), { today });
  const annotations: Annotation[] = [];
  const seen = new Set<string>();
  let breaches = 0;
  for (const f of findings) {
    if (f.status !== "fail" || (f.level !== "error" && f.level !== "warning")) continue;
    const path = f.path ? segmentsOf(f.path, instanceId) : ["sites", f.siteKey ?? ""];
    // An instance-wide rule fails once per site: one comment on the field is enough.
    const key = `${f.ruleId}|${path.join(".")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    breaches++;
    annotations.push({ path, kind: "rule", text: `${f.ruleId} (${f.level}): ${f.message}` });
  }
  const toConfirm = [...new Set(findings.filter((f) => f.status === "to-confirm").map((f) => f.ruleId))];
  return { annotations, breaches, toConfirm };
}

/** `instances.stats.sites.www.urls[1]` → ["sites", "www", "urls", 1], relative to the instance. */
export function segmentsOf(path: string, instanceId: string): Segment[] {
  const segments: Segment[] = [];
  for (const part of path.split(".")) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      segments.push(part);
      continue;
    }
    if (m[1]) segments.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) segments.push(Number(idx[1]));
  }
  return segments[0] === "instances" && segments[1] === instanceId ? segments.slice(2) : segments;
}
