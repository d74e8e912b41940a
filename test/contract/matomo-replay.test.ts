/**
 * The proof that the Matomo emulator tells the truth: every request recorded from a real Matomo
 * 5.1.2 (../shared/contracts/matomo/transcripts) is sent, raw, to a fresh emulator in the order it
 * was recorded, and the status, content type, Matomo's own headers and the body bytes must match.
 *
 * Only what is random or time-dependent is normalised: timestamps (and the "Nov 22, 2026 ..."
 * pretty dates), minted tokens, request ids, and container ids (each recorded id is mapped to the
 * one the emulator created, then substituted in later requests and expected bodies).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { MatomoEmulator, startMatomoEmulator } from "../../emulators/matomo";
import { matomoTranscriptsDir } from "../support/contracts";

const TRANSCRIPTS = matomoTranscriptsDir();

/**
 * Records that need state the recordings do not carry: 53 and 211 are database steps, 202-205 use
 * a token whose secure-only flag was set in the database, 208-210 follow 20 failed logins that
 * were not recorded. test/emulators/matomo-auth.test.ts covers the last two situations.
 */
const LEFT_OUT = new Set([53, 211, 202, 203, 204, 205, 208, 209, 210]);
const COMPARED_HEADERS = ["x-matomo-total-results", "cache-control", "referrer-policy", "content-security-policy"];

interface TranscriptRecord {
  seq: number;
  name: string;
  request?: { method: string; query_raw: string; body_raw?: string | null };
  status: number;
  content_type: string;
  response: unknown;
  response_raw: string | null;
  response_headers: Record<string, string>;
  /** privacy.json: the `option` rows the call left in the database. */
  observed_db_options_after?: Record<string, string>;
}

interface Outcome {
  file: string;
  seq: number;
  name: string;
  problems: string[];
}

function load(file: string): TranscriptRecord[] {
  return JSON.parse(fs.readFileSync(path.join(TRANSCRIPTS, file), "utf8")) as TranscriptRecord[];
}

/** PHP json_encode's bytes for a parsed body (for the records whose raw body was left out for size). */
function phpJson(value: unknown): string {
  return JSON.stringify(value).replace(/[/\u0080-\uffff]/g, (c) => (c === "/" ? "\\/" : "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")));
}

function send(
  baseUrl: string,
  method: string,
  queryRaw: string,
  body: string | undefined,
  pathname = "/index.php",
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      headers["Content-Length"] = String(Buffer.byteLength(body));
    }
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: queryRaw ? `${pathname}?${queryRaw}` : pathname, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const DATETIME = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/g;
const PRETTY_DATETIME = /(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4} \d{2}:\d{2}:\d{2}/g;

function normaliseTimes(s: string): string {
  return s.replace(DATETIME, "<datetime>").replace(PRETTY_DATETIME, "<pretty-datetime>");
}

class ContainerIds {
  private readonly map = new Map<string, string>();

  /** Pairs the container ids of a recorded body with those of the emulator's answer, in order. */
  learn(expected: string, actual: string): void {
    const ids = (s: string) => [...s.matchAll(/"idcontainer":"([A-Za-z0-9]{8})"/g)].map((m) => m[1]);
    const e = ids(expected);
    const a = ids(actual);
    const value = (s: string) => /^\{"value":"([A-Za-z0-9]{8})"\}$/.exec(s)?.[1];
    const ev = value(expected);
    const av = value(actual);
    if (ev && av) {
      e.push(ev);
      a.push(av);
    }
    e.forEach((id, i) => {
      if (!this.map.has(id) && a[i] !== undefined) this.map.set(id, a[i]);
    });
  }

  apply(s: string): string {
    let out = s;
    for (const [recorded, emulated] of this.map) out = out.split(recorded).join(emulated);
    return out;
  }
}

function firstDifference(expected: string, actual: string): string {
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const from = Math.max(0, i - 80);
  return `first difference at byte ${i}:\n      expected …${JSON.stringify(expected.slice(from, i + 120))}\n      actual   …${JSON.stringify(actual.slice(from, i + 120))}`;
}

