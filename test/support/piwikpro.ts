import { PiwikProEmulator, PiwikProEmulatorOptions, PiwikProExchange, startPiwikProEmulator } from "../../emulators/piwikpro";
import { ContractOptions, ContractViolation, OpenApiContract, formatViolation } from "./openapi";

/**
 * A Piwik PRO emulator whose every exchange is checked against the published OpenAPI documents:
 * the request (what the client sent) and the answer (what the emulator gave). Use it in every test
 * that talks to Piwik PRO; `close()` fails the test if anything broke the contract.
 *
 *   const pp = await startValidatedPiwikPro();
 *   try { …use pp.url, pp.clientId, pp.clientSecret… } finally { await pp.close(); }
 *
 * or let jest manage it: `const pp = useValidatedPiwikPro();` then `pp().url` inside tests.
 */
export interface ValidatedPiwikPro {
  emulator: PiwikProEmulator;
  url: string;
  clientId: string;
  clientSecret: string;
  /** Every violation so far (live; exchanges are validated when this is read). */
  readonly violations: readonly ContractViolation[];
  /** How many exchanges were validated. */
  readonly exchanges: number;
  /**
   * Returns the violations so far and forgets them: for tests that send a bad request on purpose
   * and expect the contract check to catch it.
   */
  takeViolations(): ContractViolation[];
  /** Throws, listing them, when any exchange broke the contract. */
  assertNoContractViolations(): void;
  /** A bearer token for the emulator's credentials (`Authorization: Bearer …`). */
  token(): Promise<string>;
  /** Stops the emulator, then asserts that no exchange broke the contract. */
  close(): Promise<void>;
}

export type ValidatedPiwikProOptions = Partial<PiwikProEmulatorOptions> & ContractOptions;

export async function startValidatedPiwikPro(options: ValidatedPiwikProOptions = {}): Promise<ValidatedPiwikPro> {
  const { undeclaredStatuses, ...emulatorOptions } = options;
  const contract = OpenApiContract.load(undefined, { undeclaredStatuses });
  const clientId = options.clientId ?? "exempt-test-client";
  const clientSecret = options.clientSecret ?? "exempt-test-secret";
  // Validation runs outside the request, so a first compile of a large schema never delays an
  // answer past a client's timeout.
  const pending: PiwikProExchange[] = [];
  const violations: ContractViolation[] = [];
  let validated = 0;
  const flush = () => {
    for (const ex of pending.splice(0)) {
      validated++;
      violations.push(...contract.validateExchange(ex));
    }
  };
  const emulator = await startPiwikProEmulator({
    ...emulatorOptions,
    clientId,
    clientSecret,
    onExchange(ex) {
      pending.push(ex);
      options.onExchange?.(ex);
    },
  });
  const assertNone = () => {
    flush();
    if (violations.length === 0) return;
    const list = violations.map((v) => `  - ${formatViolation(v)}`).join("\n");
    throw new Error(`${violations.length} Piwik PRO contract violation(s) (OpenAPI documents in ${contract.dir}):\n${list}`);
  };
  return {
    emulator,
    url: emulator.url,
    clientId,
    clientSecret,
    get violations() {
      flush();
      return violations;
    },
    get exchanges() {
      flush();
      return validated;
    },
    takeViolations() {
      flush();
      return violations.splice(0);
    },
    assertNoContractViolations: assertNone,
    async token() {
      const res = await fetch(`${emulator.url}/auth/token`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }),
      });
      if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    async close() {
      await emulator.close();
      assertNone();
    },
  };
}

/**
 * Jest wiring: a fresh validated emulator for each test (or one for the whole file with
 * `{ scope: "file" }`), closed after it; a contract violation fails the test that caused it.
 */
export function useValidatedPiwikPro(options: ValidatedPiwikProOptions & { scope?: "test" | "file" } = {}): () => ValidatedPiwikPro {
  const { scope = "test", ...rest } = options;
  let current: ValidatedPiwikPro | undefined;
  const start = async () => {
    current = await startValidatedPiwikPro(rest);
  };
  if (scope === "file") {
    beforeAll(start);
    afterEach(() => current?.assertNoContractViolations());
    afterAll(async () => current?.close());
  } else {
    beforeEach(start);
    afterEach(async () => {
      const pp = current;
      current = undefined;
      await pp?.close();
    });
  }
  return () => {
    if (!current) throw new Error("useValidatedPiwikPro: the emulator is only available inside a test");
    return current;
  };
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (undefined when the body is empty or not JSON). */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RawRequest {
  /** A JSON value (serialised) or a string sent as is. */
  body?: unknown;
  /** Default `application/vnd.api+json` when there is a body. */
  contentType?: string;
  /** Default: a fresh token for the emulator's credentials; `null` sends no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
}

/**
 * A bare HTTP client for tests of the emulator itself (backend tests use the real backend):
 * `raw(pp).get("/api/apps/v2")`, with a token fetched once and reused.
 */
export function rawClient(pp: Pick<ValidatedPiwikPro, "url" | "token">) {
  let cached: Promise<string> | undefined;
  const send = async (method: string, path: string, req: RawRequest = {}): Promise<RawAnswer> => {
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    const token = req.token === undefined ? await (cached ??= pp.token()) : req.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
      headers["Content-Type"] = req.contentType ?? "application/vnd.api+json";
    }
    const res = await fetch(`${pp.url}${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  return {
    get: (path: string, req?: RawRequest) => send("GET", path, req),
    post: (path: string, body?: unknown, req?: RawRequest) => send("POST", path, { ...req, body }),
    patch: (path: string, body?: unknown, req?: RawRequest) => send("PATCH", path, { ...req, body }),
    delete: (path: string, req?: RawRequest) => send("DELETE", path, req),
    send,
    /** Forgets the cached token, so the next call fetches a new one. */
    renewToken: () => {
      cached = undefined;
    },
  };
}
