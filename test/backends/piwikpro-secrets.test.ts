import { PiwikProError } from "../../backends/piwikpro";
import { planInstance } from "../../engine/plan";
import { startValidatedPiwikPro, type ValidatedPiwikPro } from "../support/piwikpro";
import { ID_ENV, SECRET_ENV, backendFor, instanceFor, seedApps } from "./piwikpro-fixtures";

/** A canary client secret, and every access token issued, never appear in an error, a log, an outcome or a reading. */
describe("Piwik PRO backend: secrets", () => {
  const CANARY = "CANARY-pp-secret-6b1f0e4d9a";
  let pp: ValidatedPiwikPro;
  let tokens: string[];
  let clock: number;
  let killTokens: boolean;

  beforeEach(async () => {
    tokens = [];
    clock = Date.parse("2026-11-01T08:00:00Z");
    killTokens = false;
    pp = await startValidatedPiwikPro({
      clientSecret: CANARY,
      now: () => clock,
      onExchange: (ex) => {
        if (ex.path !== "/auth/token" || ex.status !== 200) return;
        tokens.push(JSON.parse(ex.responseBody).access_token);
        if (killTokens) clock += 31 * 60_000;
      },
    });
  });
  afterEach(async () => pp.close());

  /** Everything a user or a log file could ever see of these values. */
  function exposed(values: unknown[]): string {
    return values
      .map((v) => {
        if (v instanceof Error) return [v.message, v.stack, String(v), JSON.stringify(v), JSON.stringify(Object.entries(v))].join("\n");
        return typeof v === "string" ? v : JSON.stringify(v);
      })
      .join("\n");
  }

  function expectNoLeak(text: string): void {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(encodeURIComponent(CANARY));
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).not.toMatch(/Bearer\s+\S/);
  }

  it("leaks nothing through a refused credential, however the error is printed", async () => {
    const { backend, logs } = backendFor(pp, instanceFor(pp), {}, { env: { [ID_ENV]: pp.clientId, [SECRET_ENV]: `${CANARY}-wrong` } });
    const err = await backend.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PiwikProError);
    // Never an axios error, whose config carries the request body with the secret.
    expect((err as Record<string, unknown>).config).toBeUndefined();
    expect((err as Record<string, unknown>).isAxiosError).toBeUndefined();
    expectNoLeak(exposed([err, ...logs]));
  });

  it("leaks nothing through retries, refusals, failed publishes and a token refused after renewal", async () => {
    await seedApps(pp, [{ name: "A", urls: ["https://a.example.fr"] }]);
    const instance = instanceFor(pp, {
      sites: {
        a: { name: "A", urls: ["https://a.example.fr"], timezone: "Mars/Olympus_Mons", tags: { main: { name: "Piwik PRO", template: "piwik" } } },
        b: { name: "B", urls: ["https://b.example.fr"] },
      },
      access: { users: { "ghost@example.fr": { role: "view", sites: ["b"] } } },
      client: { retries: 5 },
    });
    const { backend, logs } = backendFor(pp, instance, { now: () => clock });
    pp.emulator.faults.set({ errorRate: 0.2, dropRate: 0.1, seed: 3 });
    pp.emulator.failOperations(1);
    const seen: unknown[] = [];
    try {
      const live = await backend.read();
      const plan = planInstance("pp", instance, live, { prune: false });
      seen.push(live, plan, await backend.apply(plan, live, { prune: false }));
    } catch (err) {
      seen.push(err);
    }
    const outcome = seen.find((v): v is { sites: Array<{ ok: boolean; error?: string }> } => typeof v === "object" && v !== null && "instance" in v);
    // The run did meet refusals: an invalid timezone, a user that does not exist, a failed publish.
    expect(outcome?.sites.filter((s) => !s.ok).map((s) => s.error).join("\n")).toMatch(/timezone[\s\S]*ghost@example\.fr|ghost@example\.fr[\s\S]*timezone/);
    pp.emulator.faults.reset();
    pp.emulator.expireAllTokens();
    killTokens = true;
    seen.push(await backend.read().catch((e: unknown) => e));
    expect(seen[seen.length - 1]).toBeInstanceOf(PiwikProError);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expectNoLeak(exposed([...seen, ...logs]));
  });
});
