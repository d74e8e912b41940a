import { MatomoError } from "./errors";

/**
 * The client is written for Matomo 5 as recorded (5.1.2). Matomo 4 answers access errors with HTTP
 * 200 and runs an invalid token as the anonymous user: a refused token would look like an empty
 * instance, and a plan against it would propose to create every site. A future major may change
 * what the calls mean. Both are refused with the reason, rather than half-supported.
 */
export const SUPPORTED_MAJOR = 5;

export interface MatomoVersion {
  text: string;
  major: number;
  minor: number;
  patch: number;
}

export function parseMatomoVersion(value: unknown): MatomoVersion | undefined {
  const text = typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : undefined;
  if (!text) return undefined;
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { text, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** Returns the version, or throws a MatomoError that says why this version is refused. */
export function checkMatomoVersion(instanceId: string, answer: unknown): MatomoVersion {
  const raw = answer !== null && typeof answer === "object" && !Array.isArray(answer) ? (answer as { value?: unknown }).value : undefined;
  const version = parseMatomoVersion(raw);
  const prefix = `Matomo instance '${instanceId}'`;
  if (!version)
    throw new MatomoError(`${prefix}: API.getMatomoVersion did not answer a version (got ${describe(answer)}); is the URL a Matomo instance?`, {
      kind: "malformed",
      call: "API.getMatomoVersion",
    });
  if (version.major < SUPPORTED_MAJOR)
    throw new MatomoError(
      `${prefix} runs Matomo ${version.text}, which Exempt does not support: it needs Matomo 5.x. Matomo ${version.major} answers access errors with HTTP 200 and runs an invalid token as the anonymous user, so Exempt could not tell a refused token from an empty instance. Upgrade Matomo to 5.x.`,
      { kind: "version", call: "API.getMatomoVersion" },
    );
  if (version.major > SUPPORTED_MAJOR)
    throw new MatomoError(
      `${prefix} runs Matomo ${version.text}, newer than the 5.x this Exempt was written and tested for: its API may clear, keep or reject fields differently. Use an Exempt release that supports Matomo ${version.major}.`,
      { kind: "version", call: "API.getMatomoVersion" },
    );
  return version;
}

function describe(answer: unknown): string {
  const text = JSON.stringify(answer) ?? String(answer);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
