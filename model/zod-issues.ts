import type { z } from "zod";
import { describeValue, typeName } from "./describe-value";

type Issue = z.core.$ZodIssue & { input?: unknown };
type AnySchema = z.core.$ZodType;

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  record: "a mapping",
  date: "a date",
};

/**
 * Walks the schema along a document path, so an unknown key can be answered with the keys that
 * are allowed there (and a "did you mean").
 */
export function schemaAt(schema: AnySchema, path: readonly PropertyKey[], document: unknown): AnySchema | undefined {
  let current: AnySchema | undefined = schema;
  let value: unknown = document;
  for (let i = 0; i <= path.length && current; ) {
    const def: Record<string, unknown> & { type: string } = (current as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
    switch (def.type) {
      case "optional":
      case "default":
      case "prefault":
      case "nullable":
      case "readonly":
      case "catch":
        current = def.innerType as AnySchema;
        continue;
      case "pipe":
        current = def.in as AnySchema;
        // A preprocess step leaves a transform as `in`; the real schema is `out`.
        if ((current as unknown as { _zod: { def: { type: string } } })._zod.def.type === "transform") current = def.out as AnySchema;
        continue;
      case "union": {
        const options = def.options as AnySchema[];
        const disc = def.discriminator as string | undefined;
        const kind = disc && value && typeof value === "object" ? (value as Record<string, unknown>)[disc] : undefined;
        current =
          options.find((o) => {
            const shape = (o as unknown as { _zod: { def: { shape?: Record<string, AnySchema> } } })._zod.def.shape;
            const lit = shape?.[disc ?? ""] as { _zod: { def: { values?: unknown[] } } } | undefined;
            return lit?._zod.def.values?.includes(kind);
          }) ?? options[0];
        continue;
      }
    }
    if (i === path.length) return current;
    const key = path[i++];
    value = value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    if (def.type === "object") current = (def.shape as Record<string, AnySchema>)[String(key)];
    else if (def.type === "record") current = def.valueType as AnySchema;
    else if (def.type === "array") current = def.element as AnySchema;
    else return undefined;
  }
  return current;
}

export function knownKeys(schema: AnySchema | undefined): string[] {
  if (!schema) return [];
  const def = (schema as unknown as { _zod: { def: { type: string; shape?: Record<string, unknown> } } })._zod.def;
  return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
  return dp[a.length][b.length];
}

export function closestKey(key: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = editDistance(key, c);
    if (d < bestScore) [best, bestScore] = [c, d];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** One sentence: what was expected, what was found. */
export function describeZodIssue(issue: Issue, allowedKeys: string[] = []): string[] {
  const found = "input" in issue ? issue.input : undefined;
  switch (issue.code) {
    case "invalid_type": {
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (found === undefined) return [`expected ${expected}, but the field is missing`];
      return [`expected ${expected}, found ${typeName(found)}`];
    }
    case "unrecognized_keys":
      return issue.keys.map((k) => {
        const hint = closestKey(k, allowedKeys);
        const allowed = allowedKeys.length ? ` (allowed here: ${allowedKeys.join(", ")})` : "";
        return `unknown key '${k}'${hint ? `: did you mean '${hint}'?` : allowed}`;
      });
    case "invalid_value":
      return [`expected ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}, found ${describeValue(found)}`];
    case "invalid_union":
      if ("discriminator" in issue && issue.discriminator)
        return [`expected ${issue.discriminator} to be one of ${(issue as unknown as { options: unknown[] }).options.map((o) => JSON.stringify(o)).join(" | ")}, found ${describeValue(found)}`];
      return [`${issue.message}, found ${describeValue(found)}`];
    case "too_small":
    case "too_big": {
      const base = issue.message.startsWith("Too") || issue.message.startsWith("Invalid") ? boundMessage(issue) : issue.message;
      return [`${base}, found ${describeValue(found)}`];
    }
    default:
      return [found === undefined || typeof found === "object" ? issue.message : `${issue.message}, found ${describeValue(found)}`];
  }
}

function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === "too_small";
  const bound = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
  const what = issue.origin === "array" ? "items" : issue.origin === "string" ? "characters" : "";
  return `expected ${small ? "at least" : "at most"} ${String(bound)}${what ? " " + what : ""}`;
}
