/**
 * The database observer for Matomo's instance privacy settings, which its HTTP API cannot read.
 * One connection as the user named in `observer.database` (credentials from the environment only),
 * two statements: `SHOW GRANTS FOR CURRENT_USER()` and one SELECT on `<prefix>option`. It never
 * writes. See README.md in this folder for the mapping and the decisions behind it.
 */
import { createConnection, escapeId, type Connection, type RowDataPacket } from "mysql2/promise";
import type { Instance } from "../../model/config";
import { MissingSecretError, readSecret, redactSecrets } from "../../model/secrets";
import type { ObservedPrivacy, PrivacyObserver } from "../../engine/observe";
import { classify, MatomoDbObserverError, type FailureContext } from "./errors";
import { writeGrantsOn } from "./grants";
import { OBSERVED_OPTION_NAMES, privacyFromOptions, type OptionRow } from "./options";

export { MatomoDbObserverError } from "./errors";

/** A database that answers at all answers these in milliseconds; the API client's timeout is for slow HTTP. */
export const MAX_DB_TIMEOUT_MS = 10_000;

export const observeMatomoPrivacy: PrivacyObserver = async (instanceId, instance, { env, log }) => {
  const settings = observerOf(instance);
  const endpoint = `${settings.engine} ${settings.socketPath ? `socket ${settings.socketPath}` : `${settings.host}:${settings.port}`}/${settings.database}`;
  const table = `${settings.tablePrefix}option`;
  const user = env[settings.userEnv];
  if (!user) throw new MatomoDbObserverError(instanceId, endpoint, "configuration", `environment variable ${settings.userEnv} is not set (it should hold the name of a database user with SELECT on ${settings.database})`);
  let password: string;
  try {
    password = readSecret(env, settings.passwordEnv, "the password of the observer's database user");
  } catch (err) {
    if (err instanceof MissingSecretError) throw new MatomoDbObserverError(instanceId, endpoint, "configuration", err.message);
    throw err;
  }
  const timeoutMs = Math.min(instance.client.timeoutMs, MAX_DB_TIMEOUT_MS);
  const context: FailureContext = { user, userEnv: settings.userEnv, passwordEnv: settings.passwordEnv, database: settings.database, table, host: settings.host, socketPath: settings.socketPath, connectTimeoutMs: timeoutMs, queryTimeoutMs: timeoutMs };

  log(`observing privacy settings in ${endpoint}, table ${table}, as ${user}`);
  let conn: Connection | undefined;
  let clean = false;
  try {
    conn = await createConnection({
      ...(settings.socketPath ? { socketPath: settings.socketPath } : { host: settings.host, port: settings.port }),
      user,
      password,
      database: settings.database,
      connectTimeout: timeoutMs,
      multipleStatements: false,
    });
    const notes = await privilegeWarnings(conn, settings.database, timeoutMs);
    const [rows] = await conn.query<RowDataPacket[]>({ sql: `SELECT option_name, option_value, autoload FROM ${escapeId(table)} WHERE option_name IN (?)`, timeout: timeoutMs }, [OBSERVED_OPTION_NAMES]);
    const observed = privacyFromOptions(rows.map(toOptionRow));
    clean = true;
    return { ...observed, notes: [...notes, ...observed.notes] } satisfies ObservedPrivacy;
  } catch (err) {
    if (err instanceof MatomoDbObserverError) throw err;
    const { kind, cause } = classify(err, context);
    throw new MatomoDbObserverError(instanceId, endpoint, kind, cause);
  } finally {
    // After a failure (a timed-out query may still answer) the connection is cut, not reused.
    if (conn && clean) await close(conn, timeoutMs);
    else conn?.destroy();
  }
};

function observerOf(instance: Instance) {
  if (instance.kind !== "matomo" || !instance.observer) throw new Error("observeMatomoPrivacy: the instance declares no observer.database");
  return instance.observer.database;
}

/** A user that can write is a risk the operator should remove; it does not stop the reading. */
async function privilegeWarnings(conn: Connection, database: string, timeoutMs: number): Promise<string[]> {
  try {
    const [rows] = await conn.query<RowDataPacket[]>({ sql: "SHOW GRANTS FOR CURRENT_USER()", timeout: timeoutMs });
    const writes = writeGrantsOn(database, rows.map((r) => String(Object.values(r)[0] ?? "")));
    return writes.length ? [`the observer's user can write to ${database} (${writes.join("; ")}): grant SELECT only`] : [];
  } catch (err) {
    // A lost connection or a timeout would stop the SELECT too: report that instead.
    if ((err as { fatal?: boolean }).fatal || (err as { code?: string }).code === "PROTOCOL_SEQUENCE_TIMEOUT") throw err;
    return [redactSecrets(`the observer's privileges could not be checked (${(err as Error).message}): make sure its user has SELECT only`)];
  }
}

function toOptionRow(r: RowDataPacket): OptionRow {
  const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString("utf8") : String(v));
  return { option_name: text(r.option_name), option_value: text(r.option_value), autoload: Number(r.autoload) };
}

/** COM_QUIT, so the server logs a clean disconnect; a server that does not answer is cut off. */
async function close(conn: Connection, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([conn.end(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), timeoutMs)))]);
  } catch {
    conn.destroy();
  } finally {
    clearTimeout(timer);
  }
}
