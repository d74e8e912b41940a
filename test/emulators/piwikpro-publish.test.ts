import { ValidatedPiwikPro, rawClient, startValidatedPiwikPro } from "../support/piwikpro";

/** How a tag change goes live: the draft, its publication (202) and the operation to poll. */
describe("Piwik PRO emulator: versions and publishing", () => {
  let pp: ValidatedPiwikPro;
  let api: ReturnType<typeof rawClient>;
  let appId: string;
  const base = () => `/api/tag/v1/${appId}`;

  const start = async (options: Parameters<typeof startValidatedPiwikPro>[0] = {}) => {
    pp = await startValidatedPiwikPro(options);
    api = rawClient(pp);
    appId = (await api.post("/api/apps/v2", { data: { type: "ppms/app", attributes: { name: "Site", urls: ["https://www.example.org"] } } })).json.data.id;
  };
  afterEach(async () => pp.close());

  const addPiwikTag = async (consent = "analytics") =>
    (await api.post(`${base()}/tags`, { data: { type: "tag", attributes: { name: "Piwik PRO", template: "piwik", template_options: {}, consent_type: consent } } })).json.data.id as string;
  const publish = async () => {
    const res = await api.post(`${base()}/versions/draft/publish`);
    expect(res.status).toBe(202);
    return res.json.data.relationships.operation.data.id as string;
  };
  const poll = async (operationId: string) => (await api.get(`${base()}/operations/${operationId}`)).json.data.attributes;

  it("shows a new app's draft without changes and an already published version", async () => {
    await start();
    const draft = await api.get(`${base()}/versions/draft`);
    expect(draft.status).toBe(200);
    expect(draft.json.data).toMatchObject({ type: "version", attributes: { version_type: "draft", has_changes: false, publisher: null, published_at: null } });
    const published = await api.get(`${base()}/versions/published`);
    expect(published.json.data.attributes).toMatchObject({ version_type: "published", has_changes: false, publisher: { email: pp.emulator.state.owner.email } });
    expect(draft.json.data.attributes.parent_id).toBe(published.json.data.id);
  });

  it("marks the draft as changed when a tag changes, and unchanged when the change is undone", async () => {
    await start();
    const id = await addPiwikTag();
    expect((await api.get(`${base()}/versions/draft`)).json.data.attributes.has_changes).toBe(true);
    await api.delete(`${base()}/tags/${id}`);
    expect((await api.get(`${base()}/versions/draft`)).json.data.attributes.has_changes).toBe(false);
  });

  it("publishes the draft: 202 with the operation, which moves created → started → completed", async () => {
    await start();
    const tagId = await addPiwikTag();
    const draftId = (await api.get(`${base()}/versions/draft`)).json.data.id;
    const res = await api.post(`${base()}/versions/draft/publish`);
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ data: { id: draftId, type: "version", relationships: { operation: { data: { id: expect.any(String), type: "operation" } } } } });
    const operationId = res.json.data.relationships.operation.data.id;

    // Nothing is live until the operation completes.
    expect(pp.emulator.state.publishedTags(appId)).toEqual([]);
    const first = await poll(operationId);
    expect(first).toMatchObject({ operation_type: "publish/version", state: "created", parameters: { version_id: draftId, version_type: "draft" }, started_at: null });
    expect((await poll(operationId)).state).toBe("started");
    const done = await poll(operationId);
    expect(done).toMatchObject({ state: "completed", completed_at: expect.any(String), failed_at: null });
    expect(done.summary.versions.map((v: { version_type: string }) => v.version_type)).toEqual(["published", "historic", "draft"]);
    expect((await poll(operationId)).state).toBe("completed");

    expect((await api.get(`${base()}/tags/${tagId}`)).json.data.attributes.is_published).toBe(true);
    expect((await api.get(`${base()}/versions/published`)).json.data.id).toBe(draftId);
    const draft = (await api.get(`${base()}/versions/draft`)).json.data;
    expect(draft.id).not.toBe(draftId);
    expect(draft.attributes).toMatchObject({ has_changes: false, parent_id: draftId });
    expect(pp.emulator.state.publishedTags(appId).map((t) => t.attributes.consent_type)).toEqual(["analytics"]);
  });

  it("publishes what the draft held when publishing was asked for", async () => {
    await start({ operationSteps: 0 });
    const tagId = await addPiwikTag("analytics");
    const operationId = await publish();
    await api.patch(`${base()}/tags/${tagId}`, { data: { id: tagId, type: "tag", attributes: { consent_type: "not_require_consent" } } });
    expect((await poll(operationId)).state).toBe("completed");
    expect(pp.emulator.state.publishedTags(appId)[0].attributes.consent_type).toBe("analytics");
    // The later edit is in the draft only: published tag, changed draft.
    expect((await api.get(`${base()}/tags/${tagId}`)).json.data.attributes).toMatchObject({ consent_type: "not_require_consent", is_published: true });
    expect((await api.get(`${base()}/versions/draft`)).json.data.attributes.has_changes).toBe(true);
  });

  it("can make the next publication fail, leaving the draft unpublished", async () => {
    await start({ operationSteps: 1 });
    await addPiwikTag();
    pp.emulator.failOperations();
    const operationId = await publish();
    expect((await poll(operationId)).state).toBe("started");
    const failed = await poll(operationId);
    expect(failed).toMatchObject({ state: "failed", failed_at: expect.any(String), completed_at: null, summary: { errors: [expect.any(String)] } });
    expect((await api.get(`${base()}/versions/draft`)).json.data.attributes.has_changes).toBe(true);
    expect(pp.emulator.state.publishedTags(appId)).toEqual([]);
    // Only the next one fails.
    const retry = await publish();
    await poll(retry);
    expect((await poll(retry)).state).toBe("completed");
  });

  it("answers 404 for an operation of another app", async () => {
    await start();
    const operationId = await publish();
    const other = (await api.post("/api/apps/v2", { data: { type: "ppms/app", attributes: { name: "Other", urls: ["https://other.example"] } } })).json.data.id;
    const res = await api.get(`/api/tag/v1/${other}/operations/${operationId}`);
    expect(res.status).toBe(404);
    expect(res.json.errors[0]).toMatchObject({ code: "NOT_FOUND_ERROR", source: { parameter: "operation_id" } });
  });

  it("treats a publish request with a body as breaking the contract (the operation takes none)", async () => {
    await start();
    const res = await api.post(`${base()}/versions/draft/publish`, { data: {} });
    expect(res.status).toBe(202);
    expect(pp.takeViolations().map((v) => v.message)).toEqual(["sends a body, but the operation declares none"]);
  });
});
