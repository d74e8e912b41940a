import * as fs from "node:fs";
import * as path from "node:path";
import { EXAMPLE_FLEET, rawMatomo, startTestMatomo, type TestMatomo } from "../support/matomo";
import { runExempt } from "../support/cli";
import { busyThread, checkout, githubExpand, readRecipe, shell, startFakeApi, type FakeApi } from "./harness";

/**
 * The GitHub Actions recipes, run as written: each step's `run:` in bash, with its `env:` as the
 * runner would expand it, against the Matomo emulator and a stand-in for GitHub's REST API.
 */
const plan = readRecipe("github/exempt-plan.yml");
const drift = readRecipe("github/exempt-drift.yml");
const apply = readRecipe("github/exempt-apply.yml");

type Step = { id?: string; name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, unknown>; "continue-on-error"?: boolean };
const steps = (workflow: any, job: string): Step[] => workflow.jobs[job].steps;
const stepRunning = (workflow: any, job: string, script: string): Step => {
  const step = steps(workflow, job).find((s) => s.run?.includes(script));
  if (!step) throw new Error(`no step of ${job} runs ${script}`);
  return step;
};

describe("GitHub Actions recipes", () => {
  let matomo: TestMatomo;
  let api: FakeApi;
  let repo: string;
  const secrets = () => ({ "secrets.MATOMO_READ_TOKEN": matomo.token, "secrets.GITHUB_TOKEN": "gh-test-token", "github.event.pull_request.number": "42" });
  const runStep = async (step: Step, extra: Record<string, string> = {}) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = githubExpand(String(v), secrets());
    // What Actions sets for every job.
    const base = { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: "acme/analytics", GITHUB_WORKSPACE: repo, MATOMO_URL: matomo.url, EXEMPT_LOCK_DIR: repo };
    return shell(step.run!, { cwd: repo, env: { ...base, ...env, ...extra } });
  };

  beforeAll(async () => {
    matomo = await startTestMatomo();
    api = await startFakeApi({ kind: "github", token: "gh-test-token", repo: "acme/analytics", pr: "42", existing: busyThread() });
    repo = checkout(EXAMPLE_FLEET());
  });
  afterAll(async () => {
    await api.close();
    await matomo.close();
  });

  describe("the pull-request workflow", () => {
    it("runs on pull requests touching exempt.yaml, with the permissions to comment and upload SARIF", () => {
      expect(plan.on.pull_request.paths).toContain("exempt.yaml");
      expect(plan.permissions).toEqual({ contents: "read", "pull-requests": "write", "security-events": "write" });
      expect(plan.concurrency).toEqual({ group: "exempt-plan-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
    });

    it("uploads the check's SARIF even when the check fails, then fails the job on a violation", () => {
      const check = stepRunning(plan, "plan", "check-report.sh");
      expect(check).toMatchObject({ id: "check", "continue-on-error": true, run: "examples/ci/scripts/check-report.sh sarif exempt.sarif" });
      const upload = steps(plan, "plan").find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
      expect(upload).toMatchObject({ if: "always()", with: { sarif_file: "exempt.sarif", category: "exempt" } });
      const gate = steps(plan, "plan")[steps(plan, "plan").length - 1];
      expect(gate.if).toBe("steps.check.outcome == 'failure'");
      expect(gate.run).toMatch(/exit 1/);
    });

    it("the check step writes SARIF anchored on exempt.yaml and exits 2 on a violation", async () => {
      const breaking = EXAMPLE_FLEET().replace("        excludedQueryParameters: [email, token]", "        excludedQueryParameters: [email, token]\n        excludeUnknownUrls: false");
      const dir = checkout(breaking);
      const step = stepRunning(plan, "plan", "check-report.sh");
      const r = await shell(step.run!, { cwd: dir, env: { GITHUB_WORKSPACE: dir, MATOMO_URL: matomo.url } });
      expect(r.code).toBe(2);
      const sarif = JSON.parse(fs.readFileSync(path.join(dir, "exempt.sarif"), "utf8"));
      const result = sarif.runs[0].results.find((x: any) => x.ruleId === "CNIL-SINGLE-PUBLISHER");
      const line = breaking.split("\n").findIndex((l) => l.includes("excludeUnknownUrls: false")) + 1;
      expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "exempt.yaml", uriBaseId: "%SRCROOT%" }, region: { startLine: line, startColumn: 9 } });
    });

    it("posts the plan as a comment, then edits that same comment on the next push instead of adding one", async () => {
      const step = stepRunning(plan, "plan", "plan-comment.sh");
      expect(step.run).toBe("examples/ci/scripts/plan-comment.sh github");
      const before = api.comments.length;
      const first = await runStep(step);
      expect(first.stderr).toContain("exempt plan exited with 2");
      expect(first.code).toBe(0);
      expect(api.comments).toHaveLength(before + 1);
      const mine = api.comments[api.comments.length - 1];
      expect(mine.body.split("\n")[0]).toBe("<!-- exempt-plan -->");
      expect(mine.body).toMatch(/^### 📝 Exempt plan: \d+ difference\(s\)/m);
      expect(mine.body).toContain("new site");

      // Merged and applied: the next push's plan is clean, and it replaces the comment.
      expect((await runExempt(["apply", "--config", path.join(repo, "exempt.yaml")], { env: { ...matomo.env, EXEMPT_LOCK_DIR: repo } })).code).toBe(0);
      const second = await runStep(step);
      expect(second.code).toBe(0);
      expect(second.stderr).toContain(`exempt: updated comment ${mine.id}`);
      expect(api.comments).toHaveLength(before + 1);
      expect(api.comments.find((c) => c.id === mine.id)!.body).toMatch(/^### ✅ Exempt plan: no changes/m);
      expect(api.comments.filter((c) => c.body.startsWith("<!-- exempt-plan -->"))).toHaveLength(1);
      expect(api.comments.find((c) => c.body.startsWith("<!-- other-bot -->"))!.body).toBe("<!-- other-bot -->\nCoverage 93%");
      // The busy thread took two pages to search.
      expect(api.requests.filter((r) => r.method === "GET").length).toBeGreaterThanOrEqual(4);
    });

    it("fails when the plan cannot run, after saying so in the comment", async () => {
      const step = stepRunning(plan, "plan", "plan-comment.sh");
      const r = await runStep(step, { MATOMO_TOKEN: "0".repeat(32) });
      expect(r.code).toBe(1);
      const mine = api.comments.find((c) => c.body.startsWith("<!-- exempt-plan -->"))!;
      expect(mine.body).toMatch(/^### ❌ Exempt plan: 1 failed/m);
    });

    it("takes every token from the repository's secrets", () => {
      for (const s of steps(plan, "plan")) for (const [k, v] of Object.entries(s.env ?? {})) if (/TOKEN|PASSWORD|SECRET/.test(k)) expect(v).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
    });
  });

  describe("the nightly drift workflow", () => {
    it("runs on a schedule", () => {
      expect(drift.on.schedule[0].cron).toMatch(/^[\d*\/,-]+ [\d*\/,-]+ \* \* \*$/);
    });

    it("writes the job summary and exits 0 when nothing drifted, 2 on drift with the summary still written", async () => {
      const step = stepRunning(drift, "drift", "drift-summary.sh");
      expect(step.run).toBe("examples/ci/scripts/drift-summary.sh");
      const summary = path.join(repo, "summary.md");
      fs.writeFileSync(summary, "");
      const clean = await runStep(step, { GITHUB_STEP_SUMMARY: summary });
      expect(clean.code).toBe(0);
      expect(fs.readFileSync(summary, "utf8")).toMatch(/^### ✅ Exempt drift: no drift/m);

      const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url: "https://www.example.gouv.fr" });
      await rawMatomo(matomo.url, "SitesManager.updateSite", { token_auth: matomo.token, idSite: String(ids[0].idsite), excludeUnknownUrls: "0" });
      fs.writeFileSync(summary, "");
      const drifted = await runStep(step, { GITHUB_STEP_SUMMARY: summary });
      expect(drifted.code).toBe(2);
      const text = fs.readFileSync(summary, "utf8");
      // updateSite empties the lists it is not sent (Matomo's own behaviour): two fields drifted.
      expect(text).toMatch(/^### ⛔ Exempt drift: 2 difference\(s\); 1 violation\(s\)/m);
      expect(text).toContain("| www | excludeUnknownUrls | `false` | `true` |");
      expect(fs.readFileSync(path.join(repo, "exempt-drift.md"), "utf8")).toBe(text);
      const keep = steps(drift, "drift").find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
      expect(keep).toMatchObject({ if: "always()", with: { path: "exempt-drift.md" } });
    });
  });

  describe("the apply workflow", () => {
    it("applies one instance per job, never two applies of one instance at once, never cancelling one", () => {
      const job = apply.jobs.apply;
      expect(job.concurrency).toEqual({ group: "exempt-apply-${{ matrix.instance }}", "cancel-in-progress": false });
      expect(job.strategy.matrix.instance).toEqual(["stats"]);
      expect(stepRunning(apply, "apply", "exempt.sh apply").run).toContain('--only "$INSTANCE"');
    });
  });
});
