import { redactSecrets } from "../model/secrets";
import { UsageError } from "./args";

/**
 * Errors that carry their own user-facing text (config errors with file:line, reconcile errors with
 * instance/site/call) implement this; the CLI prints it as is, after redaction.
 */
export interface UserFacingError {
  userMessage(): string;
}

function isUserFacing(err: unknown): err is UserFacingError {
  return typeof err === "object" && err !== null && typeof (err as UserFacingError).userMessage === "function";
}

/**
 * One clear message, never a stack trace, never a secret. axios errors are reduced to method, URL
 * path and status: their `config` carries headers and bodies with tokens.
 */
export function formatUserError(err: unknown, _env?: NodeJS.ProcessEnv): string {
  let text: string;
  if (err instanceof UsageError) text = err.message;
  else if (isUserFacing(err)) text = err.userMessage();
  else if (isAxiosLike(err)) {
    const status = err.response?.status ? `HTTP ${err.response.status}` : err.code ?? "network error";
    const url = safeUrl(err.config?.url, err.config?.baseURL);
    text = `exempt: request ${err.config?.method?.toUpperCase() ?? ""} ${url} failed: ${status}`;
  } else if (err instanceof Error) text = `exempt: ${err.message}`;
  else text = `exempt: ${String(err)}`;
  return redactSecrets(text);
}

interface AxiosLike {
  isAxiosError: true;
  code?: string;
  config?: { url?: string; baseURL?: string; method?: string };
  response?: { status?: number };
}

function isAxiosLike(err: unknown): err is AxiosLike {
  return typeof err === "object" && err !== null && (err as AxiosLike).isAxiosError === true;
}

function safeUrl(url?: string, base?: string): string {
  try {
    const u = new URL(url ?? "", base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(url)";
  }
}
