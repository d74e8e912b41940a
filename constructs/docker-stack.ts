import { Construct } from "constructs";
import * as path from "node:path";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { App, HttpBackend, LocalBackend, S3Backend, TerraformStack } from "./cdk";
import { DockerHost } from "../model/matomo-server";
import type { TerraformBackendSettings } from "./exempt-stack";
import type { DockerStackProps } from "./matomo-server/props";

export type { DockerStackProps } from "./matomo-server/props";

/**
 * A stack that uses the Docker provider, kept apart from the reconciling stack: Terraform must
 * download the provider to init it (the reconciling stack needs nothing but Terraform itself), and
 * the prebuilt @cdktf/provider-docker is what blocks a move to cdktn. This module and
 * matomo-server.ts are the only ones that import it; nothing in constructs/index.ts re-exports
 * them, so loading Exempt's constructs never loads the provider.
 */
export class DockerStack extends TerraformStack {
  readonly isDockerStack = true;
  readonly provider: DockerProvider;
  /** Where this stack's state lives when it is local (relative to the stack's output folder), for the collision check. */
  readonly localStatePath?: string;

  static findIn(scope: Construct): DockerStack {
    const stack = scope.node.scopes.find((s) => (s as DockerStack).isDockerStack === true);
    if (!stack) throw new Error(`${scope.node.path}: a MatomoServer must be declared inside a DockerStack (for example a MatomoServerStack)`);
    return stack as DockerStack;
  }

  constructor(scope: Construct, id: string, props: DockerStackProps = {}) {
    super(scope, id);
    if (props.dockerHost !== undefined) {
      const host = DockerHost.safeParse(props.dockerHost);
      if (!host.success) this.node.addValidation({ validate: () => [`dockerHost: ${host.error.issues[0].message}`] });
    }
    this.provider = new DockerProvider(this, "docker", props.dockerHost !== undefined ? { host: props.dockerHost } : {});
    this.localStatePath = configureBackend(this, props.backend);
    this.node.addValidation({ validate: () => this.stateCollisions() });
  }

  /** Two stacks writing one local state file would overwrite each other's resources. */
  private stateCollisions(): string[] {
    if (!this.localStatePath) return [];
    const mine = path.resolve(stackOutdir(this), this.localStatePath);
    const messages: string[] = [];
    for (const other of App.of(this).node.children) {
      if (other === this || !(other instanceof TerraformStack)) continue;
      const backend = other.node.children.find((c): c is LocalBackend => c instanceof LocalBackend);
      const otherPath = backend ? (backend.toTerraform() as { terraform?: { backend?: { local?: { path?: string } } } }).terraform?.backend?.local?.path : undefined;
      if (otherPath && path.resolve(stackOutdir(other), otherPath) === mine)
        messages.push(`backend: the local state file ${path.relative(process.cwd(), mine) || mine} is also stack '${other.node.id}''s; give each stack its own`);
    }
    return messages;
  }
}

function stackOutdir(stack: TerraformStack): string {
  return path.join((App.of(stack) as App).outdir, "stacks", stack.node.id);
}

/**
 * The same backend choices as the reconciling stack (its configureBackend is private to it).
 * Returns the local state path, relative to the stack's output folder, when the state is local.
 */
function configureBackend(stack: TerraformStack, backend: TerraformBackendSettings | undefined): string | undefined {
  if (!backend || "local" in backend) {
    const app = App.of(stack) as App;
    // Outside cdktf.out, so `rm -rf cdktf.out` keeps it (cdktf-notes.md section 5).
    const statePath = backend && "local" in backend && backend.local.path ? path.resolve(backend.local.path) : path.resolve(app.outdir, "..", "state", `${stack.node.id}.tfstate`);
    const relative = path.relative(stackOutdir(stack), statePath).split(path.sep).join("/");
    new LocalBackend(stack, { path: relative });
    return relative;
  }
  if ("http" in backend) {
    // Credentials for an HTTP backend come from TF_HTTP_USERNAME / TF_HTTP_PASSWORD, never the config.
    new HttpBackend(stack, { ...backend.http });
    return undefined;
  }
  // With terraformVariables secrets this state holds the database passwords: encrypt it at rest.
  const { endpoint, ...s3 } = backend.s3;
  new S3Backend(stack, { encrypt: true, ...s3, ...(endpoint ? { endpoints: { s3: endpoint } } : {}) });
  return undefined;
}
