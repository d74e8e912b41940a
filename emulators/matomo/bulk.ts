/**
 * The `API` module: the version getters and `API.getBulkRequest`.
 *
 * A bulk request runs every sub-request, in order, as the caller of the outer request: each
 * sub-request's own parameters win over the outer ones it inherits (all of them but `urls`,
 * including `filter_limit`), except its `token_auth`, which is ignored, and its `format`, which is
 * forced to JSON. A failing sub-request contributes its error object and the outer answer stays
 * 200; the outer list is then cut by the outer `filter_limit` like any list.
 */
import { Args, CallContext, Module, REQUIRED, method } from "./api";
import { requireSomeViewAccess } from "./auth";
import { PhpArray, PhpValue, isPhpArray } from "./php";
import { parsePhpQuery, phpUrlDecode } from "./request";

/** `Request::fromQueryString`: a sub-request still fully url-encoded is decoded once more. */
export function parseSubRequest(url: string): PhpArray {
  let params = parsePhpQuery(url).values;
  if (params.size === 1 && [...params.values()][0] === "") params = parsePhpQuery(phpUrlDecode(url)).values;
  for (const [k, v] of params) if (typeof v === "string") params.set(k, v.trim());
  return params;
}

async function getBulkRequest(ctx: CallContext, a: Args): Promise<unknown[]> {
  const urls = a.urls as PhpValue;
  if (!isPhpArray(urls)) return [];
  const results: unknown[] = [];
  for (const url of urls.values()) {
    if (typeof url !== "string") continue;
    const own = parseSubRequest(url);
    own.delete("token_auth");
    own.set("format", "json");
    // A sub-request without a method inherits the outer one, API.getBulkRequest, and is skipped.
    const m = own.get("method") ?? ctx.params.get("method");
    if (typeof m === "string" && m.trim() === "API.getBulkRequest") continue;
    results.push(await ctx.runSubRequest(own));
  }
  return results;
}

export const apiModule: Module = {
  getMatomoVersion: method([], ({ state, caller }) => {
    requireSomeViewAccess(state, caller);
    return state.version;
  }),
  getPiwikVersion: method([], ({ state, caller }) => {
    requireSomeViewAccess(state, caller);
    return state.version;
  }),
  getBulkRequest: method([["urls", REQUIRED]], getBulkRequest, true),
};
