/**
 * Why the observer could not read the option table, in words an operator can act on: the instance,
 * where it connected, and the cause. Passwords never appear (every text goes through redactSecrets).
 */
import { redactSecrets } from "../../model/secrets";

export type ObserverFailureKind = "configuration" | "unreachable" | "timeout" | "access-denied" | "no-database" | "no-table" | "query";

export class MatomoDbObserverError extends Error {
  constructor(
    readonly instanceId: string,
    readonly endpoint: string,
    readonly kind: ObserverFailureKind,
    cause: string,
  ) {
    super(redactSecrets(`Matomo instance '${instanceId}': the database observer could not read ${endpoint}: ${cause}`));
    this.name = "MatomoDbObserverError";
  }
}

interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
  sqlMessage?: string;
}

export interface FailureContext {
  user: string;
  userEnv: string;
  passwordEnv: string;
  database: string;
  table: string;
  host: string;
  socketPath?: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

/** mysql2's (and the server's) error codes, sorted into what the operator should fix. */
export function classify(err: unknown, c: FailureContext): { kind: ObserverFailureKind; cause: string } {
  const e = (err ?? {}) as DriverError;
  const server = e.sqlMessage ?? e.message ?? String(err);
  switch (e.code) {
    case "ECONNREFUSED":
      return { kind: "unreachable", cause: "connection refused (is MariaDB/MySQL listening there?)" };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { kind: "unreachable", cause: `unknown host ${JSON.stringify(c.host)}` };
    case "ENOENT":
      return { kind: "unreachable", cause: `no socket at ${c.socketPath ?? "(none)"}` };
    case "EACCES":
      return { kind: "unreachable", cause: `permission denied on the socket ${c.socketPath ?? ""}`.trim() };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ECONNRESET":
    case "EPIPE":
      return { kind: "unreachable", cause: `${e.code}: ${server}` };
    case "ETIMEDOUT":
      return { kind: "timeout", cause: `no answer to the connection within ${c.connectTimeoutMs} ms` };
    case "PROTOCOL_SEQUENCE_TIMEOUT":
      return { kind: "timeout", cause: `no answer to the query within ${c.queryTimeoutMs} ms` };
    case "ER_ACCESS_DENIED_ERROR":
    case "ER_ACCESS_DENIED_NO_PASSWORD_ERROR":
      return { kind: "access-denied", cause: `access denied for user ${JSON.stringify(c.user)}: check the user (${c.userEnv}) and password (${c.passwordEnv}) (the server said: ${server})` };
    case "ER_DBACCESS_DENIED_ERROR":
      return { kind: "access-denied", cause: `user ${JSON.stringify(c.user)} has no access to database ${JSON.stringify(c.database)}: GRANT SELECT ON \`${c.database}\`.* to it (the server said: ${server})` };
    case "ER_TABLEACCESS_DENIED_ERROR":
      return { kind: "access-denied", cause: `user ${JSON.stringify(c.user)} may not read ${c.table}: GRANT SELECT ON \`${c.database}\`.* to it (the server said: ${server})` };
    case "ER_BAD_DB_ERROR":
      return { kind: "no-database", cause: `there is no database ${JSON.stringify(c.database)} (observer.database.database)` };
    case "ER_NO_SUCH_TABLE":
      return { kind: "no-table", cause: `there is no table ${c.table} in ${c.database}: is this Matomo's database, and is observer.database.tablePrefix its table prefix?` };
    default:
      return { kind: "query", cause: e.code ? `${e.code}: ${server}` : server };
  }
}
