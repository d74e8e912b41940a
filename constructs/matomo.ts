import { Construct } from "constructs";
import { MatomoInstance as MatomoInstanceSchema, MatomoSite as MatomoSiteSchema } from "../model/matomo";
import { issuesFromZod } from "../model/loader";
import { AnalyticsInstance, addIssueValidation, compact, ModelSource } from "./analytics-instance";
import type { MatomoInstanceProps, MatomoSiteProps } from "./matomo-props";
import { ExemptStack } from "./exempt-stack";

export type { MatomoInstanceProps, MatomoSiteProps } from "./matomo-props";

/** A URL-bearing thing a MatomoInstance can take its address from (a MatomoServer's declared public URL). */
export interface MatomoAddress {
  readonly publicUrl: string;
}

/**
 * A Matomo instance (self-hosted or Matomo Cloud) and its instance-wide settings. Sites are added
 * with `new MatomoSite(instance, key, props)` or `instance.addSite(key, props)`.
 */
export class MatomoInstance extends AnalyticsInstance {
  readonly props: MatomoInstanceProps;
  readonly valid: boolean;

  constructor(scope: ExemptStack | Construct, id: string, props: MatomoInstanceProps & { server?: MatomoAddress }) {
    super(scope, id, (instanceId) => ExemptStack.of(this).hashOf(instanceId));
    const { server, ...rest } = props;
    // A server's URL is a plain string known at synth, never a cross-stack token: the reconciling
    // stack must not depend on the Docker provider's stack.
    this.props = { ...rest, url: rest.url ?? server?.publicUrl };
    const schema = MatomoInstanceSchema.omit({ sites: true });
    const input = { kind: "matomo", ...this.props };
    const result = schema.safeParse(input, { reportInput: true });
    this.valid = result.success;
    addIssueValidation(this, () => (result.success ? [] : issuesFromZod(schema, result.error.issues, input)));
  }

  addSite(key: string, props: MatomoSiteProps): MatomoSite {
    return new MatomoSite(this, key, props);
  }

  toModelInput(): Record<string, unknown> {
    return compact({ kind: "matomo", ...(this.props as unknown as Record<string, unknown>), sites: this.sitesInput() });
  }
}

/** One site measured by a Matomo instance; the construct id is the site key. */
export class MatomoSite extends Construct implements ModelSource {
  readonly key: string;
  readonly props: MatomoSiteProps;
  /** False when the props broke the schema (the errors are reported at synth). */
  readonly valid: boolean;

  constructor(instance: MatomoInstance, key: string, props: MatomoSiteProps) {
    super(instance, key);
    this.key = key;
    this.props = props;
    instance.registerSite(key, this);
    const result = MatomoSiteSchema.safeParse(props, { reportInput: true });
    this.valid = result.success;
    addIssueValidation(this, () => (result.success ? [] : issuesFromZod(MatomoSiteSchema, result.error.issues, props)));
  }

  toModelInput(): Record<string, unknown> {
    return compact({ ...(this.props as unknown as Record<string, unknown>) });
  }
}
