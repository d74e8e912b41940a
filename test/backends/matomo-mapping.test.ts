import { decodeHtmlEntities, decodeEntitiesDeep } from "../../backends/matomo/entities";
import { csv, encodeForm, encodeSubRequest, flattenParams } from "../../backends/matomo/encoding";
import {
  anonymizeIpParams,
  deleteLogsParams,
  matomoSiteToLive,
  readContainer,
  readSitesAccess,
  readUsers,
  siteWriteParams,
  trackerConfigDifferences,
  trackerConfigFromParameters,
  trackerParameters,
} from "../../backends/matomo/mapping";
import { checkMatomoVersion } from "../../backends/matomo/version";
import { principalOfChange, roleOfChange, versionName } from "../../backends/matomo/apply";
import { MatomoPrivacy, MatomoTrackerConfiguration } from "../../model/matomo";
import { declareSite } from "./matomo-fixtures";

/** A site row as Matomo 5.1.2 answers it (sites.json, seq 7), integers as real JSON integers. */
const FULL_SITE_ROW = {
  idsite: 2,
  name: "Full Site",
  main_url: "https://full.example.org",
  ts_created: "2024-01-15 00:00:00",
  ecommerce: 1,
  sitesearch: 1,
  sitesearch_keyword_parameters: "q,query",
  sitesearch_category_parameters: "cat",
  timezone: "Europe/Berlin",
  currency: "EUR",
  exclude_unknown_urls: 1,
  excluded_ips: "10.0.0.1,192.168.1.*",
  excluded_parameters: "sessionid,utm_foo",
  excluded_user_agents: "badbot,crawler",
  excluded_referrers: "spam.example.com,https://ref.example.org/path",
  group: "grp1",
  type: "website",
  keep_url_fragment: 2,
  creator_login: "admin",
  timezone_name: "Germany - Berlin",
  currency_name: "Euro",
  alias_urls: ["https://full.example.org", "http://alias.example.net", "https://www.full.example.org"],
};

/** The same row as Matomo answers it before PHP 8.1 (or with mysqli): every number a string. */
const STRING_SITE_ROW = Object.fromEntries(Object.entries(FULL_SITE_ROW).map(([k, v]) => [k, typeof v === "number" ? String(v) : v]));

describe("reading a Matomo site into the model", () => {
  test("every site field is read under its model name, lists as arrays and flags as booleans", () => {
    const site = matomoSiteToLive(FULL_SITE_ROW);
    expect(site.productId).toBe("2");
    expect(site.urls).toEqual(["https://full.example.org", "http://alias.example.net", "https://www.full.example.org"]);
    expect(site.productType).toBe("website");
    expect(site.settings).toEqual({
      name: "Full Site",
      urls: site.urls,
      excludeUnknownUrls: true,
      excludedQueryParameters: ["sessionid", "utm_foo"],
      excludedIps: ["10.0.0.1", "192.168.1.*"],
      excludedUserAgents: ["badbot", "crawler"],
      excludedReferrers: ["spam.example.com", "https://ref.example.org/path"],
      ecommerce: true,
      siteSearch: true,
      searchKeywordParameters: ["q", "query"],
      searchCategoryParameters: ["cat"],
      timezone: "Europe/Berlin",
      currency: "EUR",
      group: "grp1",
      keepUrlFragments: "remove",
    });
  });

  test("numbers sent as strings read the same as numbers sent as integers", () => {
    expect(matomoSiteToLive(STRING_SITE_ROW)).toEqual(matomoSiteToLive(FULL_SITE_ROW));
  });

  test("keep_url_fragment 0, 1 and 2 read as global, keep and remove", () => {
    expect([0, 1, 2].map((k) => matomoSiteToLive({ ...FULL_SITE_ROW, keep_url_fragment: k }).settings.keepUrlFragments)).toEqual(["global", "keep", "remove"]);
  });

  test("a site without URLs reads an empty URL list, not a list holding an empty string", () => {
    const site = matomoSiteToLive({ ...FULL_SITE_ROW, main_url: "", alias_urls: [""] });
    expect(site.urls).toEqual([]);
  });

  test("a row without an idsite is refused with a clear message", () => {
    expect(() => matomoSiteToLive({ name: "x" })).toThrow(/no numeric idsite/);
    expect(() => matomoSiteToLive("<html>")).toThrow(/expected a site object/);
  });
});

