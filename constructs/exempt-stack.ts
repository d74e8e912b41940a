import { Construct } from "constructs";
import * as fs from "node:fs";
import * as path from "node:path";
import { addCustomSynthesis, Annotations, App, HttpBackend, LocalBackend, S3Backend, TerraformStack } from "./cdk";
import { Config } from "../model/config";
import { ConfigIssue, formatIssue, SourceLocation } from "../model/errors";
import { validateConfig } from "../model/loader";
import { buildManifest, hashInstance } from "../model/manifest";
import { CnilPack, desiredSubjects, evaluatePack, isBlocking } from "../policies";
import type { Finding } from "../policies/types";
import { EXEMPT_VERSION } from "../cli/version";
import { AnalyticsInstance, MANIFEST_FILE } from "./analytics-instance";
import { describeFinding, locateFinding } from "./finding-text";

/** The Terraform backend of the reconciling stack. CI runners do not keep local files, so teams use a remote one. */
export type TerraformBackendSettings =
  | { local: { path?: string } }
  | { http: { address: string; lockAddress?: string; unlockAddress?: string; lockMethod?: string; unlockMethod?: string; username?: string; skipCertVerification?: false } }
  | { s3: { bucket: string; key: string; region: string; endpoint?: string; usePathStyle?: boolean; skipCredentialsValidation?: boolean; skipRegionValidation?: boolean; skipRequestingAccountId?: boolean; skipMetadataApiCheck?: boolean; encrypt?: boolean } };

export interface ExemptStackProps {
  /**
   * Where the declaration came from, so errors and findings point at YAML lines.
   * @default - declared in TypeScript
   */
  readonly source?: { readonly file?: string; readonly sourceMap?: Record<string, SourceLocation> };
  /**
   * Terraform backend for this stack's state (which holds only hashes, never a secret).
   * @default - local state in `state/<stack id>.tfstate` beside `cdktf.out`, so `rm -rf cdktf.out` keeps it
   */
  readonly backend?: TerraformBackendSettings;
  /**
   * The date (YYYY-MM-DD) suppression and attestation expiries are judged against.
   * @default - today, UTC
   */
  readonly today?: string;
}

export const FINDINGS_FILE = "exempt-findings.json";

/**
 * The reconciling stack: one `terraform_data` per instance, the CNIL rule pack as a validation
 * (an unsuppressed error-level violation fails `cdktf synth`), and the desired-state manifest
 * written into the stack's output folder.
 */
export class ExemptStack extends TerraformStack {
  readonly isExemptStack = true;
  readonly props: ExemptStackProps;
  private resolved?: { config?: Config; issues: ConfigIssue[]; findings: Finding[] };

  static override of(scope: Construct): ExemptStack {
    const stack = scope.node.scopes.find((s) => (s as ExemptStack).isExemptStack === true);
    if (!stack) throw new Error(`${scope.node.path}: Exempt's constructs must be declared inside an ExemptStack`);
    return stack as ExemptStack;
  }

  constructor(scope: Construct, id = "exempt", props: ExemptStackProps = {}) {
    super(scope, id);
    this.props = props;
    this.configureBackend(props.backend);
    this.node.addValidation({ validate: () => this.validationMessages() });
    addCustomSynthesis(this, { onSynthesize: () => this.writeOutputs() });
  }

  get instances(): AnalyticsInstance[] {
    return this.node.children.filter((c): c is AnalyticsInstance => c instanceof AnalyticsInstance);
  }

  /** The folder Terraform runs in for this stack (relative paths in the synthesised JSON start here). */
  stackOutdir(): string {
    const app = App.of(this) as App;
    return path.join(app.outdir, "stacks", this.node.id);
  }

  /** The declaration, validated once through the same zod schema the YAML loader uses. */
  resolveDeclaration(): { config?: Config; issues: ConfigIssue[]; findings: Finding[] } {
    if (this.resolved) return this.resolved;
    const instances: Record<string, unknown> = {};
    for (const i of this.instances) instances[i.instanceId] = i.toModelInput();
    const { config, issues } = validateConfig({ version: 1, instances });
    const findings = config ? evaluatePack(CnilPack, desiredSubjects(config), { today: this.today() }) : [];
    this.resolved = { config, issues, findings };
    return this.resolved;
  }

  hashOf(instanceId: string): string {
    const instance = this.resolveDeclaration().config?.instances[instanceId];
    // An invalid declaration fails validation before this value is ever written.
    return instance ? hashInstance(instance) : "invalid";
  }

  private today(): string {
    return this.props.today ?? new Date().toISOString().slice(0, 10);
  }

  private validationMessages(): string[] {
    // Constructs with invalid props report their own errors, with their paths; checking the whole
    // would only repeat them.
    if (!this.instances.every((i) => i.validWithSites)) return [];
    if (this.instances.length === 0) return ["declare at least one MatomoInstance or PiwikProInstance"];
    const { issues, findings } = this.resolveDeclaration();
    if (issues.length) return issues.map((i) => formatIssue({ ...i, location: i.location ?? this.locate(i.path) }));
    const blocking = findings.filter((f) => isBlocking(f));
    for (const f of findings) {
      if (f.status === "fail" && f.level === "warning") Annotations.of(this).addWarning(describeFinding(f, this.locate(f.path)));
      if (f.status === "suppressed") Annotations.of(this).addInfo(`suppressed: ${describeFinding(f, this.locate(f.path))}`);
    }
    return blocking.map((f) => describeFinding(f, this.locate(f.path)));
  }

  private locate(pathText?: string): SourceLocation | undefined {
    return locateFinding(this.props.source?.sourceMap, pathText);
  }

  private writeOutputs(): void {
    const { config, findings } = this.resolveDeclaration();
    if (!config) return;
    const dir = this.stackOutdir();
    fs.mkdirSync(dir, { recursive: true });
    const manifest = buildManifest(config, `exempt ${EXEMPT_VERSION}`, { file: this.props.source?.file ?? "typescript", sourceMap: this.props.source?.sourceMap });
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    // cdk-nag writes its report beside the synthesised output; so do we, suppressed and attested findings included.
    fs.writeFileSync(path.join(dir, FINDINGS_FILE), JSON.stringify({ generator: `exempt ${EXEMPT_VERSION}`, pack: { name: CnilPack.name, version: CnilPack.version }, findings }, null, 2) + "\n");
  }

  private configureBackend(backend: TerraformBackendSettings | undefined): void {
    if (!backend || "local" in backend) {
      const app = App.of(this) as App;
      const stackDir = path.join(app.outdir, "stacks", this.node.id);
      const statePath = backend && "local" in backend && backend.local.path ? path.resolve(backend.local.path) : path.resolve(app.outdir, "..", "state", `${this.node.id}.tfstate`);
      new LocalBackend(this, { path: path.relative(stackDir, statePath).split(path.sep).join("/") });
    } else if ("http" in backend) {
      // Credentials for an HTTP backend come from TF_HTTP_USERNAME / TF_HTTP_PASSWORD, never the config.
      new HttpBackend(this, { ...backend.http });
    } else {
      // S3 credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment.
      const { endpoint, ...s3 } = backend.s3;
      new S3Backend(this, { ...s3, ...(endpoint ? { endpoints: { s3: endpoint } } : {}) });
    }
  }
}
