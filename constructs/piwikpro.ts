import { Construct } from "constructs";
import { PiwikProApp as PiwikProAppSchema, PiwikProInstance as PiwikProInstanceSchema } from "../model/piwikpro";
import { issuesFromZod } from "../model/loader";
import { AnalyticsInstance, addIssueValidation, compact, ModelSource } from "./analytics-instance";
import type { PiwikProAppProps, PiwikProInstanceProps } from "./piwikpro-props";
import { ExemptStack } from "./exempt-stack";

export type { PiwikProAppProps, PiwikProInstanceProps } from "./piwikpro-props";

/** A Piwik PRO account (its account-wide tracker settings, users and apps). */
export class PiwikProInstance extends AnalyticsInstance {
  readonly props: PiwikProInstanceProps;
  readonly valid: boolean;

  constructor(scope: ExemptStack | Construct, id: string, props: PiwikProInstanceProps) {
    super(scope, id, (instanceId) => ExemptStack.of(this).hashOf(instanceId));
    this.props = props;
    const schema = PiwikProInstanceSchema.omit({ sites: true });
    const input = { kind: "piwikpro", ...props };
    const result = schema.safeParse(input, { reportInput: true });
    this.valid = result.success;
    addIssueValidation(this, () => (result.success ? [] : issuesFromZod(schema, result.error.issues, input)));
  }

  addApp(key: string, props: PiwikProAppProps): PiwikProApp {
    return new PiwikProApp(this, key, props);
  }

  toModelInput(): Record<string, unknown> {
    return compact({ kind: "piwikpro", ...(this.props as unknown as Record<string, unknown>), sites: this.sitesInput() });
  }
}

/** One app (site) of a Piwik PRO account; the construct id is the site key. */
export class PiwikProApp extends Construct implements ModelSource {
  readonly key: string;
  readonly props: PiwikProAppProps;
  readonly valid: boolean;

  constructor(instance: PiwikProInstance, key: string, props: PiwikProAppProps) {
    super(instance, key);
    this.key = key;
    this.props = props;
    instance.registerSite(key, this);
    const result = PiwikProAppSchema.safeParse(props, { reportInput: true });
    this.valid = result.success;
    addIssueValidation(this, () => (result.success ? [] : issuesFromZod(PiwikProAppSchema, result.error.issues, props)));
  }

  toModelInput(): Record<string, unknown> {
    return compact({ ...(this.props as unknown as Record<string, unknown>) });
  }
}
