/**
 * A private MariaDB server for one test file: its own datadir, port and socket, real users and
 * grants (a read-only observer user, a read-write user for the emulator's option store), removed
 * afterwards. Missing binaries fail the tests in CI and skip them, with the reason, elsewhere.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createConnection, escape, escapeId, type Connection, type RowDataPacket } from "mysql2/promise";
import { optionTableDdl, optionTableName } from "../../emulators/matomo/mariadb-option-store";

export const DATABASE = "matomo";

export interface MariaDbUser {
  user: string;
  password: string;
}

export interface TestMariaDb {
  host: string;
  port: number;
  socketPath: string;
  database: string;
  /** SELECT on the database, nothing else: what the observer is meant to run as. */
  readOnly: MariaDbUser;
  /** What the emulator's option store writes with. */
  readWrite: MariaDbUser;
  /** How long install + start took. */
  startupMs: number;
  /** A statement as root (over the socket). */
  sql<T = RowDataPacket[]>(statement: string, params?: unknown[]): Promise<T>;
  /** A fresh, empty `<prefix>option` table with Matomo's schema. */
  createOptionTable(prefix: string, rows?: Record<string, string>): Promise<void>;
  /** A user with exactly these grants (each `<privileges> ON <target>`). */
  createUser(grants: string[]): Promise<MariaDbUser>;
  /** The statements a user ran, from the general query log, oldest first. */
  statementsOf(user: string): Promise<Array<{ command: string; argument: string }>>;
  url(user: MariaDbUser): string;
  stop(): Promise<void>;
}

const SEARCH_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"];

