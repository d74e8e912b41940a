import { redactSecrets } from "../../model/secrets";

/**
 * Every failure the Matomo backend reports. One class with a `kind`, so callers branch on what
 * happened without importing a zoo of subclasses, and so that no axios error (whose `config`
 * carries the token in headers and body) ever leaves the backend: transport failures are turned
 * into this type with method, path and status only.
 */
export type MatomoErrorKind =
  /** The token was refused (HTTP 401 "Unable to authenticate"). Never retried. */
  | "auth"
  /** The token is valid but lacks the access the call needs, or the login is blocked. */
  | "forbidden"
  /** Matomo's brute-force protection locked this client out. Never retried. */
  | "lockout"
  /** Matomo answered `{"result":"error"}`: a validation or application error. */
  | "api"
  /** Network failure, timeout or 5xx that outlived the retries. */
  | "transport"
  /** The answer was not what a Matomo API answers (HTML, truncated JSON, wrong shape). */
  | "malformed"
  /** The server's Matomo version is one this client was not written for. */
  | "version"
  /** Refused before sending: plain http to a non-loopback host, TLS problems, bad settings. */
  | "config";

export interface MatomoErrorDetails {
  kind: MatomoErrorKind;
  /** The API method (or `API.getBulkRequest (...)`) that failed. */
  call?: string;
  /** The site the call was about, as `key (idSite N)` when known. */
  site?: string;
  status?: number;
  /** Matomo's own text, HTML entities decoded. */
  matomoMessage?: string;
  /**
   * A write whose effect is unknown: the request may have been executed although no answer came
   * back (dropped connection, timeout, 5xx from a proxy). Creates must check before retrying.
   */
  outcomeUnknown?: boolean;
  /** For a call sent in a bulk request that failed as a whole: that request's own error. */
  requestError?: MatomoError;
}

export class MatomoError extends Error {
  readonly kind: MatomoErrorKind;
  readonly call?: string;
  readonly site?: string;
  readonly status?: number;
  readonly matomoMessage?: string;
  readonly outcomeUnknown: boolean;
  readonly requestError?: MatomoError;

  constructor(message: string, details: MatomoErrorDetails) {
    // Redacted at construction: the message may travel through stacks, logs and reports.
    super(redactSecrets(message));
    this.name = "MatomoError";
    this.kind = details.kind;
    this.call = details.call;
    this.site = details.site;
    this.status = details.status;
    this.matomoMessage = details.matomoMessage === undefined ? undefined : redactSecrets(details.matomoMessage);
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    // Not enumerable: keeps JSON of outcomes and errors small and free of duplicates.
    if (details.requestError) Object.defineProperty(this, "requestError", { value: details.requestError, enumerable: false });
  }

  /** The CLI prints this line as is (see cli/errors.ts `UserFacingError`). */
  userMessage(): string {
    return redactSecrets(this.message);
  }

  /** Errors after which sending anything else to the instance would do harm or is pointless. */
  get fatal(): boolean {
    return this.kind === "auth" || this.kind === "lockout" || this.kind === "config" || this.kind === "version";
  }
}

/** "SitesManager.updateSite for site www (idSite 3)" */
export function describeCall(call: string, site?: string): string {
  return site ? `${call} for site ${site}` : call;
}

/** Any failure as one redacted line, for outcomes and logs. */
export function errorText(err: unknown): string {
  if (err instanceof MatomoError) return err.message;
  if (err instanceof Error) return redactSecrets(err.message);
  return redactSecrets(String(err));
}
