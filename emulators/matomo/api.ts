/**
 * The method table and the parameter binding of Matomo's API proxy: a method is looked up as
 * `Module.method`, its parameters are read by name in signature order (a required one that is
 * missing or empty fails with "Please specify a value for 'x'."), and string values are
 * HTML-escaped unless the method takes them raw. Access checks live inside the methods, after
 * binding, as in Matomo, so a missing parameter is reported before a missing right.
 */
import type { Caller } from "./auth";
import { ApiError, MSG } from "./errors";
import { PhpArray, PhpValue, sanitizeInput } from "./php";
import type { MatomoState } from "./state";

/** Marks a parameter without default value. */
export const REQUIRED = Symbol("required");

export type Default = typeof REQUIRED | null | string | number | boolean | readonly unknown[];

export interface CallContext {
  readonly state: MatomoState;
  readonly caller: Caller;
  /** The effective request parameters (already merged, for bulk sub-requests with the outer ones). */
  readonly params: PhpArray;
  readonly viaBulk: boolean;
  readonly clientIp: string;
  /** Headers a method adds to the HTTP answer (ignored inside bulk requests). */
  readonly responseHeaders: Record<string, string>;
  /**
   * Runs a bulk sub-request given its own parameters; it inherits every outer parameter it does
   * not set but `urls`. Answers what the sub-request's JSON rendering decodes to.
   */
  readonly runSubRequest: (own: PhpArray) => Promise<unknown>;
}

/** A bound argument: a request value, or the signature's default when absent. */
export type Arg = PhpValue | Exclude<Default, typeof REQUIRED>;
export type Args = Record<string, Arg>;

export interface MethodSpec {
  /** Parameter names and defaults, in signature order. */
  readonly sig: ReadonlyArray<readonly [string, Default]>;
  /** `@unsanitized` methods (or parameter names) get their strings as sent. */
  readonly unsanitized?: boolean | readonly string[];
  run(ctx: CallContext, args: Args): unknown | Promise<unknown>;
}

export type Module = Record<string, MethodSpec>;

export function method(sig: MethodSpec["sig"], run: MethodSpec["run"], unsanitized?: MethodSpec["unsanitized"]): MethodSpec {
  return { sig, run, unsanitized };
}

/**
 * Binds request values to parameters like Matomo's proxy: absent or '' takes the default; with a
 * null default, '' is passed through as ''; with no default, it is an error.
 */
export function bindArgs(spec: MethodSpec, params: PhpArray): Args {
  const args: Args = {};
  for (const [name, def] of spec.sig) {
    const raw = params.get(name);
    const empty = raw === undefined || raw === "";
    let value: Arg;
    if (empty) {
      if (def === REQUIRED) throw new ApiError(MSG.pleaseSpecify(name));
      value = raw === "" && def === null ? "" : def;
    } else {
      const keepRaw = spec.unsanitized === true || (Array.isArray(spec.unsanitized) && spec.unsanitized.includes(name));
      value = keepRaw ? raw : sanitizeInput(raw);
    }
    args[name] = value;
  }
  return args;
}

export interface Resolved {
  module: string;
  name: string;
  spec: MethodSpec;
}

/** Resolves `method` to a handler, with Matomo's errors for the ways it can be wrong. */
export function resolveMethod(modules: Record<string, Module>, method: string | undefined): Resolved {
  if (method === undefined || method === "") throw new ApiError(MSG.methodParamMissing);
  const parts = method.split(".");
  if (parts.length !== 2) throw new ApiError(MSG.methodNameInvalid);
  const [module, name] = parts;
  if (!Object.prototype.hasOwnProperty.call(modules, module)) throw new ApiError(MSG.pluginNotEnabled(module));
  const m = modules[module];
  if (!Object.prototype.hasOwnProperty.call(m, name)) throw new ApiError(MSG.methodNotFound(name, module));
  return { module, name, spec: m[name] };
}

/** Helpers that turn bound args into the shapes handlers use. */
export function str(a: Arg): string {
  if (a === null || a === undefined || a === false) return "";
  if (a === true) return "1";
  if (typeof a === "string") return a;
  if (typeof a === "number") return String(a);
  return "";
}

export function isSet(a: Arg): boolean {
  return a !== null && a !== undefined;
}
