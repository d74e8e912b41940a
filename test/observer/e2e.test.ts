import { MariaDbOptionStore } from "../../emulators/matomo/mariadb-option-store";
import { RunReportSchema } from "../../engine/report-schema";
import { runExempt } from "../support/cli";
import { describeWithMariaDb } from "../support/mariadb";
import { rawMatomo, startTestMatomo, type TestMatomo } from "../support/matomo";
import { tempDir, writeFile } from "../support/tmp";

/**
 * As against a self-hosted Matomo: the emulator keeps its privacy options in a real MariaDB table,
 * `exempt apply` writes them through the HTTP API, and the observer reads them back from the database.
 */

describeWithMariaDb("exempt with a database observer, end to end", (db) => {
  let matomo: TestMatomo;
  let store: MariaDbOptionStore;
  let dir: string;
  let tablePrefix: string;
  let tables = 0;

  const yaml = (observer: boolean, sites = true) => `instances:
  stats:
    kind: matomo
    url: \${MATOMO_URL}
    auth: { tokenEnv: MATOMO_TOKEN, passwordEnv: MATOMO_PASSWORD }
${
  observer
    ? `    observer:
      database:
        host: 127.0.0.1
        port: ${db().port}
        database: ${db().database}
        userEnv: MATOMO_DB_USER
        passwordEnv: MATOMO_DB_PASSWORD
        tablePrefix: ${tablePrefix}
`
    : ""
}${
  sites
    ? `    sites:
      www:
        name: Portail
        urls: [https://www.example.gouv.fr]
`
    : ""
}`;
  const env = (dbPassword = db().readOnly.password) => ({ ...matomo.env, MATOMO_DB_USER: db().readOnly.user, MATOMO_DB_PASSWORD: dbPassword, EXEMPT_LOCK_DIR: dir });
  const exempt = async (command: string, options: { observer?: boolean; sites?: boolean; dbPassword?: string } = {}) => {
    const config = writeFile(dir, "exempt.yaml", yaml(options.observer ?? true, options.sites ?? true));
    const r = await runExempt([command, "--config", config, "--format", "json"], { env: env(options.dbPassword) });
    return { ...r, report: RunReportSchema.parse(JSON.parse(r.stdout)) };
  };
  const setOption = (name: string, value: string) => db().sql(`UPDATE matomo.${tablePrefix}option SET option_value = ? WHERE option_name = ?`, [value, name]);

  beforeEach(async () => {
    tablePrefix = `e${++tables}_`;
    // The emulator writes as the read-write user, the observer reads as the SELECT-only one.
    store = await MariaDbOptionStore.open({ connection: db().url(db().readWrite), tablePrefix, createTable: true });
    matomo = await startTestMatomo({ optionStore: store });
    dir = tempDir();
  });
  afterEach(async () => {
    await matomo.close();
    await store.close();
  });

  test("the emulator's option rows live in the MariaDB table, as Matomo's would", async () => {
    expect(await db().sql(`SELECT option_name, option_value, autoload FROM matomo.${tablePrefix}option`)).toEqual([{ option_name: "PrivacyManager.ipAnonymizerEnabled", option_value: "1", autoload: 0 }]);
    expect((await exempt("apply")).code).toBe(0);
    const rows = await db().sql<Array<{ option_name: string; option_value: string }>>(`SELECT option_name, option_value FROM matomo.${tablePrefix}option ORDER BY option_name`);
    expect(Object.fromEntries(rows.map((r) => [r.option_name, r.option_value]))).toEqual(await matomo.emulator.privacyOptions());
    expect(await matomo.emulator.privacyOptions()).toMatchObject({ "PrivacyManager.ipAddressMaskLength": "2", "PrivacyManager.doNotTrackEnabled": "1", delete_logs_older_than: "750" });
  });

  test("after apply, drift observes every privacy setting in the database: nothing left 'not observable', no drift", async () => {
    expect((await exempt("apply")).code).toBe(0);
    const { code, report } = await exempt("drift");
    expect(report.instances[0].error).toBeUndefined();
    expect(code).toBe(0);
    expect(report.instances[0].reassert).toEqual([]);
    expect(report.summary.notObservable).toBe(0);
    const mask = report.instances[0].findings.find((f) => f.ruleId === "CNIL-IP-MASK-2B" && f.side === "live");
    expect(mask).toMatchObject({ status: "pass", evidence: "database", found: 2 });
  });

  test("a mask changed directly in the database is drift (exit 2) with database evidence, and apply repairs it", async () => {
    expect((await exempt("apply")).code).toBe(0);
    await setOption("PrivacyManager.ipAddressMaskLength", "1");

    const drift = await exempt("drift");
    expect(drift.code).toBe(2);
    const stats = drift.report.instances[0];
    expect(stats.instanceChanges).toEqual([{ area: "instance", field: "privacy.ipMaskBytes", live: 1, desired: 2 }]);
    expect(stats.findings.find((f) => f.ruleId === "CNIL-IP-MASK-2B" && f.side === "live")).toMatchObject({ status: "fail", evidence: "database", found: 1 });

    const apply = await exempt("apply");
    expect([apply.code, apply.report.instances[0].error]).toEqual([0, undefined]);
    expect(await matomo.emulator.privacyOptions()).toMatchObject({ "PrivacyManager.ipAddressMaskLength": "2" });
    expect((await exempt("drift")).code).toBe(0);
  });

  test("without an observer the same change stays 'not observable', never 'in sync'", async () => {
    expect((await exempt("apply")).code).toBe(0);
    await setOption("PrivacyManager.ipAddressMaskLength", "1");
    const { report } = await exempt("drift", { observer: false });
    const stats = report.instances[0];
    expect(stats.instanceChanges).toEqual([]);
    expect(stats.reassert).toContainEqual(expect.objectContaining({ field: "privacy.ipMaskBytes", desired: 2, enforced: true }));
    expect(stats.findings.find((f) => f.ruleId === "CNIL-IP-MASK-2B" && f.side === "live")).toMatchObject({ status: "not-observable", enforcedOnApply: true });
  });

  test("settings written through Matomo's API by hand are read back from the database; one changed there is drift (exit 2) with database evidence", async () => {
    const api = (method: string, params: Record<string, string> = {}) => rawMatomo(matomo.url, method, { token_auth: matomo.token, ...params });
    expect(await api("PrivacyManager.setAnonymizeIpSettings", { anonymizeIPEnable: "1", maskLength: "2", useAnonymizedIpForVisitEnrichment: "1", anonymizeUserId: "1", anonymizeOrderId: "1", anonymizeReferrer: "exclude_all", forceCookielessTracking: "0" })).toEqual({ value: true });
    expect(await api("PrivacyManager.activateDoNotTrack")).toEqual({ value: true });
    expect(await api("PrivacyManager.setDeleteLogsSettings", { enableDeleteLogs: "1", deleteLogsOlderThan: "750", passwordConfirmation: matomo.password })).toEqual({ value: true });
    // Through the store, the emulator wrote Matomo's rows into the table the observer reads.
    const rows = await db().sql<Array<{ option_name: string; option_value: string; autoload: number }>>(`SELECT option_name, option_value, autoload FROM matomo.${tablePrefix}option`);
    expect(rows).toHaveLength(10);
    expect(Object.fromEntries(rows.map((r) => [r.option_name, r.option_value]))).toEqual(await matomo.emulator.privacyOptions());

    const inSync = await exempt("drift", { sites: false });
    expect([inSync.code, inSync.report.instances[0].error]).toEqual([0, undefined]);
    expect(inSync.report.instances[0].reassert).toEqual([]);

    await setOption("PrivacyManager.ipAddressMaskLength", "1");
    await setOption("delete_logs_older_than", "758");
    const drift = await exempt("drift", { sites: false });
    expect(drift.code).toBe(2);
    const stats = drift.report.instances[0];
    expect(stats.instanceChanges).toEqual([
      { area: "instance", field: "privacy.ipMaskBytes", live: 1, desired: 2 },
      { area: "instance", field: "privacy.rawDataRetentionMonths", live: 25.26, desired: 25 },
    ]);
    expect(stats.notes).toContain("delete_logs_older_than is 758 days, not a whole number of 30-day months: reported as 25.26 months");
    const live = (id: string) => stats.findings.find((f) => f.ruleId === id && f.side === "live");
    expect(live("CNIL-IP-MASK-2B")).toMatchObject({ status: "fail", evidence: "database", found: 1 });
    expect(live("CNIL-RETENTION-25M")).toMatchObject({ status: "pass", evidence: "database" });
    const text = await runExempt(["drift", "--config", `${dir}/exempt.yaml`], { env: env() });
    expect(text.stdout).toMatch(/ipMaskBytes: 1 -> 2/);
  });

  test("an observer that cannot log in fails drift (exit 1) with a clear message, and the password appears nowhere", async () => {
    const wrong = "wrong-db-password-4242";
    const r = await exempt("drift", { dbPassword: wrong });
    expect(r.code).toBe(1);
    expect(r.report.instances[0].error).toMatch(/^Matomo instance 'stats': the database observer could not read mariadb 127\.0\.0\.1:\d+\/matomo: access denied for user "exempt_ro"/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    const text = await runExempt(["drift", "--config", `${dir}/exempt.yaml`], { env: env(wrong) });
    expect(text.stdout + text.stderr).toContain("access denied");
    expect(text.stdout + text.stderr).not.toContain(wrong);
  });

  test("apply goes on when the observer fails: the privacy settings are written unobserved, and the report says why", async () => {
    const wrong = "wrong-db-password-4242";
    const r = await exempt("apply", { dbPassword: wrong });
    expect([r.code, r.report.instances[0].error]).toEqual([0, undefined]);
    expect(r.report.instances[0].notes).toContainEqual(expect.stringMatching(/^privacy settings not observed: Matomo instance 'stats': the database observer could not read .*access denied/));
    expect(r.report.instances[0].reassert.map((x) => x.field)).toContain("privacy.ipMaskBytes");
    expect(await matomo.emulator.privacyOptions()).toMatchObject({ "PrivacyManager.anonymizeReferrer": "exclude_all" });
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });
});
