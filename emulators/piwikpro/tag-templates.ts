import type { Shape } from "./tm-schema";

/**
 * What each Tag Manager template accepts, from the create/edit variants of the tags documents.
 * The published documents list every template in every variant's `template` enum, so the variant
 * a body belongs to can only be told by its title; this table is that mapping, made explicit.
 */
export const TEMPLATES = [
  "adroll", "bing_ads", "crazy_egg", "custom_content", "custom_popup", "custom_tag", "doubleclick_floodlight",
  "facebook_retargeting_pixel", "google_analytics", "hot_jar", "hub_spot", "linkedin", "marketo", "mautic", "piwik",
  "piwik_custom_dimension", "piwik_event", "piwik_goal_conversion", "piwik_virtual_page_view", "qualaroo", "sales_manago",
  "salesforce_pardot", "video_html5", "video_youtube", "heatmaps", "abandoned", "ecommerce_order", "ecommerce_add_to_cart",
  "ecommerce_remove_from_cart", "ecommerce_product_detail_view", "ecommerce_cart_update", "cookie_information_cmp_integration",
  "ab_tasty", "click_tale", "google_adwords", "optimizely", "visual_website_optimizer",
] as const;

export const CONSENT_TYPES = [
  "not_require_consent", "analytics", "ab_testing_and_personalization", "conversion_tracking",
  "marketing_automation", "remarketing", "user_feedback", "custom_consent",
] as const;

export interface TemplateSpec {
  /** Templates whose code the user writes: `code` and `document_write` are attributes. */
  customCode: boolean;
  codeRequired: boolean;
  /** `tag_type` (sync/async) may be sent on create; only custom code templates have it. */
  tagType: "none" | "optional" | "required";
  consentTypeRequired: boolean;
  /** `template_options`: absent from the template, optional, or required on create. */
  options: "none" | "optional" | "required";
  optionsShape: Shape;
  /** Ecommerce templates have no `code` attribute at all in responses. */
  hasCode: boolean;
  /** Their edit variants require `attributes`. */
  editNeedsAttributes: boolean;
  /**
   * Options an answer always carries (the response schemas require them) although a request may
   * leave them out: the documented defaults of the request schemas, else empty lists.
   */
  optionDefaults: Record<string, unknown>;
  /** Options Tag Manager fills in itself and no request may set (the tracker's addresses). */
  serverOptions?: (appId: string, organization: string) => Record<string, unknown>;
}

const scalar: Shape = { type: "scalar" };
const text: Shape = { type: "string", minLength: 1 };
const flag: Shape = { type: "boolean" };
const integer: Shape = { type: "integer" };
const free: Shape = { type: "any" };
const options = (properties: Record<string, Shape>, required: string[] = []): Shape => ({ type: "object", properties, required, additionalProperties: false });
const keys = (names: string[], required: string[] = names): Shape => options(Object.fromEntries(names.map((n) => [n, free])), required);
const customDimensions: Shape = { type: "array", items: { type: "object", properties: { id: { type: "integer", minimum: 1 }, value: scalar }, required: ["id", "value"] } };

/** The Piwik PRO tag's options are checked in full: they are what the CNIL rules look at. */
const PIWIK_OPTIONS = options({
  link_tracking: flag,
  content_tracking: { type: "string", enum: ["trackAllContentImpressions", "trackVisibleContentImpressions"] },
  cross_domain_tracking: flag,
  heart_beat_timer: { type: "object", properties: { enabled: flag, spent_time: { type: "integer", minimum: 1 } }, required: ["enabled"], additionalProperties: false },
  user_id: text,
  cookie_domain: text,
  disable_cookies: flag,
  secure_cookie: flag,
  visitor_cookie_timeout: integer,
  referral_cookie_timeout: integer,
  session_cookie_timeout: integer,
  js_error_tracking: flag,
  track_page_view: flag,
  piwik_custom_variables: {
    type: "array",
    maxItems: 20,
    items: {
      type: "object",
      properties: { id: { type: "integer", minimum: 1, maximum: 20 }, name: { type: "string", minLength: 1, maxLength: 255 }, value: scalar, scope: { type: "string", enum: ["page", "visit"] } },
      required: ["id", "name", "value", "scope"],
      additionalProperties: false,
    },
  },
  piwik_custom_dimensions: {
    type: "array",
    maxItems: 400,
    items: { type: "object", properties: { id: { type: "integer", minimum: 1, maximum: 400 }, value: scalar }, required: ["id", "value"], additionalProperties: false },
  },
});