describe("writing a site", () => {
  const live = matomoSiteToLive(FULL_SITE_ROW);

  test("updateSite gets the full state: declared values over the live values of unmanaged fields", () => {
    const desired = declareSite({ name: "Renamed", urls: ["https://full.example.org"], excludedQueryParameters: ["email"] });
    expect(siteWriteParams(desired, live)).toEqual({
      siteName: "Renamed",
      urls: ["https://full.example.org"],
      ecommerce: false,
      siteSearch: true,
      // Not declared, so kept as they are live: omitted, Matomo would empty them.
      searchKeywordParameters: "q,query",
      searchCategoryParameters: "cat",
      excludedIps: "",
      excludedQueryParameters: "email",
      timezone: "Europe/Berlin",
      currency: "EUR",
      group: "grp1",
      excludedUserAgents: "",
      keepURLFragments: 2,
      excludeUnknownUrls: true,
      excludedReferrers: "",
    });
  });

  test("addSite leaves unmanaged fields out, so the instance defaults apply", () => {
    const desired = declareSite({ name: "New", urls: ["https://new.example.org"], keepUrlFragments: "keep", timezone: "Europe/Paris" });
    const params = siteWriteParams(desired);
    expect(params.timezone).toBe("Europe/Paris");
    expect(params.keepURLFragments).toBe(1);
    expect(params.currency).toBeUndefined();
    expect(params.siteSearch).toBeUndefined();
    expect(params.searchKeywordParameters).toBeUndefined();
  });

  test("the site form is PHP-style: urls[] per URL, booleans 1/0, lists comma-joined", () => {
    const desired = declareSite({ name: "A & B", urls: ["https://a.example.org", "https://b.example.org"], excludedIps: ["1.2.3.4", "10.0.0.0/8"] });
    const form = encodeForm(flattenParams({ idSite: 3, ...siteWriteParams(desired) }));
    expect(form).toContain("urls%5B%5D=https%3A%2F%2Fa.example.org&urls%5B%5D=https%3A%2F%2Fb.example.org");
    expect(form).toContain("excludeUnknownUrls=1");
    expect(form).toContain("ecommerce=0");
    expect(form).toContain("excludedIps=1.2.3.4%2C10.0.0.0%2F8");
    expect(form).toContain("siteName=A%20%26%20B");
  });
});

describe("request encoding", () => {
  test("nested parameters use PHP brackets, lists of objects get explicit indexes", () => {
    expect(flattenParams({ parameters: { matomoUrl: "https://m/", domains: [{ domain: "a.org" }, { domain: "b.org" }], flag: true, off: false } })).toEqual([
      ["parameters[matomoUrl]", "https://m/"],
      ["parameters[domains][0][domain]", "a.org"],
      ["parameters[domains][1][domain]", "b.org"],
      ["parameters[flag]", "1"],
      ["parameters[off]", "0"],
    ]);
  });

  test("undefined, null and empty lists are left out (PHP cannot express an empty array)", () => {
    expect(flattenParams({ a: undefined, b: null, c: [], d: "" })).toEqual([["d", ""]]);
  });

  test("a bulk sub-request is a query string whose values are encoded once more inside the body", () => {
    const sub = encodeSubRequest("SitesManager.addSite", { siteName: "Bulk Site", urls: ["https://bulk.example.org"] });
    expect(sub).toBe("method=SitesManager.addSite&siteName=Bulk%20Site&urls%5B%5D=https%3A%2F%2Fbulk.example.org");
    expect(encodeForm([["urls[]", sub]])).toBe("urls%5B%5D=method%3DSitesManager.addSite%26siteName%3DBulk%2520Site%26urls%255B%255D%3Dhttps%253A%252F%252Fbulk.example.org");
  });

  test("lists are comma-joined", () => {
    expect(csv(["a", "b"])).toBe("a,b");
    expect(csv([])).toBe("");
  });
});

