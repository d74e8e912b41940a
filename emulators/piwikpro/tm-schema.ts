import type { TagManagerError } from "./errors";
import { isObject, jsonType } from "./jsonapi";

/**
 * Tag Manager validates request bodies with a JSON-schema validator and reports the first keyword
 * that failed, with `meta.keyword` and `meta.keyword_args` (documented example: "The attribute
 * expected to be of type string but integer given.", keyword `type`). This is a small hand-written
 * equivalent for the shapes the emulator accepts; the wording of keywords other than `type` is
 * UNCONFIRMED. (The emulator must not depend on a schema library or on the documents at run time.)
 */
export type Shape =
  | { type: "boolean" }
  | { type: "integer"; minimum?: number; maximum?: number }
  | { type: "number" }
  | { type: "string"; minLength?: number; maxLength?: number; enum?: readonly string[]; pattern?: RegExp }
  | { type: "object"; properties?: Record<string, Shape>; required?: readonly string[]; additionalProperties?: boolean }
  | { type: "array"; items?: Shape; maxItems?: number }
  | { type: "scalar" }
  | { type: "any" };

export function check(shape: Shape, value: unknown, pointer: string): TagManagerError[] {
  const fail = (keyword: string, detail: string, args: Record<string, unknown>): TagManagerError[] => [
    { code: "INVALID_JSON_ERROR", detail, source: { pointer }, meta: { keyword, keyword_args: args } },
  ];
  const used = jsonType(value);
  switch (shape.type) {
    case "any":
      return [];
    case "scalar":
      return ["string", "integer", "number", "boolean"].includes(used) ? [] : fail("type", `The attribute expected to be of type string but ${used} given.`, { expected: "string", used });
    case "boolean":
      return used === "boolean" ? [] : fail("type", `The attribute expected to be of type boolean but ${used} given.`, { expected: "boolean", used });
    case "number":
      return used === "number" || used === "integer" ? [] : fail("type", `The attribute expected to be of type number but ${used} given.`, { expected: "number", used });
    case "integer": {
      if (used !== "integer") return fail("type", `The attribute expected to be of type integer but ${used} given.`, { expected: "integer", used });
      const n = value as number;
      if (shape.minimum !== undefined && n < shape.minimum) return fail("minimum", `Number must be greater than or equal to ${shape.minimum}`, { min: shape.minimum });
      if (shape.maximum !== undefined && n > shape.maximum) return fail("maximum", `Number must be lower than or equal to ${shape.maximum}`, { max: shape.maximum });
      return [];
    }
    case "string": {
      if (used !== "string") return fail("type", `The attribute expected to be of type string but ${used} given.`, { expected: "string", used });
      const s = value as string;
      if (shape.enum && !shape.enum.includes(s)) return fail("enum", `The attribute must be one of: ${shape.enum.join(", ")}`, { expected: shape.enum });
      if (shape.minLength !== undefined && s.length < shape.minLength) return fail("minLength", `Minimum string length is ${shape.minLength}, found ${s.length}`, { min: shape.minLength, length: s.length });
      if (shape.maxLength !== undefined && s.length > shape.maxLength) return fail("maxLength", `Maximum string length is ${shape.maxLength}, found ${s.length}`, { max: shape.maxLength, length: s.length });
      if (shape.pattern && !shape.pattern.test(s)) return fail("pattern", `The string should match pattern: ${shape.pattern.source}`, { pattern: shape.pattern.source });
      return [];
    }
    case "array": {
      if (!Array.isArray(value)) return fail("type", `The attribute expected to be of type array but ${used} given.`, { expected: "array", used });
      if (shape.maxItems !== undefined && value.length > shape.maxItems) return fail("maxItems", `Array should have at most ${shape.maxItems} items, ${value.length} found`, { max: shape.maxItems, count: value.length });
      if (!shape.items) return [];
      for (let i = 0; i < value.length; i++) {
        const errors = check(shape.items, value[i], `${pointer}/${i}`);
        if (errors.length) return errors;
      }
      return [];
    }
    case "object": {
      if (!isObject(value)) return fail("type", `The attribute expected to be of type object but ${used} given.`, { expected: "object", used });
      const missing = (shape.required ?? []).filter((k) => value[k] === undefined);
      if (missing.length) return fail("required", `The required properties (${missing.join(", ")}) are missing`, { missing });
      const props = shape.properties ?? {};
      if (shape.additionalProperties === false) {
        const extra = Object.keys(value).filter((k) => !(k in props));
        if (extra.length) return fail("additionalProperties", `Additional object properties are not allowed: ${extra.join(", ")}`, { properties: extra });
      }
      for (const [key, sub] of Object.entries(props)) {
        if (value[key] === undefined) continue;
        const errors = check(sub, value[key], `${pointer}/${key}`);
        if (errors.length) return errors;
      }
      return [];
    }
  }
}
