import { rawClient, useValidatedPiwikPro } from "../support/piwikpro";

/** Users of the organization and their per-app permissions. */
describe("Piwik PRO emulator: users and permissions", () => {
  const validated = useValidatedPiwikPro({ ownerEmail: "dpo@example.gouv.fr" });
  let pp: ReturnType<typeof validated>;
  let api: ReturnType<typeof rawClient>;
  let appId: string;
  const addUser = async (email: string, extra: Record<string, unknown> = {}) => {
    const res = await api.post("/api/users/v2", { data: { type: "ppms/user", attributes: { email, password: "Correct-Horse-42", ...extra } } });
    expect(res.status).toBe(201);
    return res.json.data.id as string;
  };
  const permissions = () => `/api/access-control/v2/app/${appId}/permission/user`;
  const grant = (userId: string, permission: string) => api.post(`${permissions()}/${userId}`, { data: { type: "app/permission/user", attributes: { permission } } });

  beforeEach(async () => {
    pp = validated();
    api = rawClient(pp);
    appId = (await api.post("/api/apps/v2", { data: { type: "ppms/app", attributes: { name: "Site", urls: ["https://www.example.org"] } } })).json.data.id;
  });

  it("lists the owner the credentials belong to", async () => {
    const res = await api.get("/api/users/v2");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      meta: { total: 1 },
      data: [{ type: "ppms/user", id: pp.emulator.state.owner.id, attributes: { email: "dpo@example.gouv.fr", role: "OWNER", organization: "default", addedAt: expect.any(String), language: "en-US" } }],
    });
  });

  it("adds a user with 201 (role USER, language en-US by default) and gets it back", async () => {
    const id = await addUser("alice@example.gouv.fr");
    const res = await api.get(`/api/users/v2/${id}`);
    expect(res.json.data.attributes).toMatchObject({ email: "alice@example.gouv.fr", role: "USER", language: "en-US" });
    expect((await api.get("/api/users/v2?search=alice")).json.meta.total).toBe(1);
  });

  it("refuses a weak password and a duplicate e-mail with the documented codes", async () => {
    await addUser("alice@example.gouv.fr");
    const res = await api.post("/api/users/v2", { data: { type: "ppms/user", attributes: { email: "alice@example.gouv.fr", password: "short" } } });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { code: string }) => e.code).sort()).toEqual(["users.error.invalid-new-password", "users.error.user-already-exists"]);
  });

  it("refuses an unsupported language with the documented message", async () => {
    const id = await addUser("bob@example.gouv.fr");
    const res = await api.patch(`/api/users/v2/${id}`, { data: { type: "ppms/user", id, attributes: { language: "pl" } } });
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({ code: "users.error.unsupported-language", detail: 'Language "pl" is not supported (supported are ca, de, en, es, fi, fr, nl, sv)', source: { pointer: "/language" } });
    expect((await api.patch(`/api/users/v2/${id}`, { data: { type: "ppms/user", id, attributes: { language: "fr-FR" } } })).status).toBe(204);
  });

  it("answers 409 when the body's id is not the user's", async () => {
    const id = await addUser("carol@example.gouv.fr");
    const res = await api.patch(`/api/users/v2/${id}`, { data: { type: "ppms/user", id: pp.emulator.state.owner.id, attributes: { role: "OWNER" } } });
    expect(res.status).toBe(409);
  });

  it("does not let the credentials' owner delete their own account", async () => {
    const res = await api.delete(`/api/users/v2/${pp.emulator.state.owner.id}`);
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({ code: "users.error.cannot-delete-own-account" });
  });

  it("deletes a user with 204, and answers 404 and 400 as documented afterwards", async () => {
    const id = await addUser("dave@example.gouv.fr");
    expect((await api.delete(`/api/users/v2/${id}`)).status).toBe(204);
    const gone = await api.get(`/api/users/v2/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json.errors[0]).toEqual({ status: "404", code: "users.error.user-does-not-exist", title: `User with id: ${id} does not exist` });
    const malformed = await api.get("/api/users/v2/example");
    expect(malformed.json.errors[0]).toEqual({ status: "400", code: "error.default", title: '"example" is not a valid UUID.' });
    pp.takeViolations();
  });

  it("lists every user but owners on an app, with no-access until granted", async () => {
    const alice = await addUser("alice@example.gouv.fr");
    await addUser("root@example.gouv.fr", { role: "OWNER" });
    const res = await api.get(permissions());
    expect(res.status).toBe(200);
    expect(res.json.meta).toEqual({ total: 1 });
    expect(res.json.data[0]).toMatchObject({ type: "app/permission/user", id: alice, attributes: { email: "alice@example.gouv.fr", permission: "no-access", group_permissions: { group_names: [], permission: "no-access" } } });
  });

  it.each(["view", "edit", "edit-publish", "manage"])("grants %s on an app with 204", async (permission) => {
    const alice = await addUser("alice@example.gouv.fr");
    expect((await grant(alice, permission)).status).toBe(204);
    expect((await api.get(permissions())).json.data[0].attributes.permission).toBe(permission);
    expect(pp.emulator.state.permissions(appId)).toEqual({ [alice]: permission });
  });

  it("takes access away with no-access", async () => {
    const alice = await addUser("alice@example.gouv.fr");
    await grant(alice, "manage");
    expect((await grant(alice, "no-access")).status).toBe(204);
    expect(pp.emulator.state.permissions(appId)).toEqual({});
  });

  it("refuses an unknown permission with the documented message", async () => {
    const alice = await addUser("alice@example.gouv.fr");
    const res = await grant(alice, "copy");
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toEqual({
      status: "400",
      code: "error.default",
      title: "Invalid form",
      detail: 'Invalid permission "copy", available are: [no-access, view, edit, edit-publish, manage]',
      source: { pointer: "/data/attributes/permission" },
    });
    pp.takeViolations();
  });

  it("forgets a deleted user's permissions", async () => {
    const alice = await addUser("alice@example.gouv.fr");
    await grant(alice, "view");
    await api.delete(`/api/users/v2/${alice}`);
    expect(pp.emulator.state.permissions(appId)).toEqual({});
  });

  it("pages the permission list with offset and limit", async () => {
    for (const name of ["a", "b", "c"]) await addUser(`${name}@example.gouv.fr`);
    const res = await api.get(`${permissions()}?limit=2&offset=1`);
    expect(res.json.meta.total).toBe(3);
    expect(res.json.data.map((e: { attributes: { email: string } }) => e.attributes.email)).toEqual(["b@example.gouv.fr", "c@example.gouv.fr"]);
  });
});
