import { redactSecrets } from "../../model/secrets";

/**
 * Every failure the Piwik PRO backend reports. No axios error ever leaves the backend: its
 * `config` holds the bearer token in a header and, on `/auth/token`, the client secret in the
 * body. Failures are rebuilt here from the method, the path and the status only, and every
 * message is redacted when it is built.
 */
export type PiwikProErrorKind =
  /** `/auth/token` refused the client credentials (400/401): never retried. */
  | "credentials"
  /** An API call refused a freshly issued token. */
  | "auth"
  /** The account has no licence (402 on `/auth/token`). */
  | "licence"
  /** The credentials' user may not do this (403). */
  | "forbidden"
  /** The resource does not exist (404). */
  | "not-found"
  /** Piwik PRO refused the request (400, 409...). */
  | "api"
  /** Network failure, timeout, 429 or 5xx that outlived the retries. */
  | "transport"
  /** The answer was not what the documents describe (HTML, truncated JSON, wrong shape). */
  | "malformed"
  /** A Tag Manager publish operation failed or did not finish in time. */
  | "publish"
  /** Refused before sending: plain http to a remote host, a bad URL, a user that does not exist. */
  | "config";

export interface PiwikProErrorDetails {
  kind: PiwikProErrorKind;
  method?: string;
  /** The request path, without the query string. */
  path?: string;
  status?: number;
  /** Whose call it was, e.g. `www (app 4c1e…)`. */
  app?: string;
  /**
   * A create whose effect is unknown: the request may have been executed although no usable answer
   * came back. The caller checks whether it happened before sending it again.
   */
  outcomeUnknown?: boolean;
}

export class PiwikProError extends Error {
  readonly kind: PiwikProErrorKind;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly app?: string;
  readonly outcomeUnknown: boolean;

  constructor(message: string, details: PiwikProErrorDetails) {
    super(redactSecrets(message));
    this.name = "PiwikProError";
    this.kind = details.kind;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.app = details.app;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }

  /** The CLI prints this line as is. */
  userMessage(): string {
    return redactSecrets(this.message);
  }

  /** After these, anything else sent to the account would fail the same way, or do harm. */
  get fatal(): boolean {
    return this.kind === "credentials" || this.kind === "auth" || this.kind === "licence" || this.kind === "config";
  }
}

/** Any failure as one redacted line, for outcomes and logs. */
export function errorText(err: unknown): string {
  if (err instanceof PiwikProError) return err.message;
  if (err instanceof Error) return redactSecrets(err.message);
  return redactSecrets(String(err));
}
