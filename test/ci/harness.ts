import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { parse } from "yaml";
import { REPO, EXEMPT_BIN } from "../support/cli";
import { tempDir } from "../support/tmp";

/**
 * What the CI recipe tests share: the recipes parsed as the CI reads them, a checkout where their
 * commands run as written (the scripts linked at the path the recipes name), and a small stand-in
 * for the GitHub and GitLab comment APIs.
 */

export const RECIPES = path.join(REPO, "examples", "ci");

export function readRecipe(relative: string): any {
  return parse(fs.readFileSync(path.join(RECIPES, relative), "utf8"));
}

/** A checkout: exempt.yaml and the recipes' scripts at `examples/ci/scripts`, as in the repository. */
export function checkout(config: string): string {
  const dir = tempDir("exempt-ci-");
  fs.writeFileSync(path.join(dir, "exempt.yaml"), config);
  fs.mkdirSync(path.join(dir, "examples", "ci"), { recursive: true });
  fs.symlinkSync(path.join(RECIPES, "scripts"), path.join(dir, "examples", "ci", "scripts"));
  return dir;
}

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a recipe's command with bash, as a runner does: `bash -e` for GitHub's `run:` (its default
 * shell), line by line for GitLab's `script:`. EXEMPT points the scripts at this repository's
 * binary, which a project gets from its devDependency instead.
 */
export function shell(command: string, options: { cwd: string; env: Record<string, string> }): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", command], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, CI: "true", EXEMPT: `${process.execPath} ${EXEMPT_BIN}`, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** `${{ expr }}` of a GitHub workflow, from the values a run would have; an unknown expression fails the test. */
export function githubExpand(text: string, context: Record<string, string>): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in context)) throw new Error(`the recipe uses \${{ ${expr} }}, which the test does not provide`);
    return context[expr];
  });
}

/** `$NAME` in GitLab job variables, from the project's CI/CD variables. */
export function gitlabExpand(text: string, variables: Record<string, string>): string {
  return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, name: string) => (name in variables ? variables[name] : m));
}

export interface Comment {
  id: number;
  body: string;
}

export interface FakeApi {
  url: string;
  /** Comments (GitHub) or notes (GitLab) of the one pull/merge request, in order. */
  comments: Comment[];
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

/**
 * A stand-in for the two comment APIs, with what the scripts rely on: pagination, the token
 * header each product checks, create and edit. Other requests are 404, a wrong token 401.
 */
export async function startFakeApi(options: { kind: "github" | "gitlab"; token: string; repo: string; pr: string; existing?: string[] }): Promise<FakeApi> {
  const comments: Comment[] = (options.existing ?? []).map((body, i) => ({ id: 1000 + i, body }));
  let next = 5000;
  const requests: FakeApi["requests"] = [];
  const listPath = options.kind === "github" ? `/repos/${options.repo}/issues/${options.pr}/comments` : `/api/v4/projects/${encodeURIComponent(options.repo)}/merge_requests/${options.pr}/notes`;
  const itemPath = options.kind === "github" ? new RegExp(`^/repos/${options.repo}/issues/comments/(\\d+)$`) : new RegExp(`^${listPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/(\\d+)$`);
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      requests.push({ method: req.method ?? "", path: url.pathname });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const authorised = options.kind === "github" ? req.headers.authorization === `Bearer ${options.token}` : req.headers["private-token"] === options.token;
      if (!authorised) return send(401, { message: "Bad credentials" });
      if (url.pathname === listPath && req.method === "GET") {
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        return send(200, comments.slice((page - 1) * perPage, page * perPage));
      }
      if (url.pathname === listPath && req.method === "POST") {
        const comment = { id: next++, body: JSON.parse(raw).body };
        comments.push(comment);
        return send(201, comment);
      }
      const m = itemPath.exec(url.pathname);
      if (m && req.method === (options.kind === "github" ? "PATCH" : "PUT")) {
        const comment = comments.find((c) => c.id === Number(m[1]));
        if (!comment) return send(404, { message: "Not Found" });
        comment.body = JSON.parse(raw).body;
        return send(200, comment);
      }
      send(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, comments, requests, close: () => new Promise((r) => server.close(() => r())) };
}

/** The comments of a busy pull request: more than a page, one from another bot with its own marker. */
export function busyThread(): string[] {
  return [...Array.from({ length: 130 }, (_, i) => `LGTM ${i}`), "<!-- other-bot -->\nCoverage 93%"];
}