describe("HTML entities", () => {
  test("Matomo's escaped messages are decoded", () => {
    expect(decodeHtmlEntities("The timezone &quot;Mars/Olympus&quot; is not valid.")).toBe('The timezone "Mars/Olympus" is not valid.');
    expect(decodeHtmlEntities("Settings &gt; Plugins, O&#039;Reilly &amp; co, &#x41;&#66;")).toBe("Settings > Plugins, O'Reilly & co, AB");
  });

  test("decoding is applied once, to every string of an answer, keys included", () => {
    expect(decodeEntitiesDeep({ "a&amp;b": ["&lt;b&gt;", 1, { x: "&amp;amp;" }] })).toEqual({ "a&b": ["<b>", 1, { x: "&amp;" }] });
  });

  test("unknown entities are left as they are", () => {
    expect(decodeHtmlEntities("&bogus; & &")).toBe("&bogus; & &");
  });
});

describe("versions", () => {
  test("Matomo 5 is accepted, pre-releases included", () => {
    expect(checkMatomoVersion("stats", { value: "5.1.2" }).major).toBe(5);
    expect(checkMatomoVersion("stats", { value: "5.2.0-b5" }).minor).toBe(2);
  });

  test("Matomo 4 is refused, and the message says why", () => {
    expect(() => checkMatomoVersion("stats", { value: "4.16.1" })).toThrow(/Matomo 4\.16\.1.*needs Matomo 5\.x.*HTTP 200.*anonymous/);
  });

  test("Matomo 6 is refused as newer than the client was written for", () => {
    expect(() => checkMatomoVersion("stats", { value: "6.0.0" })).toThrow(/newer than the 5\.x/);
  });

  test("an answer that is not a version is refused, naming the call", () => {
    expect(() => checkMatomoVersion("stats", { value: false })).toThrow(/API\.getMatomoVersion did not answer a version/);
  });
});

describe("access", () => {
  test("role rows are read per site; capability rows are not roles", () => {
    const access = readSitesAccess([
      { site: 1, access: "view" },
      { site: "3", access: "admin" },
      { site: 3, access: "tagmanager_write" },
    ]);
    expect([...access]).toEqual([
      ["1", "view"],
      ["3", "admin"],
    ]);
  });

  test("superusers are flagged whether superuser_access is 1, '1' or true", () => {
    expect(readUsers([{ login: "a", superuser_access: 1 }, { login: "b", superuser_access: "0" }, { login: "c", superuser_access: true }])).toEqual([
      { login: "a", superuser: true },
      { login: "b", superuser: false },
      { login: "c", superuser: true },
    ]);
  });

  test("the engine's access changes name a login and a role, or a revocation", () => {
    const c = (field: string, desired: unknown) => ({ area: "access" as const, field, live: undefined, desired });
    expect(principalOfChange(c("access.alice", "view"))).toBe("alice");
    expect(principalOfChange(c("access.users.bob", "view"))).toBe("bob");
    expect(principalOfChange(c("publicStats", true))).toBe("anonymous");
    expect(roleOfChange(c("access.alice", "write"))).toBe("write");
    expect(roleOfChange(c("access.alice", { role: "admin" }))).toBe("admin");
    expect(roleOfChange(c("access.alice", undefined))).toBe("noaccess");
    expect(roleOfChange(c("publicStats", false))).toBe("noaccess");
    expect(roleOfChange(c("access.alice", "superuser"))).toBeUndefined();
  });
});

describe("privacy", () => {
  const privacy = MatomoPrivacy.parse({});

  test("the compliant defaults become one full setAnonymizeIpSettings call", () => {
    expect(anonymizeIpParams(privacy)).toEqual({
      anonymizeIPEnable: true,
      maskLength: 2,
      useAnonymizedIpForVisitEnrichment: true,
      anonymizeUserId: true,
      anonymizeOrderId: true,
      anonymizeReferrer: "exclude_all",
      forceCookielessTracking: false,
    });
  });

  test("a mask of 0 bytes turns anonymisation off, and keep sends an empty referrer setting", () => {
    const p = anonymizeIpParams({ ...privacy, ipMaskBytes: 0, referrer: "keep" });
    expect(p.anonymizeIPEnable).toBe(false);
    expect(p.anonymizeReferrer).toBe("");
  });

  test("retention in months becomes days, and unlimited turns deletion off", () => {
    expect(deleteLogsParams(25, "pw")).toEqual({ enableDeleteLogs: true, deleteLogsOlderThan: 750, passwordConfirmation: "pw" });
    expect(deleteLogsParams("unlimited", "pw")).toEqual({ enableDeleteLogs: false, passwordConfirmation: "pw" });
  });
});

