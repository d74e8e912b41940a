import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { runExempt } from "../support/cli";
import { tempDir, writeFile } from "../support/tmp";

/**
 * Servers that do not answer as Matomo does: HTML instead of JSON, truncated bodies, wrong types,
 * unexpected shapes. Each gives exit 1 and one clear error that names the call; never a crash,
 * never a stack trace.
 */
type Answer = { status?: number; type?: string; body: string };
type Poison = (method: string) => Answer | undefined;

const GOOD: Record<string, unknown> = {
  "API.getMatomoVersion": { value: "5.1.2" },
  "SitesManager.getSitesWithAdminAccess": [],
  "UsersManager.getUsers": [],
  "SitesManager.getExcludedQueryParametersGlobal": { value: "" },
  "UsersManager.getSitesAccessFromUser": [],
  "PrivacyManager.getComplianceStatus": { result: "error", message: "The method 'getComplianceStatus' does not exist or is not available in the module '\\Piwik\\Plugins\\PrivacyManager\\API'." },
};

/** A stand-in for Matomo that answers bulk reads with good values, except what `poison` replaces. */
async function fakeMatomo(poison: Poison, whole?: Answer): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    if (whole) {
      res.writeHead(whole.status ?? 200, { "Content-Type": whole.type ?? "application/json" });
      return void res.end(whole.body);
    }
    const form = new URLSearchParams(body);
    const subs = [...form.entries()].filter(([k]) => k.startsWith("urls[")).map(([, v]) => new URLSearchParams(v).get("method") ?? "");
    const poisoned = subs.map((m) => poison(m)).find((a) => a !== undefined && (a.status !== undefined || a.type !== undefined));
    if (poisoned) {
      res.writeHead(poisoned.status ?? 200, { "Content-Type": poisoned.type ?? "application/json" });
      return void res.end(poisoned.body);
    }
    const parts = subs.map((m) => poison(m)?.body ?? JSON.stringify(GOOD[m] ?? []));
    res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
    res.end(`[${parts.join(",")}]`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const CASES: Array<{ name: string; poison?: Poison; whole?: Answer; expect: RegExp }> = [
  { name: "an HTML page instead of JSON", whole: { type: "text/html; charset=utf-8", body: "<html><body><h1>Maintenance</h1></body></html>" }, expect: /API\.getBulkRequest|getMatomoVersion/ },
  { name: "a truncated JSON body", whole: { body: '[{"value":"5.1.2"},[{"idsite":1,"name":"Fir' }, expect: /API\.getBulkRequest|getMatomoVersion/ },
  { name: "an empty body", whole: { body: "" }, expect: /API\.getBulkRequest|getMatomoVersion/ },
  { name: "an object where the bulk answer is a list", whole: { body: '{"value":"5.1.2"}' }, expect: /API\.getBulkRequest/ },
  { name: "a version of the wrong type", poison: (m) => (m === "API.getMatomoVersion" ? { body: '{"value":{"major":5}}' } : undefined), expect: /API\.getMatomoVersion/ },
  { name: "an unexpected shape for the version", poison: (m) => (m === "API.getMatomoVersion" ? { body: '{"unexpected":"field"}' } : undefined), expect: /API\.getMatomoVersion/ },
  { name: "a site list that is not a list", poison: (m) => (m === "SitesManager.getSitesWithAdminAccess" ? { body: '{"idsite":1}' } : undefined), expect: /SitesManager\.getSitesWithAdminAccess/ },
  { name: "a site whose id is not a number", poison: (m) => (m === "SitesManager.getSitesWithAdminAccess" ? { body: '[{"idsite":"abc","name":"X","main_url":"https://x.example.org"}]' } : undefined), expect: /SitesManager\.getSitesWithAdminAccess/ },
  { name: "a user list of the wrong type", poison: (m) => (m === "UsersManager.getUsers" ? { body: '"admin"' } : undefined), expect: /UsersManager\.getUsers/ },
  { name: "a 502 from a proxy, every time", whole: { status: 502, type: "text/html", body: "<html><body>Bad Gateway</body></html>" }, expect: /HTTP 502/ },
];

describe("malformed answers from the server", () => {
  const dir = tempDir();

  it.each(CASES.map((c) => [c.name, c] as const))("%s: exit 1, one clear error naming the call, no stack trace", async (_n, c) => {
    const fake = await fakeMatomo(c.poison ?? (() => undefined), c.whole);
    try {
      const config = writeFile(dir, "exempt.yaml", `instances:\n  stats:\n    kind: matomo\n    url: ${fake.url}\n    auth: { tokenEnv: MATOMO_TOKEN }\n    sites:\n      www: { name: W, urls: [https://www.example.gouv.fr] }\n`);
      const r = await runExempt(["plan", "--config", config, "--retries", "1", "--timeout-ms", "2000"], { env: { MATOMO_TOKEN: "canary-token-malformed-42" } });
      expect(r.code).toBe(1);
      const error = r.stdout.split("\n").find((l) => l.includes("ERROR"));
      expect(error).toBeDefined();
      expect(error).toMatch(c.expect);
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?/);
      expect(r.stdout + r.stderr).not.toMatch(/TypeError|ReferenceError|Cannot read propert/);
      expect(r.stdout + r.stderr).not.toContain("canary-token-malformed-42");
    } finally {
      await fake.close();
    }
  });
});
