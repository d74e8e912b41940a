/**
 * A MatomoOptionStore kept in a real MariaDB/MySQL `<prefix>option` table, with Matomo's own
 * schema and write statement, so that what the emulator's privacy setters write can be read back
 * through the database exactly as on a self-hosted Matomo. It knows nothing of Exempt's observer.
 */
import { createPool, escapeId, type Pool, type PoolOptions, type RowDataPacket } from "mysql2/promise";
import { compareOptionNames, type MatomoOptionRow, type MatomoOptionStore } from "./options";

export interface MariaDbOptionStoreOptions {
  /** `mysql://user:password@host:port/database`, or mysql2 connection options. */
  connection: string | PoolOptions;
  /** Matomo's table prefix. @default "matomo_" */
  tablePrefix?: string;
  /** Create the table (Matomo's schema) when it does not exist. @default false */
  createTable?: boolean;
}

const TABLE_PREFIX = /^[A-Za-z0-9_]*$/;

export function optionTableName(tablePrefix = "matomo_"): string {
  if (!TABLE_PREFIX.test(tablePrefix)) throw new Error(`table prefix ${JSON.stringify(tablePrefix)}: expected letters, digits and '_'`);
  return `${tablePrefix}option`;
}

/** Matomo 5's `option` table (core/Db/Schema/Mysql.php), utf8mb4 and its default case-insensitive collation. */
export function optionTableDdl(tablePrefix = "matomo_"): string {
  return `CREATE TABLE IF NOT EXISTS ${escapeId(optionTableName(tablePrefix))} (
  option_name VARCHAR(191) NOT NULL,
  option_value LONGTEXT NOT NULL,
  autoload TINYINT NOT NULL DEFAULT '1',
  PRIMARY KEY (option_name),
  INDEX autoload (autoload)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

export class MariaDbOptionStore implements MatomoOptionStore {
  private readonly table: string;

  private constructor(
    private readonly pool: Pool,
    tablePrefix: string,
  ) {
    this.table = escapeId(optionTableName(tablePrefix));
  }

  static async open(options: MariaDbOptionStoreOptions): Promise<MariaDbOptionStore> {
    const tablePrefix = options.tablePrefix ?? "matomo_";
    optionTableName(tablePrefix);
    const base: PoolOptions = typeof options.connection === "string" ? { uri: options.connection } : options.connection;
    // A few connections: the emulator answers concurrent requests; one statement each, no multi-statements.
    const pool = createPool({ connectTimeout: 5_000, ...base, connectionLimit: 4, multipleStatements: false });
    const store = new MariaDbOptionStore(pool, tablePrefix);
    try {
      if (options.createTable) await pool.query(optionTableDdl(tablePrefix));
      // Fail at start, not on the first API call, when the server or the table is not there.
      await pool.query(`SELECT 1 FROM ${store.table} LIMIT 1`);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  async get(name: string): Promise<string | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT option_value FROM ${this.table} WHERE option_name = ?`, [name]);
    return rows.length ? text(rows[0].option_value) : undefined;
  }

  /** Matomo's Option::set: one upsert, the autoload flag only set when the row is created. */
  async set(name: string, value: string, autoload: number): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.table} (option_name, option_value, autoload) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE option_value = ?`, [name, value, autoload, value]);
  }

  async all(): Promise<MatomoOptionRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT option_name, option_value, autoload FROM ${this.table}`);
    return rows
      .map((r) => ({ option_name: text(r.option_name), option_value: text(r.option_value), autoload: Number(r.autoload) }))
      .sort((a, b) => compareOptionNames(a.option_name, b.option_name));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function text(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString("utf8") : String(v);
}
