import type { Context } from "./context";
import { PlatformError, invalidForm, platformErrors, refuse } from "./errors";
import { isUuid, newId } from "./ids";
import { jsonApi, noContent, platformResource, readDocument } from "./jsonapi";
import { readPlatformList, sortBy } from "./paging";
import type { PiwikProState, Role, User } from "./state";
import { timestamp } from "./time";

/**
 * Users of the organization (`/api/users/v2`). The API credentials belong to an owner, who is in
 * the list like any user and cannot delete their own account or change their own role.
 */
const USER_TYPE = "ppms/user";
const ROLES: readonly Role[] = ["OWNER", "USER"];
const LANGUAGES = ["ca", "de", "en", "es", "fi", "fr", "nl", "sv"];
const regions = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

export function listUsers(ctx: Context) {
  const { offset, limit, sort, search } = readPlatformList(ctx.query, ["email", "addedAt", "role"], "-addedAt");
  const needle = search.toLowerCase();
  const matching = [...ctx.state.users.values()].filter((u) => !needle || u.email.toLowerCase().includes(needle) || u.id === needle);
  const sorted = sortBy(matching, sort, (u, field) => (field === "email" ? u.email : field === "role" ? u.role : u.addedAt));
  return jsonApi(200, { meta: { total: matching.length }, data: sorted.slice(offset, offset + limit).map((u) => renderUser(ctx.state, u)) });
}

export function getUser(ctx: Context) {
  return jsonApi(200, { data: renderUser(ctx.state, findUser(ctx.state, ctx.params.userId)) });
}

/** Deprecated in favour of inviting users, but documented, and the way tests add users over HTTP. */
export function createUser(ctx: Context) {
  const { state } = ctx;
  const { attributes } = platformResource(readDocument("users", ctx.req), USER_TYPE, false);
  const errors: PlatformError[] = [];
  const known = ["email", "password", "role", "language"];
  for (const key of Object.keys(attributes)) if (!known.includes(key)) errors.push(invalidForm("This form should not contain extra fields.", `/${key}`));
  const { email, password, role, language } = attributes;
  if (email === undefined || email === "") errors.push(invalidForm("This value should not be blank.", "/email", "error.not-blank"));
  else if (typeof email !== "string") errors.push(invalidForm("This value is not valid.", "/email"));
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.push(invalidForm(`"${email}" is not a valid email address.`, "/email", "users.error.invalid-email"));
  else if ([...state.users.values()].some((u) => u.email.toLowerCase() === email.toLowerCase())) {
    errors.push(invalidForm(`User with email: '${email}' already exists.`, "/email", "users.error.user-already-exists"));
  }
  if (password === undefined || password === "") errors.push(invalidForm("This value should not be blank.", "/password", "error.not-blank"));
  else if (typeof password !== "string" || password.length < 12 || password.length > 128 || !/\d/.test(password) || !/[A-Z]/.test(password) || !/[a-z]/.test(password)) {
    errors.push(
      invalidForm(
        "Password is invalid. It must be 12 to 128 characters long and contain at least one numeric digit, one uppercase, and one lowercase letter",
        "/password",
        "users.error.invalid-new-password",
      ),
    );
  }
  errors.push(...checkRole(role), ...checkLanguage(language));
  if (errors.length) refuse(platformErrors(400, errors));
  const user: User = { id: newId(), email: email as string, role: (role as Role | undefined) ?? "USER", language: (language as string | undefined) ?? "en-US", addedAt: ctx.now };
  state.users.set(user.id, user);
  return jsonApi(201, { data: renderUser(state, user) });
}

export function updateUser(ctx: Context) {
  const { state } = ctx;
  const user = findUser(state, ctx.params.userId);
  const resource = platformResource(readDocument("users", ctx.req), USER_TYPE, true);
  if (String(resource.id).toLowerCase() !== user.id) {
    refuse(
      platformErrors(409, [
        { code: "error", title: "Conflict", detail: `The resource object's id (${resource.id}) does not match url's lookup id (${user.id})`, source: { pointer: "/data" } },
      ]),
    );
  }
  const { role, language, ...rest } = resource.attributes;
  const errors: PlatformError[] = Object.keys(rest).map((key) => invalidForm("This form should not contain extra fields.", `/${key}`));
  errors.push(...checkRole(role), ...checkLanguage(language));
  if (errors.length) refuse(platformErrors(400, errors));
  if (role !== undefined && role !== user.role && user.id === state.owner.id) {
    refuse(platformErrors(400, [{ code: "users.error.cannot-change-own-role", title: "Cannot change own role" }]));
  }
  if (role !== undefined) user.role = role as Role;
  if (language !== undefined) user.language = language as string;
  return noContent();
}

export function deleteUser(ctx: Context) {
  const { state } = ctx;
  const user = findUser(state, ctx.params.userId);
  if (user.id === state.owner.id) refuse(platformErrors(400, [{ code: "users.error.cannot-delete-own-account", title: "User can't delete own account." }]));
  if (user.role === "OWNER" && [...state.users.values()].filter((u) => u.role === "OWNER").length === 1) {
    refuse(platformErrors(400, [{ code: "users.error.cannot-delete-last-owner", title: "Cannot delete last owner" }]));
  }
  state.users.delete(user.id);
  for (const perApp of state.permissions.values()) perApp.delete(user.id);
  return noContent();
}

export function findUser(state: PiwikProState, id: string | undefined): User {
  if (!isUuid(id)) refuse(platformErrors(400, [{ code: "error.default", title: `"${id}" is not a valid UUID.` }]));
  const user = state.users.get(id.toLowerCase());
  if (!user) refuse(platformErrors(404, [{ code: "users.error.user-does-not-exist", title: `User with id: ${id} does not exist` }]));
  return user;
}

export function renderUser(state: PiwikProState, user: User) {
  return {
    type: USER_TYPE,
    id: user.id,
    attributes: { email: user.email, role: user.role, organization: state.organization, addedAt: timestamp(user.addedAt), language: user.language },
  };
}

function checkRole(role: unknown): PlatformError[] {
  if (role === undefined || ROLES.includes(role as Role)) return [];
  return [invalidForm(`Role "${String(role)}" is not supported (supported are OWNER, USER)`, "/role", "users.error.invalid-role")];
}

function checkLanguage(language: unknown): PlatformError[] {
  if (language === undefined) return [];
  const match = typeof language === "string" ? /^([a-zA-Z]{2,3})(?:-([a-zA-Z]{2}))?$/.exec(language) : null;
  if (!match) return [invalidForm("Invalid language - use IETF language tag format - for example: 'en-US'", "/language", "users.error.unsupported-language-tag")];
  if (!LANGUAGES.includes(match[1].toLowerCase())) {
    return [invalidForm(`Language "${match[1]}" is not supported (supported are ${LANGUAGES.join(", ")})`, "/language", "users.error.unsupported-language")];
  }
  if (match[2] && !regions.of(match[2].toUpperCase())) {
    return [invalidForm(`Region code '${match[2]}' is not supported - use valid ISO 3166-1 alpha-2 code`, "/language", "users.error.unsupported-language")];
  }
  return [];
}
