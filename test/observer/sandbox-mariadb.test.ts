import { describeWithMariaDb } from "../support/mariadb";
import { startSandboxProcess, callApi } from "../support/sandbox-process";

/** `exempt sandbox --mariadb-url-env`: the sandbox's privacy options land in a real MariaDB table. */
describeWithMariaDb("the Matomo sandbox with a MariaDB option store", (db) => {
  it("writes the privacy options a setter changes into the database table", async () => {
    const url = db().url(db().readWrite);
    const sandbox = await startSandboxProcess({ kind: "matomo", args: ["--token", "SANDBOXTOKEN", "--mariadb-url-env", "EXEMPT_SANDBOX_DB", "--mariadb-table-prefix", "sbx_"], env: { EXEMPT_SANDBOX_DB: url } });
    try {
      expect(sandbox.stdout().trim().split("\n")).toEqual([sandbox.url]);
      await callApi(sandbox.url, "PrivacyManager.setAnonymizeIpSettings", { token_auth: "SANDBOXTOKEN", anonymizeIPEnable: "1", maskLength: "3", useAnonymizedIpForVisitEnrichment: "1" });
      const rows = await db().sql<Array<{ option_value: string }>>("SELECT option_value FROM matomo.sbx_option WHERE option_name = 'PrivacyManager.ipAddressMaskLength'");
      expect(rows).toEqual([{ option_value: "3" }]);
      expect(sandbox.stdout() + sandbox.stderr()).not.toContain(db().readWrite.password);
    } finally {
      expect(await sandbox.stop()).toBe(0);
    }
  });
});
