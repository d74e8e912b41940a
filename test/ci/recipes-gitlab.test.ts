import * as fs from "node:fs";
import * as path from "node:path";
import { EXAMPLE_FLEET, rawMatomo, startTestMatomo, type TestMatomo } from "../support/matomo";
import { runExempt } from "../support/cli";
import { all, parseXml } from "../render/xml";
import { busyThread, checkout, gitlabExpand, readRecipe, shell, startFakeApi, type FakeApi } from "./harness";

/**
 * The GitLab CI recipe, run as written: each job's `script:` lines in one bash, with the job's
 * `variables:` expanded from the project's CI/CD variables, against the Matomo emulator and a
 * stand-in for GitLab's REST API.
 */
const pipeline = readRecipe("gitlab/.gitlab-ci.yml");

interface Job {
  stage: string;
  rules?: Array<{ if: string; changes?: string[] }>;
  variables?: Record<string, string>;
  script: string[];
  artifacts?: { when?: string; reports?: Record<string, string>; paths?: string[] };
  resource_group?: string;
  extends?: string;
}

describe("GitLab CI recipe", () => {
  let matomo: TestMatomo;
  let api: FakeApi;
  let repo: string;
  // Settings > CI/CD > Variables of the project, and what GitLab sets for a merge-request pipeline.
  const project = () => ({ MATOMO_READ_TOKEN: matomo.token, EXEMPT_GITLAB_TOKEN: "gl-test-token" });
  const predefined = () => ({ CI_API_V4_URL: `${api.url}/api/v4`, CI_PROJECT_ID: "acme/analytics", CI_MERGE_REQUEST_IID: "7", CI_PROJECT_DIR: repo });
  const runJob = async (name: string, extra: Record<string, string> = {}) => {
    const job: Job = pipeline[name];
    const vars: Record<string, string> = {};
    for (const [k, v] of Object.entries(job.variables ?? {})) vars[k] = gitlabExpand(String(v), project());
    return shell(job.script.join("\n"), { cwd: repo, env: { ...project(), ...predefined(), MATOMO_URL: matomo.url, EXEMPT_LOCK_DIR: repo, ...vars, ...extra } });
  };

  beforeAll(async () => {
    matomo = await startTestMatomo();
    api = await startFakeApi({ kind: "gitlab", token: "gl-test-token", repo: "acme/analytics", pr: "7", existing: busyThread() });
    repo = checkout(EXAMPLE_FLEET());
  });
  afterAll(async () => {
    await api.close();
    await matomo.close();
  });

  it("checks and plans merge requests, detects drift on schedules, applies pushes to the default branch", () => {
    expect(pipeline["exempt-check"].rules[0].if).toBe('$CI_PIPELINE_SOURCE == "merge_request_event"');
    expect(pipeline["exempt-plan"].rules[0].if).toBe('$CI_PIPELINE_SOURCE == "merge_request_event"');
    expect(pipeline["exempt-drift"].rules[0].if).toBe('$CI_PIPELINE_SOURCE == "schedule"');
    expect(pipeline[".exempt-apply"].rules[0].if).toContain("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH");
  });

  it("the check job writes a JUnit report GitLab shows in the merge request", async () => {
    const job: Job = pipeline["exempt-check"];
    expect(job.artifacts).toMatchObject({ when: "always", reports: { junit: "exempt-check.xml" } });
    const r = await runJob("exempt-check");
    expect(r.code).toBe(0);
    const suites = all(parseXml(fs.readFileSync(path.join(repo, "exempt-check.xml"), "utf8")), "testcase");
    expect(suites.map((t) => t.attrs.name)).toEqual(["(instance settings)", "www", "demarches", "boutique"]);
  });

  it("the plan job posts one merge-request note and edits it on the next push", async () => {
    expect(pipeline["exempt-plan"].script).toEqual(["examples/ci/scripts/plan-comment.sh gitlab"]);
    const before = api.comments.length;
    const first = await runJob("exempt-plan");
    expect(first.code).toBe(0);
    expect(api.comments).toHaveLength(before + 1);
    const note = api.comments[api.comments.length - 1];
    expect(note.body).toMatch(/^<!-- exempt-plan -->\n### 📝 Exempt plan: /);

    expect((await runExempt(["apply", "--config", path.join(repo, "exempt.yaml")], { env: { ...matomo.env, EXEMPT_LOCK_DIR: repo } })).code).toBe(0);
    const second = await runJob("exempt-plan");
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`exempt: updated note ${note.id}`);
    expect(api.comments).toHaveLength(before + 1);
    expect(note.body).toMatch(/^### ✅ Exempt plan: no changes/m);
    expect(api.requests.filter((q) => q.method === "PUT")).toHaveLength(1);
    expect(fs.existsSync(path.join(repo, "exempt-plan.md"))).toBe(true);
  });

  it("the plan job fails, naming the variable, when the note token is missing", async () => {
    const r = await runJob("exempt-plan", { EXEMPT_GITLAB_TOKEN: "" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("exempt: the environment variable EXEMPT_GITLAB_TOKEN is not set");
  });

  it("the scheduled drift job exits 0 in sync and 2 on drift, keeping the report as an artifact", async () => {
    expect(pipeline["exempt-drift"].artifacts).toMatchObject({ when: "always", paths: ["exempt-drift.md"] });
    expect((await runJob("exempt-drift")).code).toBe(0);
    const ids = await rawMatomo(matomo.url, "SitesManager.getSitesIdFromSiteUrl", { token_auth: matomo.token, url: "https://demarches.example.gouv.fr" });
    await rawMatomo(matomo.url, "SitesManager.updateSite", { token_auth: matomo.token, idSite: String(ids[0].idsite), siteName: "Démarches (renamed by hand)" });
    const r = await runJob("exempt-drift");
    expect(r.code).toBe(2);
    expect(fs.readFileSync(path.join(repo, "exempt-drift.md"), "utf8")).toContain("| demarches | name | `Démarches (renamed by hand)` | `Démarches` |");
  });

  it("applies one instance at a time across runners, with a resource group per instance", () => {
    const jobs = Object.entries(pipeline).filter(([name, job]) => !name.startsWith(".") && (job as Job).extends === ".exempt-apply") as Array<[string, Job]>;
    expect(jobs.length).toBeGreaterThan(0);
    for (const [, job] of jobs) expect(job.resource_group).toBe(`exempt-apply-${job.variables!.INSTANCE}`);
  });

  it("takes every token from CI/CD variables", () => {
    const text = fs.readFileSync(path.join(__dirname, "..", "..", "examples", "ci", "gitlab", ".gitlab-ci.yml"), "utf8");
    for (const [name, job] of Object.entries(pipeline)) {
      if (typeof job !== "object" || !job || !("variables" in job)) continue;
      for (const [k, v] of Object.entries((job as Job).variables ?? {})) if (/TOKEN|PASSWORD|SECRET/.test(k)) expect([name, v]).toEqual([name, expect.stringMatching(/^\$[A-Z_]+$/)]);
    }
    expect(text).not.toMatch(/[0-9a-f]{32}/);
  });
});
