import { rawMatomo, type TestMatomo } from "../support/matomo";

/**
 * A Matomo instance configured by hand, the way a platform team finds it before adopting Exempt:
 * sites set up through the HTTP API only (nothing of Exempt writes here), each a little different
 * (flags, lists, timezones, currencies, groups, ecommerce, site search, URL fragments, aliases),
 * users with view, write and admin grants, public statistics on some sites, Tag Manager containers
 * with custom tracker settings, extra tags and containers without a Matomo Configuration.
 */
export interface MatomoFleet {
  ids: number[];
  /** Sites that break a rule of the CNIL pack as they are (exempt mode), by rule; `publicStats`: the sites with public statistics. */
  breaking: Record<string, number[]>;
}

const TIMEZONES = ["Europe/Paris", "UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC+2"];
const CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CHF"];

export async function seedMatomoFleet(m: TestMatomo, size = 50, options: { mixedRoles?: boolean } = {}): Promise<MatomoFleet> {
  const call = async (method: string, params: Record<string, string | string[]> = {}) => {
    const answer = await rawMatomo(m.url, method, { token_auth: m.token, ...params });
    if (answer && typeof answer === "object" && (answer as { result?: string }).result === "error") throw new Error(`${method}: ${(answer as { message: string }).message}`);
    return answer;
  };
  const ids: number[] = [];
  const breaking: Record<string, number[]> = { "CNIL-SINGLE-PUBLISHER": [], "CNIL-ECOMMERCE-OFF": [], "CNIL-NO-CROSS-DOMAIN": [] };
  for (let i = 0; i < size; i++) {
    const urls = [`https://s${i}.example.gouv.fr`];
    if (i % 4 === 0) urls.push(`https://www.s${i}.example.gouv.fr`);
    if (i % 6 === 0) urls.push(`http://s${i}.example.gouv.fr/legacy`);
    const name = i === 7 ? "Démarches & co: «en ligne» #1" : i === 8 ? "Budget ${HOME} 2026" : i === 9 ? "Portail | 'officiel' \"v2\"" : `Site ${i}`;
    const params: Record<string, string | string[]> = {
      siteName: name,
      "urls[]": urls,
      ecommerce: i % 5 === 0 ? "1" : "0",
      siteSearch: i % 2 === 0 ? "1" : "0",
      timezone: TIMEZONES[i % TIMEZONES.length],
      currency: CURRENCIES[i % CURRENCIES.length],
      excludeUnknownUrls: i % 4 === 1 ? "0" : "1",
      keepURLFragments: String(i % 3),
    };
    if (i % 6 === 0) params.searchKeywordParameters = "q,query";
    if (i % 12 === 0) params.searchCategoryParameters = "cat";
    if (i % 3 === 0) params.excludedIps = "10.0.0.1,192.168.1.*";
    if (i % 2 === 0) params.excludedQueryParameters = i % 7 === 0 ? "email,token,sessionid" : "email,token";
    if (i % 9 === 0) params.excludedUserAgents = "bot,crawler";
    if (i % 8 === 0) params.excludedReferrers = "spam.example.com";
    if (i % 10 === 0) params.group = "Ministère";
    const id = Number((await call("SitesManager.addSite", params)).value);
    ids.push(id);
    if (i % 4 === 1) breaking["CNIL-SINGLE-PUBLISHER"].push(id);
    if (i % 5 === 0) breaking["CNIL-ECOMMERCE-OFF"].push(id);
  }

  const password = m.password;
  for (const login of ["alice", "bob", "carol", "dave", "eve"]) await call("UsersManager.addUser", { userLogin: login, password: "Str0ng-password-1", email: `${login}@example.gouv.fr`, passwordConfirmation: password });
  const grant = (login: string, access: string, sites: number[]) => call("UsersManager.setUserAccess", { userLogin: login, access, "idSites[]": sites.map(String), passwordConfirmation: password });
  await grant("alice", "view", ids.filter((_, i) => i % 2 === 0));
  await grant("bob", "write", ids.filter((_, i) => i % 5 === 1));
  await grant("carol", "admin", ids.slice(0, 3));
  await grant("dave", "view", [1, ...ids]);
  if (options.mixedRoles) await grant("carol", "view", ids.slice(10, 14));
  // eve has an account and no access: nothing to declare.
  const publicSites = ids.filter((_, i) => i % 10 === 3);
  await call("UsersManager.setUserAccess", { userLogin: "anonymous", access: "view", "idSites[]": publicSites.map(String), passwordConfirmation: password });
  breaking.publicStats = publicSites;

  // Tag Manager: custom tracker settings on some Default Containers, a chat widget on others,
  // and a second, empty container (no Matomo Configuration) on a few.
  for (let i = 0; i < size; i++) {
    const id = String(ids[i]);
    const [container] = await call("TagManager.getContainers", { idSite: id });
    const draft = String(container.draft.idcontainerversion);
    const exported = await call("TagManager.exportContainerVersion", { idSite: id, idContainer: container.idcontainer });
    const variable = exported.variables.find((v: { type: string }) => v.type === "MatomoConfiguration");
    if (i % 3 === 1) {
      const p: Record<string, string> = { matomoUrl: "https://stats.example.gouv.fr/", idSite: id, enableDoNotTrack: "1", setSecureCookie: "1" };
      if (i % 9 === 1) Object.assign(p, { customCookieTimeOutEnable: "1", customCookieTimeOut: String(180 + i) });
      if (i % 9 === 4) Object.assign(p, { cookieDomain: `*.s${i}.example.gouv.fr`, disableCookies: "1" });
      if (i % 9 === 7) {
        Object.assign(p, { enableCrossDomainLinking: "1", requireCookieConsent: "1" });
        breaking["CNIL-NO-CROSS-DOMAIN"].push(ids[i]);
      }
      const params: Record<string, string> = { idSite: id, idContainer: container.idcontainer, idContainerVersion: draft, idVariable: String(variable.idvariable), name: variable.name };
      for (const [k, v] of Object.entries(p)) params[`parameters[${k}]`] = v;
      await call("TagManager.updateContainerVariable", params);
    }
    if (i % 11 === 2) {
      const trigger = exported.triggers[0];
      await call("TagManager.addContainerTag", {
        idSite: id,
        idContainer: container.idcontainer,
        idContainerVersion: draft,
        type: "CustomHtml",
        name: "Chat widget",
        "parameters[customHtml]": "<script src='https://chat.example.com/w.js'></script>",
        "fireTriggerIds[]": [String(trigger.idtrigger)],
      });
    }
    if (i % 16 === 5) await call("TagManager.addContainer", { idSite: id, context: "web", name: "Campagnes 2026" });
  }
  await call("SitesManager.setGlobalExcludedQueryParameters", { excludedQueryParameters: "utm_id,fbclid" });
  return { ids, breaking };
}