const ECOMMERCE = ["product_mapping", "category_mapping_type", "category_mapping", "products_array", "product_dimensions", "custom_dimensions", "currency"];
const ECOMMERCE_REQUIRED = ["product_mapping", "category_mapping_type", "products_array"];
const FLOODLIGHT = ["type", "advertiser_id", "group_tag_string", "activity_tag_string", "counting_method", "revenue", "order_id", "quantity", "session_id", "u", "tran", "custom_variables"];

function spec(partial: Partial<TemplateSpec> & Pick<TemplateSpec, "options" | "optionsShape">): TemplateSpec {
  return { customCode: false, codeRequired: false, tagType: "none", consentTypeRequired: false, hasCode: true, editNeedsAttributes: false, optionDefaults: {}, ...partial };
}

const withOptions = (shape: Shape): TemplateSpec => spec({ options: "required", optionsShape: shape });
const noOptions = spec({ options: "none", optionsShape: options({}) });
const ecommerce = (extra: string[] = [], extraRequired: string[] = []): TemplateSpec =>
  spec({
    options: "required",
    optionsShape: keys([...ECOMMERCE, ...extra], [...ECOMMERCE_REQUIRED, ...extraRequired]),
    hasCode: false,
    editNeedsAttributes: true,
    optionDefaults: { product_dimensions: [], custom_dimensions: [] },
  });
const withDimensions = (shape: Shape): TemplateSpec => spec({ options: "required", optionsShape: shape, optionDefaults: { custom_dimensions: [] } });

export const TEMPLATE_SPECS: Readonly<Record<(typeof TEMPLATES)[number], TemplateSpec>> = {
  custom_tag: spec({ customCode: true, codeRequired: true, tagType: "optional", consentTypeRequired: true, options: "none", optionsShape: options({}) }),
  custom_content: spec({ customCode: true, codeRequired: true, options: "required", optionsShape: keys(["target_element_id"]) }),
  custom_popup: spec({ customCode: true, codeRequired: true, options: "none", optionsShape: options({}) }),
  abandoned: spec({ customCode: true, codeRequired: true, tagType: "required", options: "optional", optionsShape: { type: "object" } }),
  piwik: spec({
    options: "required",
    optionsShape: PIWIK_OPTIONS,
    optionDefaults: { link_tracking: true, js_error_tracking: true, track_page_view: true, piwik_custom_dimensions: [] },
    // UNCONFIRMED: the values; the response schema only says these four are always there.
    serverOptions: (appId, organization) => ({
      tracker_domains: [],
      tracker_php_url: `https://${organization}.piwik.pro/ppms.php`,
      tracker_js_url: `https://${organization}.piwik.pro/ppms.js`,
      tracker_site_id: appId,
    }),
  }),
  piwik_custom_dimension: withOptions(options({ custom_dimensions: customDimensions }, ["custom_dimensions"])),
  piwik_event: withDimensions(keys(["category", "action", "name", "value", "custom_dimensions"], ["category", "action"])),
  piwik_goal_conversion: withDimensions(keys(["id", "revenue", "custom_dimensions", "currency"], ["id"])),
  piwik_virtual_page_view: withDimensions(keys(["url", "document_title", "custom_dimensions"], ["url"])),
  adroll: withOptions(keys(["advertiser_id", "pixel_id", "conversion_data"], ["advertiser_id", "pixel_id"])),
  bing_ads: withOptions(keys(["id"])),
  crazy_egg: withOptions(keys(["account_number"])),
  doubleclick_floodlight: withOptions(keys(FLOODLIGHT, ["type", "advertiser_id", "group_tag_string", "activity_tag_string", "counting_method"])),
  facebook_retargeting_pixel: spec({ options: "required", optionsShape: keys(["pixel_id", "event", "audience", "event_properties"], ["pixel_id", "event"]), optionDefaults: { event_properties: [] } }),
  google_adwords: withOptions(keys(["type", "conversion_id", "conversion_tracking", "audience"], ["type", "conversion_id"])),
  google_analytics: withOptions(keys(["id", "optimize_setup"], ["id"])),
  hot_jar: withOptions(keys(["id"])),
  hub_spot: withOptions(keys(["id"])),
  linkedin: withOptions(keys(["id"])),
  marketo: withOptions(keys(["account_id"])),
  mautic: withOptions(keys(["instance_url"])),
  qualaroo: withOptions(keys(["customer_id", "site_token"])),
  sales_manago: withOptions(keys(["smid"])),
  salesforce_pardot: withOptions(keys(["pi_a_id", "pi_c_id"])),
  video_html5: spec({ options: "optional", optionsShape: keys(["element_selectors", "title_attribute", "track_thresholds", "volume_dimension_id"], []) }),
  video_youtube: spec({ options: "optional", optionsShape: keys(["track_thresholds"], []) }),
  heatmaps: noOptions,
  ecommerce_order: ecommerce(["order"], ["order"]),
  ecommerce_add_to_cart: ecommerce(),
  ecommerce_remove_from_cart: ecommerce(),
  ecommerce_product_detail_view: ecommerce(),
  ecommerce_cart_update: ecommerce(["grand_total"], ["grand_total"]),
  cookie_information_cmp_integration: withOptions(keys(["consents_mapping"])),
  ab_tasty: withOptions(keys(["id"])),
  click_tale: withOptions(keys(["partition", "guid"])),
  optimizely: withOptions(keys(["project_id"])),
  visual_website_optimizer: withOptions(keys(["account_id"])),
};

