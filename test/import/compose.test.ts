import { composeImport } from "../../engine/import";
import { siteKeys } from "../../engine/import/keys";
import { escapeInterpolation } from "../../engine/import/yaml";
import type { LiveInstance, LiveSite } from "../../engine/types";
import { parseConfigText } from "../../model/loader";
import type { MatomoInstance } from "../../model/matomo";

/** The pure half of `exempt import`: a reading in, exempt.yaml out. */
function site(id: number, urls: string[], over: Partial<LiveSite> = {}): LiveSite {
  return { productId: String(id), name: `Site ${id}`, urls, settings: { excludeUnknownUrls: true, excludedQueryParameters: [], ecommerce: false, group: "" }, access: {}, containers: [], ...over };
}

function reading(sites: LiveSite[]): LiveInstance {
  return { product: "matomo", version: "5.1.2", privacy: {}, privacyUnknown: {}, privacyEvidence: {}, globals: {}, sites, principals: [], notes: [], readAt: "2026-10-01T00:00:00Z" };
}

const target = { instanceId: "stats", kind: "matomo" as const, url: "https://stats.example.gouv.fr", auth: { tokenEnv: "MATOMO_TOKEN" } };
const compose = (sites: LiveSite[]) => composeImport(reading(sites), target, { today: "2026-10-01" });
const load = (text: string) => parseConfigText(text, "exempt.yaml", { env: {} }).config.instances.stats as MatomoInstance;

describe("composing exempt.yaml from a reading", () => {
  it("keys sites by their host without the domain they all share, then their path", () => {
    const keys = siteKeys([
      { productId: "1", name: "a", urls: ["https://www.demarches.example.gouv.fr"] },
      { productId: "2", name: "b", urls: ["https://budget.example.gouv.fr/2026"] },
      { productId: "3", name: "c", urls: ["https://example.gouv.fr"] },
    ]);
    expect([...keys.values()]).toEqual(["demarches-example", "budget-example-2026", "example"]);
  });

  it("gives clashing keys the product id, and keys a site without URL by its name", () => {
    const keys = siteKeys([
      { productId: "4", name: "x", urls: ["https://a.example.org/"] },
      { productId: "9", name: "y", urls: ["http://a.example.org"] },
      { productId: "12", name: "Intranet RH", urls: [] },
    ]);
    expect([...keys.values()]).toEqual(["a-4", "a-9", "intranet-rh"]);
  });

  it("escapes ${…} in live values, which the loader would otherwise read as a variable", () => {
    expect(escapeInterpolation({ name: "Budget ${HOME}", other: ["$${X}", "${ open"] })).toEqual({ name: "Budget $${HOME}", other: ["$$${X}", "${ open"] });
    const { text } = compose([site(2, ["https://a.example.org"], { name: "Budget ${HOME} 2026" })]);
    expect(Object.values(load(text).sites)[0].name).toBe("Budget ${HOME} 2026");
  });

  it("leaves out the second of two sites on one main URL, with a comment, and the file loads", () => {
    const { text, leftOut, sites } = compose([site(2, ["https://a.example.org"]), site(3, ["https://www.a.example.org"])]);
    expect([leftOut, sites]).toEqual([1, 1]);
    expect(text).toMatch(/# left out: "Site 3" \(idSite 3, https:\/\/www\.a\.example\.org\): the main URL https:\/\/www\.a\.example\.org is also the main URL of site '.+'/);
    expect(Object.keys(load(text).sites)).toHaveLength(1);
  });

  it("drops one refused alias rather than its site, and says so", () => {
    const { text } = compose([site(2, ["https://a.example.org", "ftp://files.example.org"])]);
    const stats = load(text);
    expect(Object.values(stats.sites)[0].urls).toEqual(["https://a.example.org"]);
    expect(text).toMatch(/# TODO: urls\.1 left out: its live value ftp:\/\/files\.example\.org is not valid in exempt\.yaml/);
  });

  it("drops a user the model refuses, keeping the others", () => {
    const { text } = compose([site(2, ["https://a.example.org"], { access: { "bad login": "view", alice: "write" } })]);
    expect(load(text).access.users).toEqual({ alice: { role: "write", sites: "all" } });
    expect(text).toMatch(/# TODO: user bad login left out: its live value \{"role":"view","sites":"all"\} is not valid in exempt\.yaml/);
  });

  it("writes only what departs from the model's defaults, and optional fields unless empty", () => {
    const { text } = compose([site(2, ["https://a.example.org"], { settings: { excludeUnknownUrls: true, excludedQueryParameters: ["email"], ecommerce: false, group: "", timezone: "Europe/Paris" } })]);
    const declared = text.slice(text.indexOf("    sites:"));
    expect(declared).toContain("excludedQueryParameters: [email]");
    expect(declared).toContain("timezone: Europe/Paris");
    expect(declared).not.toMatch(/excludeUnknownUrls|ecommerce|group/);
  });
});
