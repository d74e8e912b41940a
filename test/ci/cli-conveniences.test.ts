import { loadCommand, registeredCommands } from "../../cli/run";
import { runExempt } from "../support/cli";

/** What CI scripts and people at a terminal rely on, on every command. */
describe("exempt's operational conveniences", () => {
  it("--version prints the version alone", async () => {
    const r = await runExempt(["--version"]);
    expect(r).toEqual({ code: 0, stdout: `${require("../../package.json").version}\n`, stderr: "" });
  });

  it.each(registeredCommands())("%s --help lists every flag the command accepts", async (name) => {
    const r = await runExempt([name, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^exempt ${name}: `));
    expect(r.stdout).toContain("Usage: exempt");
    for (const flag of Object.keys(loadCommand(name)!.flags)) expect(r.stdout).toContain(`--${flag}`);
  });

  it.each(["plan", "drift", "apply", "import"])("%s takes --quiet and --verbose", async (name) => {
    const r = await runExempt([name, "--help"]);
    expect(r.stdout).toContain("--quiet");
    expect(r.stdout).toContain("--verbose");
  });

  it.each(["plan", "drift", "check"])("%s offers every CI format", async (name) => {
    expect((await runExempt([name, "--help"])).stdout).toContain("text | markdown | json | junit | sarif");
  });
});
