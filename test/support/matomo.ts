import { randomBytes } from "node:crypto";
import { startMatomoEmulator, MatomoEmulator, MatomoEmulatorOptions } from "../../emulators/matomo";

export interface TestMatomo {
  emulator: MatomoEmulator;
  url: string;
  token: string;
  password: string;
  /** The environment a command needs to reach it. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A fresh in-process Matomo emulator with its own random credentials. */
export async function startTestMatomo(options: Partial<MatomoEmulatorOptions> = {}): Promise<TestMatomo> {
  const token = options.token ?? randomBytes(16).toString("hex");
  const password = options.password ?? `pw-${randomBytes(8).toString("hex")}`;
  const emulator = await startMatomoEmulator({ ...options, token, password });
  return {
    emulator,
    url: emulator.url,
    token,
    password,
    env: { MATOMO_URL: emulator.url, MATOMO_TOKEN: token, MATOMO_PASSWORD: password },
    close: () => emulator.close(),
  };
}

const WRITE = /\.(add|update|set|delete|create|publish|activate|deactivate|pause|resume|invite)/;

/** The API calls that change something (bulk sub-requests counted one by one). */
export function writeCalls(emulator: MatomoEmulator): Array<{ method: string; params: Record<string, unknown> }> {
  return emulator.calls.filter((c) => WRITE.test(c.method)).map((c) => ({ method: c.method, params: c.params as Record<string, unknown> }));
}

/** Calls one API method over HTTP, as an operator changing something by hand would. */
export async function rawMatomo(url: string, method: string, params: Record<string, string | string[]>): Promise<any> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  const res = await fetch(`${url}/index.php?module=API&method=${method}&format=JSON`, { method: "POST", body });
  return res.json();
}

export const EXAMPLE_FLEET = (extra = "") => `instances:
  stats:
    kind: matomo
    url: \${MATOMO_URL}
    auth: { tokenEnv: MATOMO_TOKEN, passwordEnv: MATOMO_PASSWORD }
    sites:
      www:
        name: Portail
        urls: [https://www.example.gouv.fr, https://example.gouv.fr]
        excludedQueryParameters: [email, token]
      demarches:
        name: Démarches
        urls: [https://demarches.example.gouv.fr]
        tagManager:
          containers:
            main: {}
      boutique:
        name: Boutique
        urls: [https://boutique.example.gouv.fr]
        mode: consent
        ecommerce: true
${extra}`;
