import { PiwikProError } from "../../backends/piwikpro";
import { MissingSecretError } from "../../model/secrets";
import { startValidatedPiwikPro, type ValidatedPiwikPro } from "../support/piwikpro";
import { ID_ENV, SECRET_ENV, backendFor, instanceFor, seedApps } from "./piwikpro-fixtures";

/** The client-credentials token: fetched once, renewed before it expires, renewed once when refused, never retried when the credentials are wrong. */
describe("Piwik PRO backend: authentication", () => {
  let clock: number;
  let pp: ValidatedPiwikPro;
  const tokenCalls = () => pp.emulator.calls.filter((c) => c.path === "/auth/token").length;

  beforeEach(async () => {
    clock = Date.parse("2026-11-01T08:00:00Z");
    pp = await startValidatedPiwikPro({ now: () => clock });
    await seedApps(pp, [
      { name: "A", urls: ["https://a.example.fr"] },
      { name: "B", urls: ["https://b.example.fr"] },
      { name: "C", urls: ["https://c.example.fr"] },
    ]);
    pp.emulator.resetCalls();
  });
  afterEach(async () => pp.close());

  it("fetches one token for a whole reading, and reuses it for the next", async () => {
    const { backend } = backendFor(pp, instanceFor(pp), { now: () => clock });
    await backend.read();
    await backend.read();
    expect(tokenCalls()).toBe(1);
    expect(backend.tokensFetched).toBe(1);
    expect(pp.emulator.calls[0]).toEqual({ method: "POST", path: "/auth/token", body: { grant_type: "client_credentials", client_id: pp.clientId, client_secret: "***" } });
  });

  it("keeps the token for 29 minutes and renews it in the last minute of its 30, before any call is refused", async () => {
    const { backend, logs } = backendFor(pp, instanceFor(pp), { now: () => clock });
    await backend.read();
    clock += 28 * 60_000;
    await backend.read();
    expect(tokenCalls()).toBe(1);
    clock += 60_000 + 1_000; // 29 minutes and 1 second after issue: inside the renewal minute
    pp.emulator.resetCalls();
    await backend.read();
    expect(tokenCalls()).toBe(1);
    expect(pp.emulator.calls[0].path).toBe("/auth/token");
    expect(backend.tokensFetched).toBe(2);
    // Renewed ahead of time: no call was refused on the way.
    expect(logs.filter((l) => /refused/.test(l))).toEqual([]);
  });

  it("renews an expired token once and carries on, with a single renewal however many calls saw the refusal", async () => {
    const { backend, logs } = backendFor(pp, instanceFor(pp), { now: () => clock });
    await backend.read();
    pp.emulator.expireAllTokens();
    const live = await backend.read();
    expect(live.sites).toHaveLength(3);
    expect(tokenCalls()).toBe(2);
    expect(logs.some((l) => /access token was refused \(HTTP 401\); renewing it once/.test(l))).toBe(true);
  });

  it("reports a token refused again right after its renewal, and sends nothing more", async () => {
    await pp.close();
    // Every token the emulator issues is dead on arrival: its clock jumps past the 30 minutes.
    pp = await startValidatedPiwikPro({
      now: () => clock,
      onExchange: (ex) => {
        if (ex.path === "/auth/token" && ex.status === 200) clock += 31 * 60_000;
      },
    });
    const { backend } = backendFor(pp, instanceFor(pp)); // the backend's own clock: tokens look fresh to it
    const err = await backend.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PiwikProError);
    expect((err as PiwikProError).kind).toBe("auth");
    expect((err as PiwikProError).message).toMatch(/Piwik PRO instance 'pp': GET \/api\/\S+: the access token was refused \(HTTP 401: .+\) even after renewing it once; nothing else is sent/);
    expect((err as PiwikProError).message).toContain(`$${ID_ENV}`);
    expect(tokenCalls()).toBe(2);
    const sent = pp.emulator.calls.length;
    await expect(backend.read()).rejects.toThrow(/even after renewing it once/);
    expect(pp.emulator.calls.length).toBe(sent);
  });

  it("fails fast on refused client credentials, naming both variables, and never asks again", async () => {
    const { backend, logs } = backendFor(pp, instanceFor(pp), {}, { env: { [ID_ENV]: pp.clientId, [SECRET_ENV]: "not-the-secret" } });
    const err = await backend.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PiwikProError);
    expect((err as PiwikProError).kind).toBe("credentials");
    expect((err as PiwikProError).message).toBe(
      `Piwik PRO instance 'pp': POST /auth/token: the API client credentials in $${ID_ENV} and $${SECRET_ENV} were refused (HTTP 401: invalid_client). Not retried. Check both variables (Piwik PRO: Menu > Profile > API keys).`,
    );
    await expect(backend.read()).rejects.toThrow(/were refused/);
    expect(pp.emulator.calls.map((c) => c.path)).toEqual(["/auth/token"]);
    expect(logs).toEqual([]);
  });

  it("retries the token request itself on a server error", async () => {
    pp.emulator.faults.script({ kind: "error", match: /^auth\.token$/ });
    const { backend } = backendFor(pp, instanceFor(pp));
    await backend.read();
    expect(tokenCalls()).toBe(1); // the 5xx was answered by the fault layer, before the emulator's logic
    expect(pp.emulator.faults.injected.error).toBe(1);
  });

  it("names the missing environment variable and sends nothing", async () => {
    const { backend } = backendFor(pp, instanceFor(pp), {}, { env: { [ID_ENV]: pp.clientId } });
    const err = await backend.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingSecretError);
    expect((err as Error).message).toContain(SECRET_ENV);
    expect(pp.emulator.calls).toEqual([]);
  });

  it("refuses plain http to a host that is not loopback, unless told it may", async () => {
    const remote = instanceFor({ url: "http://exempt-test.invalid" });
    const refusedErr = await backendFor(pp, remote).backend.read().catch((e: unknown) => e);
    expect(refusedErr).toBeInstanceOf(PiwikProError);
    expect((refusedErr as PiwikProError).message).toMatch(/refusing plain http:\/\/ to exempt-test\.invalid.*--allow-insecure-http/);
    // With the flag the request goes out (and here finds no such host).
    const allowed = await backendFor(pp, remote, {}, { allowInsecureHttp: true }).backend.read().catch((e: unknown) => e);
    expect((allowed as Error).message).toMatch(/POST \/auth\/token: the host name exempt-test\.invalid does not resolve/);
    expect(pp.emulator.calls).toEqual([]);
  });
});
