import * as fs from "node:fs";
import { loadDeclaration, loadDeclarationAsync, WORKER_LOAD_BYTES } from "../../cli/load";
import { runExempt } from "../support/cli";
import { tempDir, writeFile } from "../support/tmp";

/** A fleet file past WORKER_LOAD_BYTES is loaded in a worker thread: same declaration, same located errors. */
function fleet(sites: number, extra = ""): string {
  let yaml = "instances:\n  fleet:\n    kind: matomo\n    url: https://stats.example.gouv.fr\n    auth: { tokenEnv: MATOMO_TOKEN }\n    sites:\n";
  for (let i = 0; i < sites; i++) yaml += `      s${i}:\n        name: Site number ${i} of the fleet\n        urls: [https://s${i}.fleet.example.gouv.fr, https://www.s${i}.fleet.example.gouv.fr]\n        excludedQueryParameters: [email, token]\n`;
  return yaml + extra;
}

describe("a large exempt.yaml", () => {
  const dir = tempDir();
  const text = fleet(6000);

  it("is large enough to take the worker path", () => {
    expect(Buffer.byteLength(text)).toBeGreaterThan(WORKER_LOAD_BYTES);
  });

  it("loads in a worker thread to exactly what the synchronous loader gives", async () => {
    const file = writeFile(dir, "large.yaml", text);
    const io = { cwd: dir, env: {} };
    const inWorker = await loadDeclarationAsync({ config: file }, io);
    expect(inWorker).toEqual(loadDeclaration({ config: file }, io));
    expect(Object.keys(inWorker.config.instances.fleet.sites)).toHaveLength(6000);
  });

  it("reports its errors located, as a small file does", async () => {
    const file = writeFile(dir, "large-bad.yaml", text.replace("      s5999:\n        name: Site number 5999 of the fleet\n", "      s5999:\n        name: Site number 5999 of the fleet\n        ecommerce: maybe\n"));
    const result = await runExempt(["check", "--config", file]);
    expect(result.code).toBe(1);
    const line = fs.readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes("ecommerce: maybe")) + 1;
    expect(result.stderr).toContain(`large-bad.yaml:${line}:20: instances.fleet.sites.s5999.ecommerce: expected true or false, found the string "maybe"`);
  });
});
