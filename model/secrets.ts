/**
 * Secrets (API tokens, passwords, client secrets) come from environment variables only. Every value
 * read through here is remembered, so that `redactSecrets` can strip it from any text before that
 * text reaches a log, an error message or a report, whatever path the text took to get there.
 */
const knownSecrets = new Set<string>();

/** Values shorter than this are not registered: redacting "1" or "abc" everywhere would garble output. */
const MIN_SECRET_LENGTH = 4;

export class MissingSecretError extends Error {
  constructor(
    readonly variable: string,
    readonly purpose: string,
  ) {
    super(`environment variable ${variable} is not set (it should hold ${purpose})`);
    this.name = "MissingSecretError";
  }
}

/** Remembers a value as secret without reading it from the environment (e.g. a sandbox token given as a flag). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) {
    knownSecrets.add(value);
    // The same token often travels URL-encoded (form bodies, query strings).
    const encoded = encodeURIComponent(value);
    if (encoded !== value) knownSecrets.add(encoded);
  }
}

/** Reads a secret from the environment, or throws a MissingSecretError naming the variable (never a value). */
export function readSecret(env: NodeJS.ProcessEnv, variable: string, purpose: string): string {
  const value = env[variable];
  if (value === undefined || value === "") throw new MissingSecretError(variable, purpose);
  registerSecret(value);
  return value;
}

/** Like readSecret, but an unset variable gives undefined (for optional secrets such as the Matomo password). */
export function readOptionalSecret(env: NodeJS.ProcessEnv, variable: string | undefined): string | undefined {
  if (!variable) return undefined;
  const value = env[variable];
  if (value === undefined || value === "") return undefined;
  registerSecret(value);
  return value;
}

export const REDACTED = "***";

/** Replaces every known secret in `text` (also the values of common secret-named query/form fields). */
export function redactSecrets(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...knownSecrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  // Belt and braces for secrets never registered (e.g. echoed back by a server in a URL).
  return out.replace(
    /\b(token_auth|passwordConfirmation|password|client_secret|access_token)=([^&\s"']+)/gi,
    (_m, key: string) => `${key}=${REDACTED}`,
  );
}

/** For tests only: forget registered secrets between cases. */
export function forgetSecretsForTests(): void {
  knownSecrets.clear();
}
