/**
 * Matomo fleets for the benchmark: the exempt.yaml that declares them, and their seeding through
 * Matomo's own HTTP API (bulk `addSite`, at most 500 per request, as on a real instance whose PHP
 * drops form fields past `max_input_vars`).
 */
import * as fs from "node:fs";
import { CountingClient } from "./http";

export const MATOMO_TOKEN = "bench0token0of0the0matomo0sandbox00";
export const MATOMO_PASSWORD = "bench-sandbox-password";
export const TOKEN_ENV = "BENCH_MATOMO_TOKEN";
export const PASSWORD_ENV = "BENCH_MATOMO_PASSWORD";
/** A shared instance has people besides the superuser: one team sees every site. */
export const FLEET_USER = "webteam";
export const MAX_BULK = 500;

export interface FleetShape {
  sites: number;
  /** 0: as seeded; each later round renames every site and flips its excluded-parameter list. */
  round: number;
  /** Declare each site's Default Container, so the plan reads Tag Manager as the per-resource strategy does. */
  containers: boolean;
}

export const siteKey = (i: number): string => `s${String(i).padStart(5, "0")}`;
export const siteName = (i: number, round: number): string => (round === 0 ? `Site ${i}` : `Site ${i} r${round}`);
export const siteUrls = (i: number): string[] => [`https://s${i}.fleet.example.gouv.fr`, `https://www.s${i}.fleet.example.gouv.fr`];
export const excluded = (round: number): string[] => (round % 2 === 0 ? ["email"] : ["email", "token"]);

/** The exempt.yaml of a fleet, written by hand rather than through a YAML library: it is what a user would write. */
export function fleetYaml(url: string, shape: FleetShape): string {
  const lines = [
    "instances:",
    "  fleet:",
    "    kind: matomo",
    `    url: ${url}`,
    `    auth: { tokenEnv: ${TOKEN_ENV}, passwordEnv: ${PASSWORD_ENV} }`,
    "    access:",
    "      users:",
    `        ${FLEET_USER}: { role: view, sites: all }`,
    "    sites:",
  ];
  for (let i = 0; i < shape.sites; i++) {
    lines.push(`      ${siteKey(i)}:`);
    lines.push(`        name: ${siteName(i, shape.round)}`);
    lines.push(`        urls: [${siteUrls(i).join(", ")}]`);
    lines.push(`        excludedQueryParameters: [${excluded(shape.round).join(", ")}]`);
    if (shape.containers) lines.push("        tagManager: { containers: { main: {} } }");
  }
  return lines.join("\n") + "\n";
}

export function writeFleet(file: string, url: string, shape: FleetShape): void {
  fs.writeFileSync(file, fleetYaml(url, shape));
}

export function matomoEnv(): Record<string, string> {
  return { [TOKEN_ENV]: MATOMO_TOKEN, [PASSWORD_ENV]: MATOMO_PASSWORD };
}

/** `index.php?module=API&method=…&format=JSON`, the token first in the form body as Exempt sends it. */
export async function matomoCall(client: CountingClient, method: string, params: Array<[string, string]>): Promise<unknown> {
  const body = new URLSearchParams([["token_auth", MATOMO_TOKEN], ["filter_limit", "-1"], ...params]).toString();
  const answer = await client.request("POST", `/index.php?module=API&method=${encodeURIComponent(method)}&format=JSON`, body, { "Content-Type": "application/x-www-form-urlencoded" });
  if (answer.status !== 200) throw new Error(`${method}: HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
  const value = JSON.parse(answer.body) as unknown;
  if (value && typeof value === "object" && (value as { result?: unknown }).result === "error") throw new Error(`${method}: ${(value as { message?: string }).message}`);
  return value;
}

/**
 * Creates the fleet's sites as round 0 declares them, and the team user. Returns the new sites'
 * ids in declaration order (what a Terraform state would hold) and the requests it took.
 */
export async function seedMatomoFleet(url: string, sites: number): Promise<{ ids: number[]; requests: number }> {
  const client = new CountingClient(url, 4);
  try {
    await matomoCall(client, "UsersManager.addUser", [["userLogin", FLEET_USER], ["password", "bench-user-password"], ["email", `${FLEET_USER}@example.gouv.fr`], ["passwordConfirmation", MATOMO_PASSWORD]]);
    const chunks: number[][] = [];
    for (let start = 0; start < sites; start += MAX_BULK) chunks.push(Array.from({ length: Math.min(MAX_BULK, sites - start) }, (_, k) => start + k));
    const answers = await Promise.all(
      chunks.map((chunk) =>
        matomoCall(
          client,
          "API.getBulkRequest",
          chunk.map((i) => {
            const sub = new URLSearchParams([["method", "SitesManager.addSite"], ["siteName", siteName(i, 0)], ["excludedQueryParameters", excluded(0).join(",")]]);
            for (const u of siteUrls(i)) sub.append("urls[]", u);
            return ["urls[]", sub.toString()] as [string, string];
          }),
        ),
      ),
    );
    const ids: number[] = [];
    for (const answer of answers) {
      if (!Array.isArray(answer)) throw new Error(`bulk addSite answered ${JSON.stringify(answer).slice(0, 200)}`);
      for (const row of answer) {
        const id = Number((row as { value?: unknown }).value);
        if (!Number.isInteger(id)) throw new Error(`addSite answered ${JSON.stringify(row).slice(0, 200)}`);
        ids.push(id);
      }
    }
    return { ids, requests: client.traffic.requests };
  } finally {
    client.close();
  }
}
