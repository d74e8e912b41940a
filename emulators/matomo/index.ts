/**
 * The Matomo 5.1.2 API emulator (with Tag Manager): a real HTTP server on loopback, in memory,
 * proven against recordings of a real Matomo by test/contract/matomo-replay.test.ts.
 * README.md in this folder lists what it emulates and what it does not.
 *
 * It shares no code with backends/ or engine/ (architecture: "Boundaries"): it is written from
 * ../shared/contracts, so that a test passing against it says something about the real product.
 */
import { EmulatorServer, startEmulatorServer } from "../common/http";
import type { FaultSettings } from "../common/faults";
import { MatomoCallRecord, MatomoDispatcher } from "./dispatch";
import { errorPage, HTML_CONTENT_TYPE } from "./html";
import { FRESH_INSTALL_PRIVACY_OPTIONS, InMemoryOptionStore, MatomoOptionStore } from "./options";
import { recentFailures } from "./auth";
import { freshInstall, installerSite } from "./state";
import { createDefaultContainer } from "./tagmanager";

export type { MatomoCallRecord } from "./dispatch";
export type { MatomoOptionRow, MatomoOptionStore } from "./options";
export { InMemoryOptionStore } from "./options";

export interface MatomoEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback by default. */
  host?: string;
  /** The superuser `admin`'s token_auth. */
  token: string;
  /** The superuser's password, needed by `passwordConfirmation` parameters. @default "PASSWORD" */
  password?: string;
  faults?: Partial<FaultSettings>;
  /** What API.getMatomoVersion answers. @default "5.1.2" */
  version?: string;
  /**
   * SitesManager integers as JSON strings (`"idsite":"1"`), as Matomo answered before PHP 8.1;
   * 5.1.2 on PHP 8.2 answers real integers. @default false
   */
  numbersAsStrings?: boolean;
  /** Where the privacy `option` rows live. @default an in-memory store */
  optionStore?: MatomoOptionStore;
  /**
   * The URL Tag Manager's MatomoConfiguration defaults to and embed codes point at.
   * @default derived from the listen address, protocol-relative like the recorded `//127.0.0.1:8088/`
   */
  matomoUrl?: string;
  /** Serve the test-only inspection endpoint `GET /__emulator__/options`. @default true */
  testEndpoints?: boolean;
  /** The clock (timestamps, token expiry, brute-force window). @default the system clock */
  clock?: () => Date;
  /** Serve HTTPS with this key and certificate (PEM). @default plain HTTP */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface MatomoEmulator extends EmulatorServer {
  /** Every API method run, in order; bulk sub-requests appear one by one with `viaBulk: true`. */
  readonly calls: MatomoCallRecord[];
  resetCalls(): void;
  /** The privacy `option` rows, as privacy.json's `observed_db_options_after` records them. */
  privacyOptions(): Promise<Record<string, string>>;
  /**
   * Sets a token's `secure_only` flag. Only Matomo's UI (or its database) can set it, never its
   * HTTP API, so tests set it here.
   */
  setTokenSecureOnly(token: string, secureOnly: boolean): void;
  /** Failed logins logged for an IP within the brute-force window. */
  failedLoginsFrom(ip: string): number;
  /** Empties the brute-force log (what the recordings did in the database to unblock an IP). */
  clearFailedLogins(ip?: string): void;
  /** The instance URL as Tag Manager sees it (MatomoConfiguration's default `matomoUrl`). */
  readonly matomoUrl: string;
}

function defaultMatomoUrl(host: string, port: number): string {
  const h = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `//${h}:${port}/`;
}

export async function startMatomoEmulator(options: MatomoEmulatorOptions): Promise<MatomoEmulator> {
  const optionStore = options.optionStore ?? new InMemoryOptionStore();
  for (const [name, value] of Object.entries(FRESH_INSTALL_PRIVACY_OPTIONS)) {
    if ((await optionStore.get(name)) === undefined) await optionStore.set(name, value, 0);
  }
  const state = freshInstall({
    token: options.token,
    password: options.password ?? "PASSWORD",
    clock: options.clock ?? (() => new Date()),
    matomoUrl: options.matomoUrl ?? "",
    version: options.version ?? "5.1.2",
    numbersAsStrings: options.numbersAsStrings ?? false,
    options: optionStore,
  });
  const dispatcher = new MatomoDispatcher(state, { testEndpoints: options.testEndpoints !== false });
  const server = await startEmulatorServer({
    port: options.port,
    host: options.host,
    faults: options.faults,
    tls: options.tls,
    operationOf: (req) => dispatcher.operationOf(req),
    handle: (req) => dispatcher.handle(req),
    serverErrorBody: (status) => ({
      status,
      headers: { "Content-Type": HTML_CONTENT_TYPE },
      body: errorPage(`http:${state.matomoUrl}`, `The server answered ${status} (an injected fault).`),
    }),
  });
  // Synchronously after listening, before any request can be handled: the installer's site needs
  // the instance URL (its Default Container's Matomo configuration points at it).
  if (!options.matomoUrl) state.matomoUrl = defaultMatomoUrl(options.host ?? "127.0.0.1", server.port);
  const first = installerSite(state);
  state.sites.set(first.idsite, first);
  createDefaultContainer(state, first.idsite, state.superuserLogin);

  return Object.assign(server, {
    calls: dispatcher.calls,
    resetCalls: () => void (dispatcher.calls.length = 0),
    async privacyOptions() {
      const out: Record<string, string> = {};
      for (const row of await optionStore.all()) out[row.option_name] = row.option_value;
      return out;
    },
    setTokenSecureOnly(token: string, secureOnly: boolean) {
      const t = state.tokens.get(token);
      if (!t) throw new Error("setTokenSecureOnly: no such token");
      t.secureOnly = secureOnly;
    },
    failedLoginsFrom: (ip: string) => recentFailures(state, ip),
    clearFailedLogins(ip?: string) {
      if (ip === undefined) state.failedLogins.clear();
      else state.failedLogins.delete(ip);
    },
    matomoUrl: state.matomoUrl,
  });
}
