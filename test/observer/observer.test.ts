import * as net from "node:net";
import { createConnection } from "mysql2/promise";
import { observeMatomoPrivacy, MatomoDbObserverError } from "../../backends/matomo-db";
import { withObservedPrivacy } from "../../engine/observe";
import type { LiveInstance } from "../../engine/types";
import { MatomoInstance, type MatomoDatabaseObserver } from "../../model/matomo";
import { describeWithMariaDb, type MariaDbUser } from "../support/mariadb";

/** The observer against a real MariaDB: what it reads, what it warns about, how it fails, and that it only reads. */
describeWithMariaDb("the Matomo database observer", (db) => {
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  beforeEach(() => (logs.length = 0));

  const instance = (observer: Partial<MatomoDatabaseObserver> = {}, timeoutMs?: number) =>
    MatomoInstance.parse({
      kind: "matomo",
      url: "https://matomo.example.org",
      auth: { tokenEnv: "MATOMO_TOKEN" },
      client: timeoutMs ? { timeoutMs } : undefined,
      observer: { database: { host: "127.0.0.1", port: db().port, database: db().database, userEnv: "DB_USER", passwordEnv: "DB_PASSWORD", ...observer } },
    });
  const envFor = (u: MariaDbUser) => ({ DB_USER: u.user, DB_PASSWORD: u.password });
  const observe = (observer: Partial<MatomoDatabaseObserver> = {}, user: MariaDbUser = db().readOnly, timeoutMs?: number) => observeMatomoPrivacy("stats", instance(observer, timeoutMs), { env: envFor(user), log });
  const failure = async (promise: Promise<unknown>): Promise<MatomoDbObserverError> => {
    const err = await promise.then(
      () => undefined,
      (e) => e,
    );
    expect(err).toBeInstanceOf(MatomoDbObserverError);
    return err;
  };

  let prefixes = 0;
  /** A fresh option table under its own prefix: tests do not share rows. */
  const table = async (rows: Record<string, string>) => {
    const prefix = `t${++prefixes}_`;
    await db().createOptionTable(prefix, rows);
    return prefix;
  };

  test("every option row maps to its model field, read as the SELECT-only user, without warnings", async () => {
    const tablePrefix = await table({
      "PrivacyManager.ipAnonymizerEnabled": "1",
      "PrivacyManager.ipAddressMaskLength": "3",
      "PrivacyManager.useAnonymizedIpForVisitEnrichment": "1",
      "PrivacyManager.anonymizeUserId": "1",
      "PrivacyManager.anonymizeOrderId": "0",
      "PrivacyManager.anonymizeReferrer": "exclude_path",
      "PrivacyManager.forceCookielessTracking": "1",
      "PrivacyManager.doNotTrackEnabled": "1",
      delete_logs_enable: "1",
      delete_logs_older_than: "390",
      // Rows the observer does not ask for stay unread.
      delete_reports_enable: "1",
    });
    const r = await observe({ tablePrefix });
    expect(r).toEqual({
      values: { ipMaskBytes: 3, useMaskedIpForEnrichment: true, referrer: "exclude_path", rawDataRetentionMonths: 13, anonymizeUserId: true, anonymizeOrderId: false, forceCookielessTracking: true, doNotTrack: true },
      unreadable: {},
      notes: [],
    });
    expect(logs).toEqual([`observing privacy settings in mariadb 127.0.0.1:${db().port}/matomo, table ${tablePrefix}option, as ${db().readOnly.user}`]);
  });

  test("the table prefix may be empty, and a Unix socket works as well as host:port", async () => {
    await db().createOptionTable("", { "PrivacyManager.ipAnonymizerEnabled": "0" });
    const r = await observe({ tablePrefix: "", socketPath: db().socketPath, host: "does-not-matter.invalid" });
    expect(r.values.ipMaskBytes).toBe(0);
  });

  test("deletion off is unlimited; a day count off the 30-day grid is reported so that it differs from the declaration", async () => {
    expect((await observe({ tablePrefix: await table({ delete_logs_enable: "0", delete_logs_older_than: "180" }) })).values.rawDataRetentionMonths).toBe("unlimited");
    const r = await observe({ tablePrefix: await table({ delete_logs_enable: "1", delete_logs_older_than: "758" }) });
    expect(r.values.rawDataRetentionMonths).toBe(25.26);
    expect(r.notes).toContain("delete_logs_older_than is 758 days, not a whole number of 30-day months: reported as 25.26 months");
  });

  test("absent rows read as Matomo 5's defaults where Matomo has them in code, unreadable where config.ini.php or the version decides", async () => {
    const r = await observe({ tablePrefix: await table({ "PrivacyManager.ipAnonymizerEnabled": "1" }) });
    expect(r.values).toEqual({ ipMaskBytes: 2, useMaskedIpForEnrichment: false, referrer: "keep", anonymizeUserId: false, anonymizeOrderId: false, forceCookielessTracking: false });
    expect(Object.keys(r.unreadable).sort()).toEqual(["doNotTrack", "rawDataRetentionMonths"]);
    const withVersion = await observe({ tablePrefix: await table({ version_core: "5.1.2" }) });
    expect(withVersion.values.doNotTrack).toBe(false);
  });

  test("unexpected values make their field unreadable with a note naming option and value; the other fields are still read", async () => {
    const tablePrefix = await table({ "PrivacyManager.ipAddressMaskLength": "abc", "PrivacyManager.anonymizeReferrer": "exclude_everything", "PrivacyManager.doNotTrackEnabled": "1" });
    const r = await observe({ tablePrefix });
    expect(r.unreadable).toMatchObject({
      ipMaskBytes: expect.stringContaining('PrivacyManager.ipAddressMaskLength is "abc", not a number of bytes'),
      referrer: expect.stringContaining('PrivacyManager.anonymizeReferrer is "exclude_everything", which Matomo does not know'),
    });
    expect(r.values).toMatchObject({ doNotTrack: true, anonymizeUserId: false });
  });

  test("a user that can write gets a warning, never a failure", async () => {
    const tablePrefix = await table({ "PrivacyManager.doNotTrackEnabled": "1" });
    const rw = await observe({ tablePrefix }, db().readWrite);
    expect(rw.values.doNotTrack).toBe(true);
    expect(rw.notes).toContain("the observer's user can write to matomo (INSERT, UPDATE, DELETE, CREATE on `matomo`.*): grant SELECT only");
    const everywhere = await db().createUser(["SELECT, UPDATE ON *.*"]);
    expect((await observe({ tablePrefix }, everywhere)).notes).toContain("the observer's user can write to matomo (UPDATE on *.*): grant SELECT only");
    const tableOnly = await db().createUser([`SELECT ON matomo.${tablePrefix}option`, `SELECT, UPDATE (option_value) ON matomo.${tablePrefix}option`]);
    expect((await observe({ tablePrefix }, tableOnly)).notes).toContain(`the observer's user can write to matomo (UPDATE on \`matomo\`.\`${tablePrefix}option\`): grant SELECT only`);
    expect((await observe({ tablePrefix })).notes.filter((n) => n.includes("can write"))).toEqual([]);
  });

  test("it only ever runs SHOW GRANTS and one SELECT on the option table, even as a user that could write", async () => {
    const tablePrefix = await table({ "PrivacyManager.doNotTrackEnabled": "0" });
    for (const user of [await db().createUser(["SELECT ON matomo.*"]), await db().createUser(["ALL PRIVILEGES ON matomo.*"])]) {
      await observe({ tablePrefix }, user);
      const statements = await db().statementsOf(user.user);
      expect(statements.map((s) => s.command)).toEqual(["Connect", "Query", "Query", "Quit"]);
      expect(statements[1].argument).toBe("SHOW GRANTS FOR CURRENT_USER()");
      expect(statements[2].argument).toMatch(new RegExp(`^SELECT option_name, option_value, autoload FROM \`${tablePrefix}option\` WHERE option_name IN \\('PrivacyManager\\.ipAnonymizerEnabled', .*'version_core'\\)$`));
    }
    // And the user the observer is meant to run as really cannot write.
    const ro = await createConnection({ host: "127.0.0.1", port: db().port, user: db().readOnly.user, password: db().readOnly.password, database: "matomo" });
    try {
      await expect(ro.query(`UPDATE \`${tablePrefix}option\` SET option_value = '1'`)).rejects.toMatchObject({ code: "ER_TABLEACCESS_DENIED_ERROR" });
    } finally {
      await ro.end();
    }
    expect(await db().sql("SHOW GRANTS FOR 'exempt_ro'@'%'")).toEqual([
      { "Grants for exempt_ro@%": expect.stringMatching(/^GRANT USAGE ON \*\.\* TO `exempt_ro`@`%`/) },
      { "Grants for exempt_ro@%": "GRANT SELECT ON `matomo`.* TO `exempt_ro`@`%`" },
    ]);
  });

  describe("failures name the instance, where, and the cause, never the password", () => {
    const noPassword = (err: Error, password: string) => {
      expect(err.message).not.toContain(password);
      expect(logs.join("\n")).not.toContain(password);
    };

    test("connection refused", async () => {
      const closed = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
          const { port } = s.address() as net.AddressInfo;
          s.close(() => resolve(port));
        });
      });
      const err = await failure(observe({ port: closed }));
      expect(err.message).toBe(`Matomo instance 'stats': the database observer could not read mariadb 127.0.0.1:${closed}/matomo: connection refused (is MariaDB/MySQL listening there?)`);
      expect(err.kind).toBe("unreachable");
    });

    test("wrong password", async () => {
      const wrong = { user: db().readOnly.user, password: "not-the-password-123" };
      const err = await failure(observe({}, wrong));
      expect(err.kind).toBe("access-denied");
      expect(err.message).toMatch(new RegExp(`^Matomo instance 'stats': the database observer could not read mariadb 127\\.0\\.0\\.1:${db().port}/matomo: access denied for user "exempt_ro": check the user \\(DB_USER\\) and password \\(DB_PASSWORD\\) \\(the server said: Access denied for user 'exempt_ro'@'127\\.0\\.0\\.1' \\(using password: YES\\)\\)$`));
      noPassword(err, wrong.password);
    });

    test("missing table (a wrong prefix)", async () => {
      const err = await failure(observe({ tablePrefix: "piwik_" }));
      expect(err.kind).toBe("no-table");
      expect(err.message).toContain(`127.0.0.1:${db().port}/matomo: there is no table piwik_option in matomo: is this Matomo's database, and is observer.database.tablePrefix its table prefix?`);
      noPassword(err, db().readOnly.password);
    });

    test("unknown database, and a database the user may not see", async () => {
      const anyDb = await db().createUser(["SELECT ON *.*"]);
      const unknown = await failure(observe({ database: "nosuchdb" }, anyDb));
      expect(unknown.message).toContain(`127.0.0.1:${db().port}/nosuchdb: there is no database "nosuchdb" (observer.database.database)`);
      const hidden = await failure(observe({ database: "mysql" }));
      expect(hidden.kind).toBe("access-denied");
      expect(hidden.message).toContain(`user "exempt_ro" has no access to database "mysql": GRANT SELECT ON \`mysql\`.* to it`);
    });

    test("a table the user may not read", async () => {
      const other = await db().createUser([`SELECT ON matomo.t1_option`]);
      const err = await failure(observe({ tablePrefix: "matomo_" }, other));
      expect(err.kind).toBe("access-denied");
      expect(err.message).toContain(`may not read matomo_option: GRANT SELECT ON \`matomo\`.* to it`);
    });

    test("unknown host", async () => {
      const err = await failure(observe({ host: "no-such-host.invalid" }));
      expect(err.message).toContain(`mariadb no-such-host.invalid:${db().port}/matomo: unknown host "no-such-host.invalid"`);
    });

    test("a server that accepts the connection and never answers: the connect timeout", async () => {
      const silent = net.createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
      const { port } = silent.address() as net.AddressInfo;
      try {
        const started = Date.now();
        const err = await failure(observe({ port }, db().readOnly, 300));
        expect(err.message).toContain(`127.0.0.1:${port}/matomo: no answer to the connection within 300 ms`);
        expect(Date.now() - started).toBeLessThan(3_000);
      } finally {
        silent.close();
      }
    });

    test("credentials come from the environment; a missing variable is named", async () => {
      const noUser = await failure(observeMatomoPrivacy("stats", instance(), { env: { DB_PASSWORD: "x-password" }, log }));
      expect(noUser.message).toContain("environment variable DB_USER is not set (it should hold the name of a database user with SELECT on matomo)");
      const noPassword = await failure(observeMatomoPrivacy("stats", instance(), { env: { DB_USER: "exempt_ro" }, log }));
      expect(noPassword.message).toContain("environment variable DB_PASSWORD is not set");
    });
  });

  test("through the engine's hook, what it read replaces 'not observable' with database evidence", async () => {
    const tablePrefix = await table({ "PrivacyManager.ipAddressMaskLength": "1", "PrivacyManager.anonymizeReferrer": "bogus" });
    const live: LiveInstance = {
      product: "matomo",
      version: "5.1.2",
      privacy: {},
      privacyUnknown: { ipMaskBytes: { why: "not-observable", enforcedOnApply: true, note: "no getter" }, referrer: { why: "not-observable", enforcedOnApply: true, note: "no getter" } },
      privacyEvidence: {},
      globals: {},
      sites: [],
      principals: [],
      notes: [],
      readAt: new Date().toISOString(),
    };
    const merged = await withObservedPrivacy("stats", instance({ tablePrefix }), live, { env: envFor(db().readOnly), log });
    expect(merged.privacy.ipMaskBytes).toBe(1);
    expect(merged.privacyEvidence.ipMaskBytes).toBe("database");
    expect(merged.privacyUnknown.ipMaskBytes).toBeUndefined();
    expect(merged.privacyUnknown.referrer).toMatchObject({ why: "not-observable", enforcedOnApply: true, note: expect.stringContaining('"bogus"') });
  });
});
