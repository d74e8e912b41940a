import { registerSecret } from "../../model/secrets";

/**
 * The OAuth2 client-credentials token. One token serves every call until shortly before it expires
 * (30 minutes, `expires_in: 1800`); no refresh token exists, so renewing means asking again. Calls
 * made while a token is being fetched wait for that one fetch instead of starting their own.
 */
export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

export interface TokenSourceOptions {
  /** Asks `/auth/token` for a new token (through the transport, with its retries). */
  fetch: () => Promise<IssuedToken>;
  now: () => number;
  /** Renew this long before expiry, so no call goes out with a token about to die. */
  renewBeforeMs: number;
}

export class TokenSource {
  private current?: { token: string; renewAt: number };
  private pending?: Promise<string>;
  /** How many tokens were fetched: the tests and the traffic report look at it. */
  fetched = 0;

  constructor(private readonly options: TokenSourceOptions) {}

  async get(): Promise<string> {
    const now = this.options.now();
    if (this.current && now < this.current.renewAt) return this.current.token;
    this.pending ??= this.fetchOne().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * The token was refused: forget it, unless another call already replaced it (then the next `get`
   * returns the replacement, and only one renewal happens however many calls saw the refusal).
   */
  invalidate(token: string | undefined): void {
    if (this.current && this.current.token === token) this.current = undefined;
  }

  private async fetchOne(): Promise<string> {
    const issuedAt = this.options.now();
    const issued = await this.options.fetch();
    registerSecret(issued.accessToken);
    this.fetched++;
    const lifetimeMs = issued.expiresInSeconds * 1000;
    // A lifetime shorter than twice the margin (never seen, but cheap to survive) renews at half-life.
    const margin = Math.min(this.options.renewBeforeMs, lifetimeMs / 2);
    this.current = { token: issued.accessToken, renewAt: issuedAt + lifetimeMs - margin };
    return issued.accessToken;
  }
}
