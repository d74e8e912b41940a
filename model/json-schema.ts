import { z } from "zod";
import { Config } from "./config";

/**
 * The JSON Schema of exempt.yaml, generated from the zod schema the loader validates with, so
 * editors complete and check the same document the loader accepts. Written to exempt.schema.json
 * by `exempt schema`; a test fails when the committed file is stale.
 *
 * Draft-07, which every YAML language server supports. What JSON Schema cannot say (URL checks,
 * cross-references between sites and users, duplicate main URLs) stays with the loader: the schema
 * accepts a little more than the loader, never less.
 */
export const SCHEMA_FILE = "exempt.schema.json";

/** Descriptions of the document's own keys, which have no schema of their own to carry them. */
const TOP_LEVEL: Record<string, string> = {
  $schema: "The JSON Schema editors use; ignored by Exempt.",
  version: "The version of the configuration format.",
  terraform: "Settings of the Terraform wiring (`cdktf deploy`): where the reconciling stack keeps its state.",
  instances: "Matomo instances and Piwik PRO accounts, by id. The id is stable: it names the instance in reports, `--only` and Terraform.",
  servers: "Self-hosted Matomo servers on Docker, one Terraform stack each, by name (`instances.<id>.server` refers to one).",
};

export function configJsonSchema(): Record<string, unknown> {
  // Input side: defaults are not required, and YAML dates (turned into strings by the loader) are strings.
  const schema = z.toJSONSchema(Config, { target: "draft-7", io: "input", unrepresentable: "any" }) as Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> };
  for (const [key, description] of Object.entries(TOP_LEVEL)) {
    const property = schema.properties?.[key];
    if (property && !property.description) property.description = description;
  }
  const { $schema, ...rest } = schema;
  return {
    $schema,
    title: "exempt.yaml",
    description: "Exempt: CNIL-exempt web analytics (Matomo, Piwik PRO) declared as code. Every field left out takes its CNIL-compliant default.",
    ...rest,
  };
}

/** The file's text: stable key order and a final newline, so a regeneration without change is no diff. */
export function configJsonSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + "\n";
}