/** EXEMPT_MARIADB_BINDIR, when set, is the only place looked in (a MariaDB unpacked elsewhere). */
function which(name: string): string | undefined {
  const dirs = process.env.EXEMPT_MARIADB_BINDIR ? [process.env.EXEMPT_MARIADB_BINDIR] : [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function findMariaDb(): { mariadbd: string; installDb: string } | { missing: string } {
  const mariadbd = which("mariadbd");
  if (!mariadbd) return { missing: "mariadbd" };
  const installDb = which("mariadb-install-db");
  if (!installDb) return { missing: "mariadb-install-db" };
  return { mariadbd, installDb };
}

function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

/**
 * `describe` with one MariaDB server started before the file's tests and stopped after them.
 * Without MariaDB: one failing test in CI, a skipped block and a warning elsewhere.
 */
export function describeWithMariaDb(title: string, body: (db: () => TestMariaDb) => void): void {
  const found = findMariaDb();
  if ("missing" in found) {
    const reason = `${found.missing} is not installed: install Debian's mariadb-server (apt-get install mariadb-server), as .ci/run does`;
    if (inCi()) {
      describe(title, () => {
        test("needs a MariaDB server", () => {
          throw new Error(reason);
        });
      });
    } else {
      console.warn(`skipping "${title}": ${reason}`);
      // Jest drops the console output of a file whose tests are all skipped when it runs several files.
      process.stderr.write(`\nskipping "${title}": ${reason}\n`);
      describe.skip(title, () => body(() => undefined as never));
    }
    return;
  }
  describe(title, () => {
    let db: TestMariaDb | undefined;
    beforeAll(async () => {
      db = await startTestMariaDb(found);
    }, 60_000);
    afterAll(async () => {
      await db?.stop();
    }, 30_000);
    body(() => {
      if (!db) throw new Error("the MariaDB server did not start");
      return db;
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[], logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, "a");
    const child = spawn(file, args, { stdio: ["ignore", out, out] });
    child.on("error", reject);
    child.on("close", (code) => {
      fs.closeSync(out);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(file)} exited with ${code}:\n${tail(logFile)}`));
    });
  });
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

const secret = () => randomBytes(12).toString("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Small InnoDB files: the install writes less and the server starts in a fraction of a second.
const SMALL = ["--innodb-buffer-pool-size=16M", "--innodb-log-file-size=4M", "--skip-log-bin"];

export async function startTestMariaDb(binaries: { mariadbd: string; installDb: string }): Promise<TestMariaDb> {
  const started = Date.now();
  // Short: a Unix socket path must fit in 107 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exempt-mdb-"));
  const datadir = path.join(dir, "data");
  const socketPath = path.join(dir, "mysqld.sock");
  const errorLog = path.join(dir, "error.log");
  // MariaDB refuses to run as root unless told to.
  const asUser = process.getuid?.() === 0 ? ["--user=root"] : [];
  const rootPassword = secret();
  const readOnly = { user: "exempt_ro", password: secret() };
  const readWrite = { user: "exempt_rw", password: secret() };
  let child: ChildProcess | undefined;
  let admin: Connection | undefined;
  const stopServer = async () => {
    await admin?.end().catch(() => admin?.destroy());
    admin = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child?.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener("exit", killOnExit);
  };
  const killOnExit = () => child?.kill("SIGKILL");
  process.on("exit", killOnExit);

  try {
    await run(binaries.installDb, ["--no-defaults", `--datadir=${datadir}`, "--auth-root-authentication-method=normal", "--skip-test-db", ...asUser, ...SMALL], path.join(dir, "install.log"));
    const init = path.join(dir, "init.sql");
    const user = (u: MariaDbUser) => `${escape(u.user)}@'%' IDENTIFIED BY ${escape(u.password)}`;
    fs.writeFileSync(
      init,
      [
        `ALTER USER 'root'@'localhost' IDENTIFIED BY ${escape(rootPassword)}`,
        // mariadb-install-db also makes password-less root accounts for TCP; only the socket one stays.
        `DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', 'root'@${escape(os.hostname())}`,
        `CREATE DATABASE ${escapeId(DATABASE)}`,
        `CREATE USER ${user(readOnly)}`,
        `GRANT SELECT ON ${escapeId(DATABASE)}.* TO ${escape(readOnly.user)}@'%'`,
        `CREATE USER ${user(readWrite)}`,
        `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON ${escapeId(DATABASE)}.* TO ${escape(readWrite.user)}@'%'`,
        `${optionTableDdl("matomo_").replace(/CREATE TABLE IF NOT EXISTS /, `CREATE TABLE ${escapeId(DATABASE)}.`)}`,
        "",
      ].join(";\n"),
    );
    // Mode 0600: the file holds passwords.
    fs.chmodSync(init, 0o600);

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      child = spawn(
        binaries.mariadbd,
        [
          "--no-defaults",
          `--datadir=${datadir}`,
          `--socket=${socketPath}`,
          `--port=${port}`,
          "--bind-address=127.0.0.1",
          `--pid-file=${path.join(dir, "mysqld.pid")}`,
          `--log-error=${errorLog}`,
          `--init-file=${init}`,
          "--skip-name-resolve",
          // Every statement lands in mysql.general_log: tests check what the observer ran.
          "--general-log=1",
          "--log-output=TABLE",
          ...asUser,
          ...SMALL,
        ],
        { stdio: "ignore" },
      );
      admin = await waitForServer(child, socketPath, rootPassword, errorLog);
      if (admin) break;
      if (attempt >= 3 || !/already in use/i.test(tail(errorLog, 50))) throw new Error(`mariadbd did not start:\n${tail(errorLog)}`);
    }
    const conn = admin!;

    const db: TestMariaDb = {
      host: "127.0.0.1",
      port,
      socketPath,
      database: DATABASE,
      readOnly,
      readWrite,
      startupMs: Date.now() - started,
      async sql<T>(statement: string, params?: unknown[]) {
        const [rows] = await conn.query(statement, params);
        return rows as T;
      },
      async createOptionTable(prefix, rows = {}) {
        const table = `${escapeId(DATABASE)}.${escapeId(optionTableName(prefix))}`;
        await conn.query(`DROP TABLE IF EXISTS ${table}`);
        await conn.query(optionTableDdl(prefix).replace(/CREATE TABLE IF NOT EXISTS \S+/, `CREATE TABLE ${table}`));
        for (const [name, value] of Object.entries(rows)) await conn.query(`INSERT INTO ${table} (option_name, option_value, autoload) VALUES (?, ?, 0)`, [name, value]);
      },
      async createUser(grants) {
        const u = { user: `exempt_${randomBytes(4).toString("hex")}`, password: secret() };
        await conn.query(`CREATE USER ${user(u)}`);
        for (const g of grants) await conn.query(`GRANT ${g} TO ${escape(u.user)}@'%'`);
        return u;
      },
      async statementsOf(name) {
        // Only a connection's Connect line names its user plainly: follow that connection's thread.
        // No ORDER BY: the log is a CSV table, scanned in the order it was written (timestamps can tie).
        const read = async () => {
          const [rows] = await conn.query<RowDataPacket[]>(
            "SELECT command_type, CONVERT(argument USING utf8mb4) AS argument FROM mysql.general_log WHERE thread_id IN (SELECT thread_id FROM mysql.general_log WHERE command_type = 'Connect' AND argument LIKE ?)",
            [`${name.replace(/[\\%_]/g, "\\$&")}@%`],
          );
          return rows.map((r) => ({ command: String(r.command_type), argument: String(r.argument) }));
        };
        // A client's COM_QUIT may reach the log just after the client has moved on.
        for (let i = 0; i < 40; i++) {
          const statements = await read();
          if (statements.at(-1)?.command === "Quit") return statements;
          await sleep(25);
        }
        return read();
      },
      url(u) {
        return `mysql://${encodeURIComponent(u.user)}:${encodeURIComponent(u.password)}@127.0.0.1:${port}/${DATABASE}`;
      },
      async stop() {
        await stopServer();
        if (!process.env.EXEMPT_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
      },
    };
    return db;
  } catch (err) {
    await stopServer();
    if (!process.env.EXEMPT_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Polls the socket until root can log in (the init file has run) or the server has exited. */
async function waitForServer(child: ChildProcess, socketPath: string, password: string, errorLog: string): Promise<Connection | undefined> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return undefined;
    if (fs.existsSync(socketPath)) {
      try {
        return await createConnection({ socketPath, user: "root", password, connectTimeout: 2_000 });
      } catch {
        // the init file may still be running
      }
    }
    await sleep(25);
  }
  child.kill("SIGKILL");
  throw new Error(`mariadbd did not accept connections within 30 s:\n${tail(errorLog)}`);
}
