/**
 * Matomo reads parameters the way PHP does: `$_POST` built by `parse_str` rules. Arrays use
 * brackets (`urls[]=a&urls[]=b`, `parameters[matomoUrl]=...`, `parameters[domains][0][domain]=x`),
 * booleans must be `1`/`0` (`'false'` is truthy in untyped PHP arguments and refused by typed
 * settings), and an empty string counts as "not sent".
 */
export type ParamScalar = string | number | boolean | null | undefined;
export type ParamValue = ParamScalar | readonly ParamValue[] | { readonly [key: string]: ParamValue };
export type Params = Readonly<Record<string, ParamValue>>;

/** One form field, already flattened: `["urls[]", "https://a"]`. */
export type FormField = readonly [string, string];

function scalarText(value: string | number | boolean): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

function isScalar(value: ParamValue): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/**
 * Flattens parameters into PHP form fields. `null`/`undefined` are left out (the PHP default
 * applies). An empty array is left out too: PHP form encoding has no way to say "empty array",
 * so the method's default (usually `[]`) applies. Lists of scalars use `name[]`; lists holding
 * objects use explicit indexes, since `name[][a]=1&name[][b]=2` would make two elements.
 */
export function flattenParams(params: Params): FormField[] {
  const out: FormField[] = [];
  for (const [name, value] of Object.entries(params)) flattenInto(out, name, value);
  return out;
}

function flattenInto(out: FormField[], name: string, value: ParamValue): void {
  if (value === null || value === undefined) return;
  if (isScalar(value)) {
    out.push([name, scalarText(value)]);
    return;
  }
  if (Array.isArray(value)) {
    const list = value as readonly ParamValue[];
    const allScalar = list.every((v) => v === null || v === undefined || isScalar(v));
    list.forEach((item, i) => flattenInto(out, allScalar ? `${name}[]` : `${name}[${i}]`, item));
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, ParamValue>)) flattenInto(out, `${name}[${key}]`, item);
}

/** `application/x-www-form-urlencoded`, brackets escaped as browsers and the recordings do. */
export function encodeForm(fields: readonly FormField[]): string {
  return fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

/** A sub-request of `API.getBulkRequest`: a query string without `module`/`format`/`token_auth`. */
export function encodeSubRequest(method: string, params: Params): string {
  return encodeForm([["method", method], ...flattenParams(params)]);
}

/** Comma-joined list, the storage form of Matomo's list settings. */
export function csv(list: readonly string[] | undefined): string {
  return (list ?? []).join(",");
}
