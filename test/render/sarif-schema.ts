/**
 * The essential structure of SARIF 2.1.0 (OASIS, sarif-schema-2.1.0.json), transcribed for the
 * parts Exempt writes and code-scanning services read: required members, their types and enums.
 * The full schema is not vendored; this subset is strict where the full one is (types, enums,
 * minimums), so a log it refuses would be refused by code scanning too.
 */
const message = { type: "object", required: ["text"], properties: { text: { type: "string", minLength: 1 }, markdown: { type: "string" } } };
const level = { enum: ["none", "note", "warning", "error"] };

export const SARIF_ESSENTIAL_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["version", "runs"],
  properties: {
    $schema: { type: "string", format: "uri" },
    version: { const: "2.1.0" },
    runs: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["tool"],
        properties: {
          tool: {
            type: "object",
            required: ["driver"],
            properties: {
              driver: {
                type: "object",
                required: ["name"],
                properties: {
                  name: { type: "string", minLength: 1 },
                  version: { type: "string" },
                  semanticVersion: { type: "string" },
                  informationUri: { type: "string", format: "uri" },
                  rules: {
                    type: "array",
                    uniqueItems: true,
                    items: {
                      type: "object",
                      required: ["id"],
                      properties: {
                        id: { type: "string", minLength: 1 },
                        name: { type: "string" },
                        shortDescription: message,
                        fullDescription: message,
                        help: message,
                        helpUri: { type: "string", format: "uri" },
                        defaultConfiguration: { type: "object", properties: { level, enabled: { type: "boolean" } } },
                        properties: { type: "object" },
                      },
                    },
                  },
                },
              },
            },
          },
          automationDetails: { type: "object", properties: { id: { type: "string" } } },
          invocations: {
            type: "array",
            items: {
              type: "object",
              required: ["executionSuccessful"],
              properties: {
                executionSuccessful: { type: "boolean" },
                exitCode: { type: "integer" },
                toolExecutionNotifications: { type: "array", items: { type: "object", required: ["message"], properties: { message, level } } },
              },
            },
          },
          results: {
            type: "array",
            items: {
              type: "object",
              required: ["message"],
              properties: {
                ruleId: { type: "string" },
                ruleIndex: { type: "integer", minimum: -1 },
                level,
                kind: { enum: ["notApplicable", "pass", "fail", "review", "open", "informational"] },
                message,
                locations: {
                  type: "array",
                  items: {
                    type: "object",
                    properties: {
                      physicalLocation: {
                        type: "object",
                        properties: {
                          artifactLocation: { type: "object", properties: { uri: { type: "string", format: "uri-reference" }, uriBaseId: { type: "string" } } },
                          region: {
                            type: "object",
                            properties: { startLine: { type: "integer", minimum: 1 }, startColumn: { type: "integer", minimum: 1 }, endLine: { type: "integer", minimum: 1 }, endColumn: { type: "integer", minimum: 1 } },
                          },
                        },
                      },
                      logicalLocations: { type: "array", items: { type: "object", properties: { name: { type: "string" }, fullyQualifiedName: { type: "string" }, kind: { type: "string" } } } },
                    },
                  },
                },
                partialFingerprints: { type: "object", additionalProperties: { type: "string" } },
                suppressions: {
                  type: "array",
                  uniqueItems: true,
                  items: {
                    type: "object",
                    required: ["kind"],
                    properties: { kind: { enum: ["inSource", "external"] }, status: { enum: ["accepted", "underReview", "rejected"] }, justification: { type: "string" } },
                  },
                },
                properties: { type: "object" },
              },
            },
          },
        },
      },
    },
  },
} as const;
