import type { EmulatorRequest, EmulatorResponse } from "../common/http";
import { JSON_API, Service, platformErrors, refuse, unreadableBody, wrongContentType } from "./errors";

/** The media type without parameters, lower-cased: `application/vnd.api+json; charset=utf-8` → `application/vnd.api+json`. */
export function mediaType(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * Reads a JSON:API request document. A body sent with any other content type is refused the way
 * the service refuses it, before the JSON is even looked at, as the product does.
 */
export function readDocument(service: Service, req: EmulatorRequest): Record<string, unknown> {
  const received = mediaType(req.headers["content-type"]);
  if (received !== JSON_API) refuse(wrongContentType(service, received));
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString("utf8"));
  } catch {
    refuse(unreadableBody(service));
  }
  if (!isObject(parsed)) refuse(unreadableBody(service));
  return parsed;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function jsonApi(status: number, body: unknown): EmulatorResponse {
  return { status, headers: { "Content-Type": JSON_API }, body: JSON.stringify(body) };
}

export function noContent(): EmulatorResponse {
  return { status: 204 };
}

export interface ResourceObject {
  type: string;
  id?: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, unknown>;
}

/**
 * The platform's checks of a request's `data` member, in the platform's words (users documents):
 * a wrong `type`, a missing `id` where one is needed, `attributes` that is not an object.
 */
export function platformResource(doc: Record<string, unknown>, expectedType: string, needsId: boolean): ResourceObject {
  const data = doc.data;
  if (!isObject(data)) refuse(platformErrors(400, [{ code: "error.default", title: "Invalid jsonapi message received" }]));
  if (data.type === undefined || data.type === "") {
    refuse(platformErrors(400, [{ code: "error.not-blank", title: "Invalid form", detail: "This value should not be blank.", source: { pointer: "/data/type" } }]));
  }
  if (data.type !== expectedType) {
    refuse(platformErrors(400, [{ code: "error.json-api-resource-type", title: `"${String(data.type)}" is not a valid resource type, use "${expectedType}" instead` }]));
  }
  if (needsId && (data.id === undefined || data.id === null || data.id === "")) {
    refuse(
      platformErrors(400, [
        { code: "error.json-api-resource-id-not-provided", title: "Resource id is not provided - make sure you have id field in request payload data object" },
      ]),
    );
  }
  const attributes = data.attributes ?? {};
  if (!isObject(attributes)) {
    refuse(platformErrors(400, [{ code: "error.default", title: `Invalid field 'attributes' - value should be an object - got '${phpType(attributes)}'` }]));
  }
  return { type: data.type as string, id: data.id as string | undefined, attributes, relationships: isObject(data.relationships) ? data.relationships : undefined };
}

/** Type names as the PHP services print them in their messages. */
export function phpType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

/** Type names as Tag Manager's schema validator prints them ("expected to be of type string but integer given"). */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
