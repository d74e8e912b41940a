import { ValidatedPiwikPro, rawClient, startValidatedPiwikPro } from "../support/piwikpro";

/** Tag Manager tags: consent types, immutable template, unknown attributes, filters and paging. */
describe("Piwik PRO emulator: Tag Manager tags", () => {
  let pp: ValidatedPiwikPro;
  let api: ReturnType<typeof rawClient>;
  let appId: string;
  const tags = () => `/api/tag/v1/${appId}/tags`;
  const createTag = (attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) => api.post(tags(), { data: { type: "tag", attributes, ...extra } });
  const piwikTag = async (name = "Piwik PRO", extra: Record<string, unknown> = {}) => {
    const res = await createTag({ name, template: "piwik", template_options: { track_page_view: true }, ...extra });
    expect(res.status).toBe(201);
    return res.json.data.id as string;
  };

  beforeEach(async () => {
    pp = await startValidatedPiwikPro();
    api = rawClient(pp);
    appId = (await api.post("/api/apps/v2", { data: { type: "ppms/app", attributes: { name: "Site", urls: ["https://www.example.org"] } } })).json.data.id;
  });
  afterEach(async () => pp.close());

  it("gives a new app no tags, as no document describes default tags", async () => {
    const res = await api.get(tags());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ data: [], meta: { total: 0 } });
  });

  it("creates a Piwik PRO tag with 201, consent type analytics by default, not yet published", async () => {
    const res = await createTag({ name: "Piwik PRO", template: "piwik", template_options: {} }, { relationships: { triggers: { data: [] } } });
    expect(res.status).toBe(201);
    expect(res.json.data).toMatchObject({
      type: "tag",
      attributes: { name: "Piwik PRO", template: "piwik", consent_type: "analytics", is_active: true, is_published: false, template_options: {} },
      relationships: { triggers: { data: [] } },
    });
    const got = await api.get(`${tags()}/${res.json.data.id}`);
    expect(got.json.data.attributes).toEqual(res.json.data.attributes);
  });

  it.each([
    "not_require_consent",
    "analytics",
    "ab_testing_and_personalization",
    "conversion_tracking",
    "marketing_automation",
    "remarketing",
    "user_feedback",
    "custom_consent",
  ])("accepts the consent type %s", async (consent) => {
    const id = await piwikTag("Tag", { consent_type: consent });
    expect((await api.get(`${tags()}/${id}`)).json.data.attributes.consent_type).toBe(consent);
  });

  it("refuses a consent type outside the eight documented ones", async () => {
    const res = await createTag({ name: "Tag", template: "piwik", template_options: {}, consent_type: "statistics" });
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({ code: "INVALID_JSON_ERROR", source: { pointer: "/data/attributes/consent_type" }, meta: { keyword: "enum" } });
    expect(res.json.errors[0]).not.toHaveProperty("status");
    pp.takeViolations();
  });

  it("refuses attributes the template does not have", async () => {
    const res = await createTag({ name: "Tag", template: "piwik", template_options: {}, fire_on_consent: true });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      {
        code: "INVALID_JSON_ERROR",
        detail: "Additional object properties are not allowed: fire_on_consent",
        source: { pointer: "/data/attributes" },
        meta: { keyword: "additionalProperties", keyword_args: { properties: ["fire_on_consent"] } },
      },
    ]);
    const options = await createTag({ name: "Tag", template: "piwik", template_options: { track_everything: true } });
    expect(options.status).toBe(400);
    expect(options.json.errors[0].source).toEqual({ pointer: "/data/attributes/template_options" });
    expect(pp.takeViolations().filter((v) => v.side === "response")).toEqual([]);
  });

  it("refuses a value of the wrong type with the documented wording", async () => {
    const res = await createTag({ name: "Tag", template: "piwik", template_options: {}, priority: "high" });
    expect(res.json.errors[0]).toMatchObject({
      detail: "The attribute expected to be of type integer but string given.",
      meta: { keyword: "type", keyword_args: { expected: "integer", used: "string" } },
    });
    pp.takeViolations();
  });

  it("requires the code of a custom tag and its consent type", async () => {
    const res = await createTag({ name: "Custom", template: "custom_tag" });
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({ meta: { keyword: "required", keyword_args: { missing: ["code", "consent_type"] } } });
    const ok = await createTag({ name: "Custom", template: "custom_tag", code: "<script>console.log(1)</script>", consent_type: "marketing_automation" });
    expect(ok.status).toBe(201);
    expect(ok.json.data.attributes).toMatchObject({ code: "<script>console.log(1)</script>", tag_type: "async", document_write: false });
    pp.takeViolations();
  });

  it("edits a tag with 204 and keeps what was not sent", async () => {
    const id = await piwikTag();
    const res = await api.patch(`${tags()}/${id}`, { data: { id, type: "tag", attributes: { consent_type: "not_require_consent", is_active: false } } });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await api.get(`${tags()}/${id}`)).json.data.attributes).toMatchObject({ consent_type: "not_require_consent", is_active: false, name: "Piwik PRO", template_options: { track_page_view: true } });
  });

  it("keeps the template immutable: an edit that sends it is refused, even unchanged", async () => {
    const id = await piwikTag();
    for (const template of ["custom_tag", "piwik"]) {
      const res = await api.patch(`${tags()}/${id}`, { data: { id, type: "tag", attributes: { template } } });
      expect(res.status).toBe(400);
      expect(res.json.errors[0]).toMatchObject({ meta: { keyword: "additionalProperties", keyword_args: { properties: ["template"] } } });
    }
    expect(pp.emulator.state.tags(appId)[0].attributes.template).toBe("piwik");
    expect(pp.takeViolations().every((v) => v.side === "request")).toBe(true);
  });

  it("refuses an edit whose data.id is not the tag's", async () => {
    const id = await piwikTag();
    const res = await api.patch(`${tags()}/${id}`, { data: { id: "00000000-0000-4000-8000-000000000000", type: "tag", attributes: { name: "X" } } });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].source).toEqual({ pointer: "/data/id" });
  });

  it("replaces a tag's triggers through relationships", async () => {
    const id = await piwikTag();
    const trigger = "11c32a79-5409-4427-9809-7ce1937fd401";
    await api.patch(`${tags()}/${id}`, { data: { id, type: "tag", relationships: { triggers: { data: [{ id: trigger, type: "trigger" }] } } } });
    expect((await api.get(`${tags()}/${id}`)).json.data.relationships).toEqual({ triggers: { data: [{ id: trigger, type: "trigger" }] } });
  });

  it("filters by template, repeating the parameter for several templates", async () => {
    await piwikTag("Piwik PRO");
    await createTag({ name: "GA", template: "google_analytics", template_options: { id: "UA-1" } });
    await createTag({ name: "Hotjar", template: "hot_jar", template_options: { id: "42" } });
    const names = async (q: string) => (await api.get(`${tags()}?${q}`)).json.data.map((t: { attributes: { name: string } }) => t.attributes.name).sort();
    expect(await names("filter[template]=piwik")).toEqual(["Piwik PRO"]);
    expect(await names("filter[template][]=piwik&filter[template][]=hot_jar")).toEqual(["Hotjar", "Piwik PRO"]);
    expect(await names("filter[name]=hot")).toEqual(["Hotjar"]);
    const bad = await api.get(`${tags()}?filter[template]=piwik,hot_jar`);
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatchObject({ code: "INVALID_URI_PARAMETER_ERROR", source: { parameter: "filter[template]" } });
    pp.takeViolations();
  });

  it("lists only the list attributes, with page[offset]/page[limit], links and sort", async () => {
    for (const name of ["c", "a", "e", "b", "d"]) await piwikTag(name);
    const res = await api.get(`${tags()}?sort=name&page[limit]=2&page[offset]=2`);
    expect(res.json.meta).toEqual({ total: 5 });
    expect(res.json.data.map((t: { attributes: { name: string } }) => t.attributes.name)).toEqual(["c", "d"]);
    expect(Object.keys(res.json.data[0].attributes).sort()).toEqual(["consent_type", "created_at", "is_active", "is_published", "name", "priority", "tag_type", "template", "updated_at"]);
    expect(res.json.links.next).toContain("page%5Boffset%5D=4");
    expect(res.json.links.prev).toContain("page%5Boffset%5D=0");
    expect(res.json.links.last).toContain("page%5Boffset%5D=4");
    const next = await fetch(res.json.links.next, { headers: { Authorization: `Bearer ${await pp.token()}` } });
    expect(((await next.json()) as { data: { attributes: { name: string } }[] }).data.map((t) => t.attributes.name)).toEqual(["e"]);
    const desc = await api.get(`${tags()}?sort=-name`);
    expect(desc.json.data[0].attributes.name).toBe("e");
  });

  it("sets the firing order of several tags at once", async () => {
    const a = await piwikTag("a");
    const b = await piwikTag("b");
    const res = await api.patch(tags(), { data: [{ id: a, type: "tag", attributes: { priority: 5 } }, { id: b, type: "tag", attributes: { priority: 9 } }] });
    expect(res.status).toBe(204);
    const list = await api.get(`${tags()}?sort=-priority`);
    expect(list.json.data.map((t: { attributes: { name: string; priority: number } }) => [t.attributes.name, t.attributes.priority])).toEqual([
      ["b", 9],
      ["a", 5],
    ]);
  });

  it("deletes a tag with 204; it is then not found, in Tag Manager's dialect", async () => {
    const id = await piwikTag();
    expect((await api.delete(`${tags()}/${id}`)).status).toBe(204);
    const res = await api.get(`${tags()}/${id}`);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ errors: [{ code: "NOT_FOUND_ERROR", detail: `There is no tag with given identifier: ${id}`, source: { parameter: "tag_id" } }] });
  });

  it("answers for an unknown app and a malformed id as documented", async () => {
    const missing = "5c39070d-9e0b-40a2-ae56-392f05711f74";
    const res = await api.get(`/api/tag/v1/${missing}/tags`);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ errors: [{ code: "NOT_FOUND_ERROR", detail: `There is no application with given identifier: ${missing}`, source: { parameter: "app_id" } }] });
    const malformed = await api.get("/api/tag/v1/not-a-uuid/tags");
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ errors: [{ code: "INVALID_URI_PARAMETER_ERROR", detail: "Application identifier should be of type UUID", source: { parameter: "app_id" } }] });
    pp.takeViolations();
  });

  it("refuses a body sent as application/json", async () => {
    const res = await createTag({ name: "Tag", template: "piwik", template_options: {} }).then(() =>
      api.post(tags(), { data: { type: "tag", attributes: { name: "Tag", template: "piwik", template_options: {} } } }, { contentType: "application/json" }),
    );
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toEqual({ code: "INVALID_JSON_ERROR", detail: '"application/json" is not a valid JSON API Content-Type header, use "application/vnd.api+json" instead' });
    expect(pp.emulator.state.tags(appId)).toHaveLength(1);
    pp.takeViolations();
  });

  /** The smallest valid create request of every template the documents know. */
  const EVERY_TEMPLATE: Record<string, Record<string, unknown>> = {
    custom_tag: { code: "<script></script>", consent_type: "custom_consent" },
    custom_content: { code: "<p>hi</p>", template_options: { target_element_id: "box" } },
    custom_popup: { code: "<p>hi</p>" },
    abandoned: { code: "<script></script>", tag_type: "async" },
    piwik: { template_options: {} },
    piwik_custom_dimension: { template_options: { custom_dimensions: [{ id: 1, value: "x" }] } },
    piwik_event: { template_options: { category: "c", action: "a" } },
    piwik_goal_conversion: { template_options: { id: "1" } },
    piwik_virtual_page_view: { template_options: { url: "/about" } },
    adroll: { template_options: { advertiser_id: "a", pixel_id: "p" } },
    bing_ads: { template_options: { id: "1" } },
    crazy_egg: { template_options: { account_number: "1" } },
    doubleclick_floodlight: { template_options: { type: "counter", advertiser_id: "a", group_tag_string: "g", activity_tag_string: "t", counting_method: "standard_method" } },
    facebook_retargeting_pixel: { template_options: { pixel_id: "1", event: "Lead" } },
    google_adwords: { template_options: { type: "remarketing", conversion_id: 1 } },
    google_analytics: { template_options: { id: "G-1" } },
    hot_jar: { template_options: { id: "1" } },
    hub_spot: { template_options: { id: "1" } },
    linkedin: { template_options: { id: "1" } },
    marketo: { template_options: { account_id: "1" } },
    mautic: { template_options: { instance_url: "https://m.example/" } },
    qualaroo: { template_options: { customer_id: "1", site_token: "t" } },
    sales_manago: { template_options: { smid: "1" } },
    salesforce_pardot: { template_options: { pi_a_id: "1", pi_c_id: "2" } },
    video_html5: {},
    video_youtube: {},
    heatmaps: {},
    ecommerce_order: { template_options: { product_mapping: { sku: "sku" }, category_mapping_type: "disabled", products_array: "products", order: { order_id: "id", grand_total: "total" } } },
    ecommerce_add_to_cart: { template_options: { product_mapping: { sku: "sku" }, category_mapping_type: "disabled", products_array: "products" } },
    ecommerce_remove_from_cart: { template_options: { product_mapping: { sku: "sku" }, category_mapping_type: "disabled", products_array: "products" } },
    ecommerce_product_detail_view: { template_options: { product_mapping: { sku: "sku" }, category_mapping_type: "disabled", products_array: "products" } },
    ecommerce_cart_update: { template_options: { product_mapping: { sku: "sku" }, category_mapping_type: "disabled", products_array: "products", grand_total: "total" } },
    cookie_information_cmp_integration: {
      template_options: { consents_mapping: { cookie_cat_functional: [], cookie_cat_statistic: ["analytics"], cookie_cat_marketing: [], cookie_cat_unclassified: [] } },
    },
    ab_tasty: { template_options: { id: "1" } },
    click_tale: { template_options: { partition: "1", guid: "g" } },
    optimizely: { template_options: { project_id: "1" } },
    visual_website_optimizer: { template_options: { account_id: "1" } },
  };

  it("creates, reads and lists a tag of every documented template, each answer as its template's schema describes it", async () => {
    expect(Object.keys(EVERY_TEMPLATE)).toHaveLength(37);
    for (const [template, attributes] of Object.entries(EVERY_TEMPLATE)) {
      const res = await createTag({ name: template, template, ...attributes });
      expect(`${template} → ${res.status}`).toBe(`${template} → 201`);
      expect((await api.get(`${tags()}/${res.json.data.id}`)).json.data.attributes.template).toBe(template);
    }
    expect((await api.get(`${tags()}?page[limit]=100`)).json.meta.total).toBe(37);
    expect(pp.violations).toEqual([]);
  });

  it("deleting an app deletes its container", async () => {
    await piwikTag();
    await api.delete(`/api/apps/v2/${appId}`);
    expect((await api.get(tags())).status).toBe(404);
  });
});
