/**
 * Tag Manager behaviour beyond the recorded single publish: versions snapshot the draft with new
 * ids, a new live release replaces the old one, defaults point at this instance, and the read
 * quirk of Tag Manager's enrich step (an "empty" stored value reads back as the default).
 */
import { MatomoEmulator, startMatomoEmulator } from "../../emulators/matomo";
import { callApi } from "../support/sandbox-process";

let em: MatomoEmulator;

beforeEach(async () => {
  em = await startMatomoEmulator({ token: "TOKEN" });
});

afterEach(async () => {
  await em.close();
});

// Answers are checked field by field below; `any` keeps those checks short.
const api = async (method: string, params: Record<string, string | string[]> = {}) => (await callApi(em.url, method, { ...params, token_auth: "TOKEN" })).json as any;

test("every site gets a Default Container whose draft is released to live, and its configuration points at this instance", async () => {
  const [container] = await api("TagManager.getContainers", { idSite: "1" });
  expect(container).toMatchObject({ name: "Default Container", context: "web", releases: [{ environment: "live", idcontainerversion: container.draft.idcontainerversion }] });
  expect(container.versions.map((v: { name: string }) => v.name)).toEqual(["0.1.0 - Auto generated"]);
  const [variable] = await api("TagManager.getContainerVariables", { idSite: "1", idContainer: container.idcontainer, idContainerVersion: String(container.draft.idcontainerversion) });
  expect(variable.parameters).toMatchObject({ matomoUrl: em.matomoUrl, idSite: 1 });
  expect(em.matomoUrl).toBe(`//127.0.0.1:${em.port}/`);
  const embed = await api("TagManager.getContainerEmbedCode", { idSite: "1", idContainer: container.idcontainer, environment: "live" });
  expect(embed.value).toContain(`g.src='http://127.0.0.1:${em.port}/js/container_${container.idcontainer}.js'`);
});

test("a version copies the draft with new ids and remapped triggers; publishing it replaces the live release", async () => {
  const id = (await api("TagManager.addContainer", { idSite: "1", context: "web", name: "Main" })).value as string;
  expect(id).toMatch(/^[A-Za-z0-9]{8}$/);
  const draft = String((await api("TagManager.getContainer", { idSite: "1", idContainer: id })).draft.idcontainerversion);
  const where = { idSite: "1", idContainer: id, idContainerVersion: draft };
  await api("TagManager.addContainerVariable", { ...where, type: "MatomoConfiguration", name: "Config", "parameters[disableCookies]": "1" });
  const trigger = (await api("TagManager.addContainerTrigger", { ...where, type: "PageView", name: "PV" })).value;
  await api("TagManager.addContainerTag", { ...where, type: "Matomo", name: "Track", "parameters[matomoConfig]": "{{Config}}", fireTriggerIds: [String(trigger)] });

  const v1 = (await api("TagManager.createContainerVersion", { idSite: "1", idContainer: id, name: "v1" })).value;
  const v1Where = { ...where, idContainerVersion: String(v1) };
  const [v1Trigger] = await api("TagManager.getContainerTriggers", v1Where);
  const [v1Tag] = await api("TagManager.getContainerTags", v1Where);
  expect(v1Trigger.idtrigger).not.toBe(trigger);
  expect(v1Tag.fire_trigger_ids).toEqual([v1Trigger.idtrigger]);
  expect((await api("TagManager.getContainerVariables", v1Where))[0].parameters.disableCookies).toBe(true);

  const r1 = (await api("TagManager.publishContainerVersion", { ...v1Where, environment: "live" })).value;
  const v2 = (await api("TagManager.createContainerVersion", { idSite: "1", idContainer: id, name: "v2" })).value;
  const r2 = (await api("TagManager.publishContainerVersion", { ...where, idContainerVersion: String(v2), environment: "live" })).value;
  expect(r2).toBeGreaterThan(r1);
  const container = await api("TagManager.getContainer", { idSite: "1", idContainer: id });
  expect(container.releases).toEqual([expect.objectContaining({ idcontainerrelease: r2, idcontainerversion: v2, environment: "live", version_name: "v2" })]);
  expect(container.versions.map((v: { name: string; environments: string[] }) => [v.name, v.environments])).toEqual([["v1", []], ["v2", ["live"]]]);
});

test("a boolean parameter set to false reads back as its default (Tag Manager shows defaults for empty values)", async () => {
  const container = (await api("TagManager.getContainers", { idSite: "1" }))[0];
  const where = { idSite: "1", idContainer: container.idcontainer, idContainerVersion: String(container.draft.idcontainerversion) };
  const idVariable = (await api("TagManager.addContainerVariable", { ...where, type: "MatomoConfiguration", name: "No links", "parameters[enableLinkTracking]": "0", "parameters[requireCookieConsent]": "1" })).value;
  const variable = await api("TagManager.getContainerVariable", { ...where, idVariable: String(idVariable) });
  expect(variable.parameters.requireCookieConsent).toBe(true);
  expect(variable.parameters.enableLinkTracking).toBe(true);
});

test("parameter values are validated by type: a boolean takes 0 or 1, not 'true'", async () => {
  const container = (await api("TagManager.getContainers", { idSite: "1" }))[0];
  const where = { idSite: "1", idContainer: container.idcontainer, idContainerVersion: String(container.draft.idcontainerversion) };
  const r = await api("TagManager.addContainerVariable", { ...where, type: "MatomoConfiguration", name: "Bad", "parameters[disableCookies]": "true" });
  expect(r).toEqual({ result: "error", message: "Disable cookies: The value for the &quot;Disable cookies&quot; field in the &quot;TagManager&quot; plugin is not allowed" });
});

test("a trigger that a tag uses cannot be deleted; an unknown trigger id is refused on a tag", async () => {
  const container = (await api("TagManager.getContainers", { idSite: "1" }))[0];
  const where = { idSite: "1", idContainer: container.idcontainer, idContainerVersion: String(container.draft.idcontainerversion) };
  const [trigger] = await api("TagManager.getContainerTriggers", where);
  expect((await api("TagManager.deleteContainerTrigger", { ...where, idTrigger: String(trigger.idtrigger) })).result).toBe("error");
  const bad = await api("TagManager.addContainerTag", { ...where, type: "Matomo", name: "T", "parameters[matomoConfig]": "{{Matomo Configuration}}", fireTriggerIds: ["999"] });
  expect(bad.result).toBe("error");
  expect(bad.message).toMatch(/^Fire Trigger: /);
});