const SCHEDULER: Shape = {
  type: "object",
  properties: {
    date_ranges: {
      type: "array",
      items: {
        type: "object",
        properties: { from: { type: "string", pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+\d{4}$/ }, to: { type: "string", pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+\d{4}$/ }, timezone: { type: "string" } },
        required: ["from", "to", "timezone"],
        additionalProperties: false,
      },
    },
    times_of_day: {
      type: "array",
      items: {
        type: "object",
        properties: { from: { type: "string", pattern: /^\d{2}:\d{2}:\d{2}$/ }, to: { type: "string", pattern: /^\d{2}:\d{2}:\d{2}$/ }, timezone: { type: "string" } },
        required: ["from", "to", "timezone"],
        additionalProperties: false,
      },
    },
  },
  required: ["date_ranges", "times_of_day"],
  additionalProperties: false,
};

/** The attributes a create (`forCreate`) or an edit request may carry for this template. */
export function attributesShape(template: (typeof TEMPLATES)[number], forCreate: boolean): Shape {
  const t = TEMPLATE_SPECS[template];
  const properties: Record<string, Shape> = {
    disable_in_debug_mode: flag,
    is_active: flag,
    priority: { type: "integer", minimum: 0, maximum: 4294967295 },
    name: { type: "string", minLength: 1, maxLength: 255 },
    respect_visitors_privacy: flag,
    scheduler: SCHEDULER,
    consent_type: { type: "string", enum: CONSENT_TYPES },
  };
  const required: string[] = [];
  if (t.customCode) {
    properties.code = { type: "string", minLength: 1, maxLength: 65536 };
    // The deprecated synchronous custom tag has no `document_write`; the asynchronous one does.
    properties.document_write = flag;
  }
  if (t.options !== "none") properties.template_options = t.optionsShape;
  if (forCreate) {
    // `template` and `tag_type` are fixed once the tag exists: edit requests do not have them.
    properties.template = { type: "string", enum: TEMPLATES };
    if (t.tagType !== "none") properties.tag_type = { type: "string", enum: ["sync", "async"] };
    required.push("name", "template");
    if (t.codeRequired) required.push("code");
    if (t.consentTypeRequired) required.push("consent_type");
    if (t.options === "required") required.push("template_options");
    if (t.tagType === "required") required.push("tag_type");
  }
  return { type: "object", properties, required, additionalProperties: false };
}

export function isTemplate(value: unknown): value is (typeof TEMPLATES)[number] {
  return typeof value === "string" && (TEMPLATES as readonly string[]).includes(value);
}