async function replay(emulator: MatomoEmulator, records: { file: string; record: TranscriptRecord }[]): Promise<Outcome[]> {
  const ids = new ContainerIds();
  const outcomes: Outcome[] = [];
  for (const { file, record } of records) {
    const req = record.request!;
    const body = req.method === "GET" ? undefined : ids.apply(req.body_raw ?? "");
    const res = await send(emulator.url, req.method, ids.apply(req.query_raw ?? ""), body);
    const problems: string[] = [];
    const recordedBody = record.response_raw ?? phpJson(record.response);
    ids.learn(recordedBody, res.body);
    let expected = normaliseTimes(ids.apply(recordedBody));
    let actual = normaliseTimes(res.body);
    if (expected.includes("GENERATED_TOKEN")) actual = actual.replace(/\b[0-9a-f]{32}\b/g, "GENERATED_TOKEN");
    expected = expected.replace(/\r\n/g, "\n");
    if (res.status !== record.status) problems.push(`status ${res.status}, recorded ${record.status}`);
    if (res.headers["content-type"] !== record.content_type) problems.push(`content type ${res.headers["content-type"]}, recorded ${record.content_type}`);
    const recordedHeaders = Object.fromEntries(Object.entries(record.response_headers).map(([k, v]) => [k.toLowerCase(), v]));
    for (const h of COMPARED_HEADERS) {
      if (recordedHeaders[h] !== res.headers[h]) problems.push(`header ${h}: ${res.headers[h]}, recorded ${recordedHeaders[h]}`);
    }
    if (recordedHeaders["x-matomo-request-id"] && !/^[0-9a-f]{5}$/.test(String(res.headers["x-matomo-request-id"]))) {
      problems.push(`header x-matomo-request-id: ${res.headers["x-matomo-request-id"]}`);
    }
    if (expected !== actual) problems.push(`body differs, ${firstDifference(expected, actual)}`);
    if (record.observed_db_options_after) {
      // What the HTTP API cannot read back, seen through the emulator's test-only endpoint.
      const rows = JSON.parse((await send(emulator.url.replace(/\/?$/, ""), "GET", "", undefined, "/__emulator__/options")).body) as {
        option_name: string;
        option_value: string;
      }[];
      const stored = JSON.stringify(Object.fromEntries(rows.map((r) => [r.option_name, r.option_value])));
      const recorded = JSON.stringify(record.observed_db_options_after);
      if (stored !== recorded) problems.push(`option rows ${stored}, recorded ${recorded}`);
    }
    outcomes.push({ file, seq: record.seq, name: record.name, problems });
  }
  return outcomes;
}

function table(outcomes: Outcome[], files: string[]): string {
  const lines = files.map((f) => {
    const mine = outcomes.filter((o) => o.file === f);
    const ok = mine.filter((o) => o.problems.length === 0).length;
    return `  ${f.padEnd(16)} ${String(ok).padStart(3)}/${mine.length}`;
  });
  return lines.join("\n");
}

function report(bad: Outcome[]): string {
  return bad
    .slice(0, 5)
    .map((o) => `${o.file} seq ${o.seq} (${o.name}):\n    ${o.problems.join("\n    ")}`)
    .join("\n\n");
}

const MAIN_FILES = ["sites.json", "privacy.json", "users.json", "tagmanager.json", "bulk.json", "errors.json"];

describe("Matomo emulator replaying the recordings of a real Matomo 5.1.2", () => {
  let main: Outcome[] = [];
  let limits: Outcome[] = [];

  beforeAll(async () => {
    const order = JSON.parse(fs.readFileSync(path.join(TRANSCRIPTS, "order.json"), "utf8")) as [number, string, number, string][];
    const files = new Map(MAIN_FILES.map((f) => [f, load(f)]));
    const sequence = order
      .filter(([seq]) => !LEFT_OUT.has(seq))
      .map(([seq, file, index]) => {
        const record = files.get(file)![index];
        if (record.seq !== seq) throw new Error(`order.json: ${file}[${index}] is seq ${record.seq}, not ${seq}`);
        return { file, record };
      })
      .filter(({ record }) => record.request !== undefined);
    const emulator = await startMatomoEmulator({ token: "TOKEN", password: "PASSWORD", matomoUrl: "//127.0.0.1:8088/" });
    try {
      main = await replay(emulator, sequence);
    } finally {
      await emulator.close();
    }
    // limits.json was recorded from its own fresh install: a second fresh emulator.
    const second = await startMatomoEmulator({ token: "TOKEN", password: "PASSWORD", matomoUrl: "//127.0.0.1:8088/" });
    try {
      const records = load("limits.json").sort((a, b) => a.seq - b.seq);
      limits = await replay(second, records.map((record) => ({ file: "limits.json", record })));
    } finally {
      await second.close();
    }
    console.log(`Matomo transcript replay (records matched / replayed)\n${table([...main, ...limits], [...MAIN_FILES, "limits.json"])}`);
  }, 120_000);

  test("the main pass replays its 211 records but the 9 left out: 202 records", () => {
    expect(main.length).toBe(202);
  });

  test.each(MAIN_FILES)("every replayed record of %s matches", (file) => {
    const bad = main.filter((o) => o.file === file && o.problems.length > 0);
    if (bad.length > 0) throw new Error(`${bad.length} mismatching record(s) in ${file}:\n\n${report(bad)}`);
    expect(main.filter((o) => o.file === file).length).toBeGreaterThan(0);
  });

  test("every record of limits.json matches on its own fresh emulator", () => {
    const bad = limits.filter((o) => o.problems.length > 0);
    if (bad.length > 0) throw new Error(`${bad.length} mismatching record(s) in limits.json:\n\n${report(bad)}`);
    expect(limits).toHaveLength(11);
  });
});
