import { createHmac, randomBytes } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "../common/http";
import { TokenProblem, oauthError } from "./errors";
import { isObject, mediaType } from "./jsonapi";
import type { User } from "./state";

export interface TokenIssuerOptions {
  clientId: string;
  clientSecret: string;
  ttlSeconds: number;
  now: () => number;
  organization: string;
  owner: User;
}

const MALFORMED =
  "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.";

/**
 * `POST /auth/token` (OAuth 2 client credentials) and the bearer-token check every API call makes.
 * Tokens look like the product's RS256 JWTs (header, claims `iss/aud/iat/exp/sub/org/eml`,
 * signature) so that clients that peek at the claims keep working, but the emulator only trusts its
 * own record of what it issued: a client must treat the token as opaque.
 */
export class TokenIssuer {
  private readonly issued = new Map<string, { expiresAt: number }>();
  private readonly signingKey = randomBytes(32);

  constructor(private readonly options: TokenIssuerOptions) {}

  issue(req: EmulatorRequest): EmulatorResponse {
    const params = readParams(req);
    if (params.grant_type !== "client_credentials") {
      return oauthError(400, {
        error: "unsupported_grant_type",
        error_description: "The authorization grant type is not supported by the authorization server.",
        hint: "Check that all required parameters have been provided",
        message: "The authorization grant type is not supported by the authorization server.",
      });
    }
    for (const field of ["client_id", "client_secret"] as const) {
      if (!params[field]) {
        return oauthError(400, { error: "invalid_client", error_description: MALFORMED, hint: `Check the \`${field}\` parameter`, message: MALFORMED });
      }
    }
    if (params.client_id !== this.options.clientId || params.client_secret !== this.options.clientSecret) {
      return oauthError(401, { error: "invalid_client" });
    }
    const { ttlSeconds, now } = this.options;
    const token = this.sign(Math.floor(now() / 1000), ttlSeconds);
    this.issued.set(token, { expiresAt: now() + ttlSeconds * 1000 });
    return {
      status: 200,
      headers: { "Content-Type": "application/json; charset=UTF-8", "Cache-Control": "no-store" },
      body: JSON.stringify({ token_type: "Bearer", expires_in: ttlSeconds, access_token: token }),
    };
  }

  /**
   * Undefined when the request carries a live token issued here; otherwise what is wrong with it.
   * UNCONFIRMED when the `X-Organization` header is required: the token's `org` claim names the
   * organization, so the emulator neither requires nor checks the header.
   */
  check(req: EmulatorRequest): TokenProblem | undefined {
    const header = req.headers.authorization;
    const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) return "missing";
    const record = this.issued.get(match[1]);
    if (!record) return "invalid";
    if (this.options.now() >= record.expiresAt) return "expired";
    return undefined;
  }

  /** Every token issued so far stops working, as if 30 minutes had passed for all of them. */
  expireAll(): void {
    for (const record of this.issued.values()) record.expiresAt = Number.NEGATIVE_INFINITY;
  }

  private sign(iat: number, ttlSeconds: number): string {
    const { clientId, organization, owner } = this.options;
    const header = base64url(JSON.stringify({ typ: "JWT", alg: "RS256" }));
    const claims = base64url(
      JSON.stringify({ iss: "oauth", aud: clientId, iat, exp: iat + ttlSeconds, sub: owner.id, org: organization, eml: owner.email, jti: randomBytes(8).toString("hex") }),
    );
    const signature = createHmac("sha256", this.signingKey).update(`${header}.${claims}`).digest("base64url");
    return `${header}.${claims}.${signature}`;
  }
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/** The token endpoint takes the same three fields as JSON or as a form. */
function readParams(req: EmulatorRequest): Record<string, string | undefined> {
  const type = mediaType(req.headers["content-type"]);
  const text = req.body.toString("utf8");
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  if (type === "application/json") {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isObject(parsed)) {
        return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === "string" ? v : undefined]));
      }
    } catch {
      // an unreadable body carries no parameters, which the checks below answer
    }
  }
  return {};
}
