import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { baseEnv, REPO, runExempt } from "../support/cli";
import { EXAMPLE_FLEET, rawMatomo, startTestMatomo, TestMatomo, writeCalls } from "../support/matomo";
import { tempDir, writeFile } from "../support/tmp";

/**
 * Nothing is lost: no configuration change, replacement, deploy, destroy or removed declaration
 * deletes a live site, container or access grant. Only an explicit, protected opt-in does:
 * `remove: true` + `deletionProtection: false` + `--prune` for a site, `access.revokeUndeclared`
 * + `--prune` for a grant. Containers are never deleted.
 */
const DESTRUCTIVE = /deleteSite|deleteContainer|deleteContainerTag|deleteContainerVariable|deleteContainerTrigger|deleteUser|removeCapabilities/;

describe("nothing is lost", () => {
  let matomo: TestMatomo;
  let dir: string;
  let config: string;
  const exempt = (...args: string[]) => runExempt([...args, "--config", config], { env: { ...matomo.env, EXEMPT_LOCK_DIR: dir } });
  const destructive = () => writeCalls(matomo.emulator).filter((c) => DESTRUCTIVE.test(c.method) || (c.method === "UsersManager.setUserAccess" && c.params.access === "noaccess" && c.params.userLogin !== "anonymous"));
  const siteIds = async () => (await rawMatomo(matomo.url, "SitesManager.getSitesIdWithAdminAccess", { token_auth: matomo.token })) as number[];

  beforeEach(async () => {
    matomo = await startTestMatomo();
    dir = tempDir();
    await rawMatomo(matomo.url, "UsersManager.addUser", { token_auth: matomo.token, userLogin: "alice", password: "a-long-password-1", email: "alice@example.gouv.fr" });
    config = writeFile(dir, "exempt.yaml", EXAMPLE_FLEET().replace("    sites:\n", "    access:\n      users:\n        alice: { role: view, sites: [www, boutique] }\n    sites:\n"));
    expect((await exempt("apply")).code).toBe(0);
    matomo.emulator.resetCalls();
  });
  afterEach(() => matomo.close());

  it("a site removed from the configuration stays live, with its containers and grants, even with --prune", async () => {
    const before = await siteIds();
    writeFile(dir, "exempt.yaml", fs.readFileSync(config, "utf8").replace(/      boutique:\n(        .*\n)+/, "").replace("[www, boutique]", "[www]"));
    const plan = await exempt("plan", "--format", "json");
    expect(JSON.parse(plan.stdout).instances[0].unmanaged.map((u: { name: string }) => u.name)).toContain("Boutique");
    expect((await exempt("apply", "--prune")).code).toBe(0);
    expect(await siteIds()).toEqual(before);
    expect(destructive()).toEqual([]);
  });

  it("a container removed from the configuration is never deleted", async () => {
    const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url: "https://demarches.example.gouv.fr" });
    const before = await rawMatomo(matomo.url, "TagManager.getContainers", { token_auth: matomo.token, idSite: String(ids[0].idsite) });
    writeFile(dir, "exempt.yaml", fs.readFileSync(config, "utf8").replace("        tagManager:\n          containers:\n            main: {}\n", ""));
    expect((await exempt("apply", "--prune")).code).toBe(0);
    expect(await rawMatomo(matomo.url, "TagManager.getContainers", { token_auth: matomo.token, idSite: String(ids[0].idsite) })).toHaveLength(before.length);
    expect(destructive()).toEqual([]);
  });

  it("a user removed from the configuration keeps their access, unless revokeUndeclared and --prune both say otherwise", async () => {
    const noAlice = fs.readFileSync(config, "utf8").replace("        alice: { role: view, sites: [www, boutique] }\n", "");
    writeFile(dir, "exempt.yaml", noAlice.replace("      users:\n", "      users: {}\n"));
    expect((await exempt("apply", "--prune")).code).toBe(0);
    writeFile(dir, "exempt.yaml", noAlice.replace("      users:\n", "      revokeUndeclared: true\n      users: {}\n"));
    expect((await exempt("apply")).code).toBe(0);
    expect(destructive()).toEqual([]);
    const access = await rawMatomo(matomo.url, "UsersManager.getSitesAccessFromUser", { token_auth: matomo.token, userLogin: "alice" });
    expect(access).toHaveLength(2);
    // The explicit opt-in does what it says.
    expect((await exempt("apply", "--prune")).code).toBe(0);
    expect(await rawMatomo(matomo.url, "UsersManager.getSitesAccessFromUser", { token_auth: matomo.token, userLogin: "alice" })).toEqual([]);
  });

  it("remove: true alone, or with --prune but deletion protection on, deletes nothing", async () => {
    const before = await siteIds();
    const original = fs.readFileSync(config, "utf8");
    writeFile(dir, "exempt.yaml", original.replace("        ecommerce: true\n", "        ecommerce: true\n        remove: true\n"));
    expect((await exempt("apply")).code).toBe(0);
    expect((await exempt("apply", "--prune")).code).toBe(0);
    writeFile(dir, "exempt.yaml", original.replace("        ecommerce: true\n", "        ecommerce: true\n        remove: true\n        deletionProtection: false\n"));
    expect((await exempt("apply")).code).toBe(0);
    expect(await siteIds()).toEqual(before);
    expect(destructive()).toEqual([]);
  });

  it("cdktf deploy after a site was removed from the configuration, then cdktf destroy, delete nothing", async () => {
    const work = path.join(REPO, "test-artifacts", `nothing-lost-${process.pid}`);
    fs.mkdirSync(work, { recursive: true });
    try {
      const before = await siteIds();
      writeFile(work, "exempt.yaml", fs.readFileSync(config, "utf8").replace(/      boutique:\n(        .*\n)+/, "").replace("[www, boutique]", "[www]"));
      const env = { ...baseEnv(), ...matomo.env, EXEMPT_CONFIG: path.join(work, "exempt.yaml"), EXEMPT_LOCK_DIR: dir, EXEMPT_PRUNE: "1" };
      for (const command of ["deploy", "destroy"]) {
        const code = await new Promise<number>((resolve) => {
          const child = spawn(path.join(REPO, "node_modules", ".bin", "cdktf"), [command, "exempt", "--auto-approve", "--output", path.join(work, "cdktf.out")], { cwd: REPO, env, stdio: "ignore" });
          child.on("close", (c) => resolve(c ?? -1));
        });
        expect(code).toBe(0);
      }
      expect(await siteIds()).toEqual(before);
      expect(destructive()).toEqual([]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 90_000);
});
