import { redactSecrets } from "../../model/secrets";

/**
 * JSON:API as Piwik PRO speaks it: request documents, and the error bodies of its four dialects
 * turned into one readable line.
 */
export const JSON_API = "application/vnd.api+json";

export interface ResourceDocument {
  data: { type: string; id?: string; attributes?: Record<string, unknown>; relationships?: Record<string, unknown> };
}

export function resourceDocument(type: string, attributes: Record<string, unknown>, options: { id?: string; relationships?: Record<string, unknown> } = {}): ResourceDocument {
  return {
    data: {
      type,
      ...(options.id !== undefined ? { id: options.id } : {}),
      attributes,
      ...(options.relationships ? { relationships: options.relationships } : {}),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * One line out of any of the error bodies Piwik PRO sends:
 *  - the token endpoint's OAuth JSON: `{error, error_description?, hint?, message?}`;
 *  - the platform's bare 401s: `{error: "Expired JWT Token"}`, access control's `{message}`;
 *  - platform JSON:API: `{errors: [{status, code, title, detail?, source?}]}`;
 *  - Tag Manager: `{errors: [{code, detail, source?, meta?}]}` (no status, no title);
 *  - analytics: `{errors: [{status, detail, source: {parameter}}]}`.
 * Undefined when the body is none of these.
 */
export function describeErrorBody(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    const lines = body.errors.filter(isRecord).map((e) => {
      const title = text(e.title);
      const detail = text(e.detail);
      const words = [title, detail && detail !== title ? detail : undefined].filter(Boolean).join(": ") || text(e.code) || "(no message)";
      const source = isRecord(e.source) ? text(e.source.pointer) ?? (text(e.source.parameter) ? `parameter ${String(e.source.parameter)}` : undefined) : undefined;
      const code = text(e.code) && words !== text(e.code) ? text(e.code) : undefined;
      const extras = [code, source ? `at ${source}` : undefined].filter(Boolean).join(", ");
      return extras ? `${words} (${extras})` : words;
    });
    const unique = [...new Set(lines)];
    return redactSecrets(unique.length > 5 ? `${unique.slice(0, 5).join("; ")}; and ${unique.length - 5} more` : unique.join("; "));
  }
  const error = text(body.error);
  if (error) {
    const description = text(body.error_description);
    const hint = text(body.hint);
    return redactSecrets([error, description, hint].filter(Boolean).join(": "));
  }
  const message = text(body.message);
  if (message) return redactSecrets(typeof body.code === "number" ? `${message} (code ${body.code})` : message);
  return undefined;
}

/** A short, safe description of an answer that is not the JSON expected: its type, size and, for HTML, its title. */
export function describeUnexpectedBody(contentType: string, raw: string): string {
  const type = contentType.split(";")[0].trim() || "no content type";
  const size = `${Buffer.byteLength(raw)} bytes`;
  if (raw.length === 0) return `${type}, empty body`;
  const title = /<title[^>]*>([^<]{0,120})<\/title>/i.exec(raw)?.[1];
  if (title) return `${type}, ${size}, an HTML page titled "${redactSecrets(title.trim())}"`;
  if (/^\s*</.test(raw)) return `${type}, ${size}, markup instead of JSON`;
  if (/^\s*[[{]/.test(raw)) return `${type}, ${size}, JSON cut short or damaged`;
  return `${type}, ${size}, starting "${redactSecrets(raw.replace(/\s+/g, " ").trim().slice(0, 60))}"`;
}

export function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

/** `application/vnd.api+json`, `application/json` and their `charset` variants. */
export function isJsonMediaType(contentType: string): boolean {
  const type = contentType.split(";")[0].trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json");
}