describe("Tag Manager configuration", () => {
  /** The parameters of a MatomoConfiguration variable as exported by 5.1.2 (tagmanager.json, seq 152). */
  const LIVE_PARAMETERS: Record<string, unknown> = {
    matomoUrl: "//127.0.0.1:8088/",
    idSite: 3,
    enableLinkTracking: true,
    enableCrossDomainLinking: false,
    crossDomainLinkingTimeout: "180",
    enableDoNotTrack: false,
    disableCookies: false,
    requireConsent: false,
    requireCookieConsent: false,
    customCookieTimeOutEnable: false,
    customCookieTimeOut: "393",
    setSecureCookie: false,
    cookieDomain: "",
    domains: [{ domain: "a.example.org" }],
    userId: "",
    customDimensions: [],
    jsEndpoint: "matomo.js",
  };

  test("the live parameters read into the model's tracker fields", () => {
    expect(trackerConfigFromParameters(LIVE_PARAMETERS)).toEqual({
      enableCrossDomainLinking: false,
      userId: "",
      disableCookies: false,
      requireConsent: false,
      requireCookieConsent: false,
      enableDoNotTrack: false,
      secureCookie: false,
    });
    expect(trackerConfigFromParameters({ ...LIVE_PARAMETERS, customCookieTimeOutEnable: true, customCookieTimeOut: "180", cookieDomain: "*.example.org" })).toMatchObject({
      visitorCookieDays: 180,
      cookieDomain: "*.example.org",
    });
  });

  test("a write keeps every unmanaged parameter as it is live and sets the managed ones", () => {
    const desired = MatomoTrackerConfiguration.parse({ disableCookies: true, visitorCookieDays: 390 });
    const params = trackerParameters(desired, LIVE_PARAMETERS, { matomoUrl: "https://stats/", idSite: "3" });
    expect(params).toMatchObject({
      matomoUrl: "//127.0.0.1:8088/",
      idSite: 3,
      enableLinkTracking: true,
      crossDomainLinkingTimeout: "180",
      domains: [{ domain: "a.example.org" }],
      jsEndpoint: "matomo.js",
      disableCookies: true,
      enableDoNotTrack: true,
      customCookieTimeOutEnable: true,
      customCookieTimeOut: 390,
      setSecureCookie: true,
      cookieDomain: "",
    });
  });

  test("differences are field by field, and an absent cookie domain equals an empty one", () => {
    const desired = MatomoTrackerConfiguration.parse({});
    expect(trackerConfigDifferences(desired, trackerConfigFromParameters(LIVE_PARAMETERS))).toEqual(["enableDoNotTrack", "secureCookie"]);
    expect(trackerConfigDifferences(desired, { ...trackerConfigFromParameters(LIVE_PARAMETERS), enableDoNotTrack: true, secureCookie: true })).toEqual([]);
  });

  test("a container reads its draft, live release, tags and configuration variable", () => {
    const c = readContainer(
      { idcontainer: "oa40Ejbg", name: "Default Container", draft: { idcontainerversion: 5 }, releases: [{ environment: "live", idcontainerversion: "6" }] },
      {
        tags: [{ idtag: 15, type: "Matomo", name: "Matomo Tracking", parameters: { matomoConfig: "{{Config B}}" }, fire_trigger_ids: [15] }],
        variables: [
          { idvariable: 1, type: "MatomoConfiguration", name: "Matomo Configuration", parameters: {} },
          { idvariable: 2, type: "MatomoConfiguration", name: "Config B", parameters: { disableCookies: true } },
        ],
      },
    );
    expect(c.live).toMatchObject({ idContainer: "oa40Ejbg", draftVersionId: 5, liveVersionId: 6, tags: [{ id: "15", name: "Matomo Tracking", type: "Matomo", fireTriggerIds: [15] }] });
    // The variable the Matomo tag uses is the one that configures tracking.
    expect(c.live.matomoConfiguration).toMatchObject({ idVariable: 2, name: "Config B", settings: { disableCookies: true } });
  });

  test("version names are the same within a run and differ across runs", () => {
    const cw = { idContainer: "abcdEFGH", declared: { name: "c", matomoConfiguration: MatomoTrackerConfiguration.parse({}), tags: {}, publishLive: true } };
    expect(versionName("20260101T000000Z", cw)).toBe(versionName("20260101T000000Z", cw));
    expect(versionName("20260101T000000Z", cw)).not.toBe(versionName("20260101T000001Z", cw));
  });
});
