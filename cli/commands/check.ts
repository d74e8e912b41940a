import type { Command } from "../command";
import { loadDeclarationAsync, parseOnly, today } from "../load";
import { parseFormat, writeReport } from "../output";
import { CnilPack, desiredSubjects, evaluatePack, isBlocking } from "../../policies";
import { locateFinding } from "../../constructs/finding-text";
import { summarise } from "../../engine/run";
import type { InstanceReport } from "../../engine/report-schema";
import { renderMarkdown } from "../../engine/render/markdown";
import { findingLine } from "../../engine/render/text";
import { repositoryRoot } from "../repository";
import { DECLARATION_FLAGS } from "../flags";

/** `exempt check`: the rule pack on the declaration alone, offline. 0 clean, 1 bad input, 2 violation. */
export const checkCommand: Command = {
  name: "check",
  summary: "judge exempt.yaml against the CNIL rule pack, offline (exit 2 on a violation)",
  usage: "exempt check [--config exempt.yaml] [--only instance[/site]] [--format text|markdown|json|junit|sarif] [--strict]",
  flags: {
    ...DECLARATION_FLAGS,
    format: { type: "string", description: "text | markdown | json | junit | sarif", default: "text" },
    strict: { type: "boolean", description: "warnings count as violations" },
    out: { type: "string", description: "also write the report to this file" },
    verbose: { type: "boolean", description: "list passes too" },
    "comment-marker": { type: "string", description: "markdown: a hidden marker so CI can update its own comment" },
  },
  async run({ flags }, io) {
    const format = parseFormat(flags.format as string | undefined);
    const decl = await loadDeclarationAsync({ config: flags.config as string | undefined, manifest: flags.manifest as string | undefined }, io);
    const only = parseOnly(flags.only as string | undefined, decl.config);
    const strict = Boolean(flags.strict);
    const instances: InstanceReport[] = [];
    for (const [id, instance] of Object.entries(decl.config.instances)) {
      if (only?.instance && only.instance !== id) continue;
      const findings = evaluatePack(CnilPack, desiredSubjects(decl.config, { instance: id, site: only?.site }), { today: today(io.env) }).map((f) => ({ ...f, location: locateFinding(decl.sourceMap, f.path) }));
      instances.push({
        instanceId: id,
        product: instance.kind,
        url: instance.url,
        sites: Object.entries(instance.sites)
          .filter(([k]) => !only?.site || only.site === k)
          .map(([k, s]) => ({ siteKey: k, name: s.name, operation: "none" as const, changes: [] })),
        instanceChanges: [],
        reassert: [],
        unmanaged: [],
        problems: [],
        findings,
        passed: findings.filter((f) => f.status === "pass").length,
        notes: [],
        traffic: { requests: 0, bytesSent: 0, bytesReceived: 0 },
      });
    }
    const report = summarise(instances, { command: "plan", strict, configFile: decl.file });
    const exitCode = report.summary.violations > 0 ? 2 : 0;
    report.summary.exitCode = exitCode;
    report.summary.verdict = exitCode ? `${report.summary.violations} violation(s) of the CNIL pack` : "compliant with the CNIL pack";
    if (format === "text") {
      const lines: string[] = [];
      for (const i of instances) {
        const shown = i.findings.filter((f) => f.status === "fail" || f.status === "suppressed" || (flags.verbose && f.status !== "not-applicable"));
        lines.push(`${i.instanceId} (${i.product}): ${i.sites.length} site(s)`);
        for (const f of shown) lines.push(`  ${findingLine(f)}`);
        const confirm = [...new Set(i.findings.filter((f) => f.status === "to-confirm").map((f) => f.ruleId))];
        if (confirm.length) lines.push(`  To confirm by a person: ${confirm.join(", ")}`);
        const blocking = i.findings.filter((f) => isBlocking(f, strict)).length;
        lines.push(`  ${blocking ? `${blocking} violation(s)` : "no violation"}, ${i.findings.filter((f) => f.status === "pass").length} check(s) passed`);
      }
      lines.push(`Check: ${report.summary.verdict}`);
      writeReport(lines.join("\n") + "\n", io.stdout, flags.out as string | undefined);
    } else if (format === "markdown") writeReport(renderMarkdown({ ...report, command: "plan" }, { marker: flags["comment-marker"] as string | undefined }), io.stdout, flags.out as string | undefined);
    else writeReport(require("../output").renderReport(report, format, { sarif: { cwd: io.cwd, root: repositoryRoot(io.cwd, io.env) } }), io.stdout, flags.out as string | undefined);
    return exitCode;
  },
};
