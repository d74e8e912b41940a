import * as fs from "node:fs";
import * as path from "node:path";
import { runExempt, REPO } from "../support/cli";
import { EXAMPLE_FLEET, rawMatomo, startTestMatomo, TestMatomo, writeCalls } from "../support/matomo";
import { startValidatedPiwikPro, ValidatedPiwikPro } from "../support/piwikpro";
import { tempDir, writeFile } from "../support/tmp";
import type { ObservedPrivacy } from "../../engine/observe";
import type { Instance } from "../../model/config";

/**
 * The example fleet as the evidence tests use it: EXAMPLE_FLEET on the Matomo emulator (with a
 * database observer, one attestation and one suppression) plus a Piwik PRO account whose instance
 * attests every condition only a person can confirm. It is applied, then one setting is changed
 * behind Exempt's back, so the report has a violation to show.
 */

/** Pinned so attestations and suppressions are judged the same whatever day the tests run. */
export const TODAY = "2026-06-15";

export const PIWIKPRO_ATTESTED = [
  "CNIL-SCOPE-FR",
  "CNIL-PURPOSE-AUDIENCE",
  "CNIL-NO-MARKETING",
  "CNIL-AGGREGATE-ONLY",
  "CNIL-NO-PII-URL",
  "CNIL-NO-PII-CUSTOM",
  "CNIL-REFERRER-ANON",
  "CNIL-NO-CROSSREF",
  "CNIL-NO-THIRD-PARTY-TRANSFER",
  "CNIL-RETENTION-25M",
  "CNIL-RETENTION-REVIEW",
  "CNIL-INFO-POLICY",
  "CNIL-OPT-OUT",
  "CNIL-TRANSFER-EU",
  "CNIL-PROCESSOR-DPA",
];

export function fleetYaml(): string {
  const matomo = EXAMPLE_FLEET(
    [
      "        suppressions:",
      '          - { rule: CNIL-ECOMMERCE-OFF, reason: "The shop measures orders with order ids anonymised, behind the consent banner", owner: dpo@example.gouv.fr, expires: 2027-06-30 }',
      "  pp:",
      "    kind: piwikpro",
      "    url: ${PIWIKPRO_URL}",
      "    auth: { clientIdEnv: PIWIKPRO_CLIENT_ID, clientSecretEnv: PIWIKPRO_CLIENT_SECRET }",
      "    attestations:",
      ...PIWIKPRO_ATTESTED.map((rule) => `      - { rule: ${rule}, by: "Claire Martin, DPO", at: 2026-02-01, until: 2027-02-01 }`),
      "    sites:",
      "      app:",
      "        name: Démarches mobiles",
      "        urls: [https://app.example.gouv.fr]",
      "",
    ].join("\n"),
  );
  return matomo
    .replace(
      "    auth: { tokenEnv: MATOMO_TOKEN, passwordEnv: MATOMO_PASSWORD }\n",
      "    auth: { tokenEnv: MATOMO_TOKEN, passwordEnv: MATOMO_PASSWORD }\n    observer: { database: { userEnv: OBSERVER_USER, passwordEnv: OBSERVER_PASSWORD } }\n",
    )
    .replace(
      "        excludedQueryParameters: [email, token]\n",
      '        excludedQueryParameters: [email, token]\n        attestations:\n          - { rule: CNIL-INFO-POLICY, by: dpo@example.gouv.fr, at: 2026-01-15, until: 2027-01-15, note: "privacy page, version 3" }\n',
    );
}

/**
 * The database observer (backends/matomo-db, another part of the project with its own MariaDB tests)
 * stands in here as a reader of the emulator's option rows: the report only needs what an observer
 * returns. Registered under the module's path, real or not, so it never reaches for a database.
 */
const observed = new Map<string, TestMatomo>();
const OBSERVER_MODULE = "../../backends/matomo-db";
const observerExists = [".ts", "/index.ts", ".js"].some((ext) => fs.existsSync(path.join(REPO, "backends", `matomo-db${ext}`)));
jest.doMock(
  OBSERVER_MODULE,
  () => ({
    observeMatomoPrivacy: async (_id: string, instance: Instance): Promise<ObservedPrivacy> => {
      const matomo = observed.get(instance.url);
      if (!matomo) return { values: {}, unreadable: { ipMaskBytes: "no test observer for this instance" }, notes: [] };
      const rows = await matomo.emulator.privacyOptions();
      const enabled = rows["PrivacyManager.ipAnonymizerEnabled"] === "1";
      return { values: { ipMaskBytes: enabled ? Number(rows["PrivacyManager.ipAddressMaskLength"] ?? "2") : 0 }, unreadable: {}, notes: ["observed by the tests' stand-in for the database observer"] };
    },
  }),
  { virtual: !observerExists },
);

export interface EvidenceFleet {
  matomo: TestMatomo;
  pp: ValidatedPiwikPro;
  dir: string;
  config: string;
  env: NodeJS.ProcessEnv;
  /** Runs `exempt evidence` on the fleet into `out` (default: a fresh folder). */
  evidence(args?: string[], out?: string): Promise<{ code: number; stdout: string; stderr: string; out: string }>;
  close(): Promise<void>;
}

export async function startEvidenceFleet(): Promise<EvidenceFleet> {
  const matomo = await startTestMatomo();
  const pp = await startValidatedPiwikPro();
  observed.set(matomo.url, matomo);
  const dir = tempDir("exempt-evidence-");
  const config = writeFile(dir, "exempt.yaml", fleetYaml());
  const env = {
    ...matomo.env,
    PIWIKPRO_URL: pp.url,
    PIWIKPRO_CLIENT_ID: pp.clientId,
    PIWIKPRO_CLIENT_SECRET: pp.clientSecret,
    OBSERVER_USER: "observer",
    OBSERVER_PASSWORD: "observer-password-not-used",
    EXEMPT_LOCK_DIR: dir,
    EXEMPT_TODAY: TODAY,
  };
  const applied = await runExempt(["apply", "--config", config], { env });
  if (applied.code !== 0) throw new Error(`apply of the example fleet failed (${applied.code}):\n${applied.stdout}\n${applied.stderr}`);
  // Behind Exempt's back: the portal starts accepting hits from any URL.
  const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url: "https://www.example.gouv.fr" });
  await rawMatomo(matomo.url, "SitesManager.updateSite", { token_auth: matomo.token, idSite: String(ids[0].idsite), excludeUnknownUrls: "0" });
  matomo.emulator.resetCalls();
  pp.emulator.resetCalls();
  return {
    matomo,
    pp,
    dir,
    config,
    env,
    async evidence(args = [], out = tempDir("exempt-evidence-out-")) {
      const r = await runExempt(["evidence", "--config", config, "--out", out, ...args], { env });
      return { ...r, out };
    },
    async close() {
      observed.delete(matomo.url);
      await matomo.close();
      await pp.close();
    },
  };
}

/** Every call that could change something, on both emulators, since the last reset. */
export function writesSinceReset(fleet: EvidenceFleet): string[] {
  const matomo = writeCalls(fleet.matomo.emulator).map((c) => c.method);
  const pp = fleet.pp.emulator.calls.filter((c) => c.method !== "GET" && !(c.method === "POST" && c.path === "/auth/token")).map((c) => `${c.method} ${c.path}`);
  return [...matomo, ...pp];
}
