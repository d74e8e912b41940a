import { rawClient, type ValidatedPiwikPro } from "../support/piwikpro";

/**
 * A Piwik PRO account configured by hand, through the API only: apps with varied consent settings
 * (asking or not, cookieless, session cookie, nothing without consent), ecommerce, URL exclusions,
 * timezones and currencies; Piwik PRO tags with their template options, feedback and custom tags
 * with their consent types; users with view, edit-publish and manage permissions; the account's
 * privacy settings.
 */
export interface PiwikProFleet {
  ids: string[];
  breaking: Record<string, string[]>;
}

const TIMEZONES = ["Europe/Paris", "UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo"];
const CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CHF"];
const MODES = [
  { gdprDataAnonymization: true, gdprDataAnonymizationMode: "no_device_storage" },
  { gdprDataAnonymization: true, gdprDataAnonymizationMode: "session_cookie_id" },
  { gdprDataAnonymization: false, gdprDataAnonymizationMode: "no_device_storage" },
];

export async function seedPiwikProFleet(pp: ValidatedPiwikPro, size = 50, options: { override?: boolean } = {}): Promise<PiwikProFleet> {
  const api = rawClient(pp);
  const ok = async (what: string, res: Promise<{ status: number; text: string; json: any }>, status: number) => {
    const r = await res;
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.text}`);
    return r.json;
  };
  const ids: string[] = [];
  const breaking: Record<string, string[]> = { "CNIL-SINGLE-PUBLISHER": [], "CNIL-ECOMMERCE-OFF": [], "CNIL-TAG-CONSENT-ANALYTICS": [], "CNIL-NO-UNCONSENTED-TAGS": [], "CNIL-NO-CROSS-DOMAIN": [] };
  for (let i = 0; i < size; i++) {
    const urls = [`https://a${i}.example.fr`];
    if (i % 4 === 0) urls.push(`https://www.a${i}.example.fr`);
    const attributes: Record<string, unknown> = {
      name: i === 7 ? "Démarches & co: «en ligne» #1" : i === 8 ? "Budget ${HOME} 2026" : `App ${i}`,
      urls,
      excludeUnknownUrls: i % 3 !== 1,
      gdpr: i % 4 !== 2,
      ...MODES[i % MODES.length],
      eCommerceTracking: i % 5 === 0,
      timezone: TIMEZONES[i % TIMEZONES.length],
      currency: CURRENCIES[i % CURRENCIES.length],
    };
    if (i % 2 === 0) attributes.excludedUrlParams = i % 6 === 0 ? ["email", "token", "gclid"] : ["email"];
    const created = await ok("app", api.post("/api/apps/v2", { data: { type: "ppms/app", attributes } }), 201);
    const id = created.data.id as string;
    ids.push(id);
    if (i % 3 === 1) breaking["CNIL-SINGLE-PUBLISHER"].push(id);
    if (i % 5 === 0) breaking["CNIL-ECOMMERCE-OFF"].push(id);

    const tag = (attrs: Record<string, unknown>) => ok("tag", api.post(`/api/tag/v1/${id}/tags`, { data: { type: "tag", attributes: attrs, relationships: { triggers: { data: [] } } } }), 201);
    if (i % 2 === 0) {
      const consent = i % 10 === 4 ? "not_require_consent" : "analytics";
      const template_options: Record<string, unknown> = { link_tracking: i % 4 === 0 };
      if (i % 8 === 6) template_options.cross_domain_tracking = true;
      await tag({ name: "Piwik PRO", template: "piwik", consent_type: consent, template_options });
      if (consent !== "analytics") breaking["CNIL-TAG-CONSENT-ANALYTICS"].push(id);
      if (i % 8 === 6) breaking["CNIL-NO-CROSS-DOMAIN"].push(id);
    }
    if (i % 7 === 3) await tag({ name: "Hotjar", template: "hot_jar", consent_type: "user_feedback", template_options: { id: String(1000 + i) }, is_active: false });
    if (i % 9 === 5) {
      await tag({ name: "Chat <widget>", template: "custom_tag", code: "<script src='https://chat.example.com/w.js'></script>", consent_type: "not_require_consent" });
      breaking["CNIL-NO-UNCONSENTED-TAGS"].push(id);
    }
  }

  await ok(
    "global settings",
    api.patch("/api/tracker/v2/settings/app/global", {
      data: { type: "tracker/settings/app/global", id: "global", attributes: { anonymize_visitor_ip_level: 2, fingerprint_based_on_anonymized_ip: true, anonymize_visitor_geolocation_level: "City", set_ip_tracking: true } },
    }),
    204,
  );
  if (options.override)
    await ok("app override", api.patch(`/api/tracker/v2/settings/app/${ids[0]}`, { data: { type: "tracker/settings/app", id: ids[0], attributes: { anonymize_visitor_ip_level: 1 } } }), 204);

  const user = async (email: string) => (await ok("user", api.post("/api/users/v2", { data: { type: "ppms/user", attributes: { email, password: "Passw0rdPassw0rd", role: "USER" } } }), 201)).data.id as string;
  const grant = (appId: string, userId: string, permission: string) =>
    ok("grant", api.post(`/api/access-control/v2/app/${appId}/permission/user/${userId}`, { data: { type: "app/permission/user", attributes: { permission } } }), 204);
  const [alice, bob, carol, dave] = [await user("alice@example.fr"), await user("bob@example.fr"), await user("carol@example.fr"), await user("dave@example.fr")];
  await user("eve@example.fr");
  for (let i = 0; i < size; i++) {
    if (i % 2 === 0) await grant(ids[i], alice, "view");
    if (i % 5 === 1) await grant(ids[i], bob, "edit-publish");
    if (i < 3) await grant(ids[i], carol, "manage");
    await grant(ids[i], dave, "view");
  }
  return { ids, breaking };
}
