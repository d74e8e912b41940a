import { findApp } from "./apps";
import type { Context } from "./context";
import { platformErrors, refuse } from "./errors";
import { isUuid } from "./ids";
import { jsonApi, noContent, platformResource, readDocument } from "./jsonapi";
import { readPlatformList } from "./paging";
import { PERMISSIONS, Permission } from "./state";
import { findUser } from "./users";

/**
 * Per-app permissions of users (`/api/access-control/v2/app/{app_id}/permission/user`). Owners
 * hold every permission implicitly and are not listed; every other user is, with `no-access` when
 * nothing was granted. User groups are not emulated (no document in the contract folder), so the
 * group part of each entry is always empty.
 */
const ENTRY_TYPE = "app/permission/user";

export function listPermissions(ctx: Context) {
  const { state } = ctx;
  const appId = appParameter(ctx);
  // The access-control list has no `sort` parameter; entries come ordered by e-mail (UNCONFIRMED).
  const { offset, limit, search } = readPlatformList(ctx.query, ["email"], "email");
  const granted = state.permissions.get(appId);
  const needle = search.toLowerCase();
  const users = [...state.users.values()]
    .filter((u) => u.role !== "OWNER")
    .filter((u) => !needle || u.email.toLowerCase().includes(needle) || u.id === needle)
    .sort((a, b) => a.email.localeCompare(b.email));
  return jsonApi(200, {
    meta: { total: users.length },
    data: users.slice(offset, offset + limit).map((u) => {
      const permission = granted?.get(u.id) ?? "no-access";
      return {
        type: ENTRY_TYPE,
        id: u.id,
        attributes: {
          email: u.email,
          permission,
          // The document requires a `permissions` member that it never defines (a leftover of the
          // deprecated listing, where it was an array of permissions); it is filled the same way.
          permissions: [permission],
          group_permissions: { group_names: [], permission: "no-access" },
        },
      };
    }),
  });
}

export function setPermission(ctx: Context) {
  const { state } = ctx;
  const appId = appParameter(ctx);
  const userId = ctx.params.user_id;
  if (!isUuid(userId)) refuse(platformErrors(400, [{ code: "error.default", title: `"${userId}" is not a valid UUID.`, source: { parameter: "user_id" } }]));
  const user = findUser(state, userId);
  const { attributes } = platformResource(readDocument("access-control", ctx.req), ENTRY_TYPE, false);
  const permission = attributes.permission;
  if (!PERMISSIONS.includes(permission as Permission)) {
    refuse(
      platformErrors(400, [
        {
          code: "error.default",
          title: "Invalid form",
          detail: `Invalid permission "${String(permission)}", available are: [${PERMISSIONS.join(", ")}]`,
          source: { pointer: "/data/attributes/permission" },
        },
      ]),
    );
  }
  if (user.role === "OWNER") {
    // UNCONFIRMED: owners have every permission; the emulator refuses to pretend otherwise.
    refuse(platformErrors(400, [{ code: "error.default", title: "Invalid form", detail: "Permissions of an owner cannot be changed", source: { pointer: "/data" } }]));
  }
  const perApp = state.permissions.get(appId) ?? new Map<string, Permission>();
  if (permission === "no-access") perApp.delete(user.id);
  else perApp.set(user.id, permission as Permission);
  state.permissions.set(appId, perApp);
  return noContent();
}

function appParameter(ctx: Context): string {
  const id = ctx.params.app_id;
  if (!isUuid(id)) refuse(platformErrors(400, [{ code: "error.default", title: `"${id}" is not a valid UUID.`, source: { parameter: "app_id" } }]));
  return findApp(ctx.state, id).id;
}
