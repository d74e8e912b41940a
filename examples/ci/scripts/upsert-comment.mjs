#!/usr/bin/env node
// Creates the pull (merge) request comment that starts with BODY_FILE's marker line, or edits the
// one that already does: one comment per workflow, kept current, whatever the number of pushes.
//
//   node upsert-comment.mjs github|gitlab BODY_FILE
//
// BODY_FILE's first line is the hidden marker `exempt ... --comment-marker NAME` writes
// (`<!-- NAME -->`); the comment to edit is the one holding that line.
//
// GitHub: GITHUB_TOKEN (the workflow's token, `pull-requests: write`), GITHUB_REPOSITORY,
//   PR_NUMBER, GITHUB_API_URL (set by Actions; https://api.github.com by default).
// GitLab: EXEMPT_GITLAB_TOKEN (a project access token with the `api` scope, from a masked CI
//   variable), CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID (all but the token set by GitLab).
import { readFileSync } from "node:fs";

const [provider, bodyFile] = process.argv.slice(2);
if (!["github", "gitlab"].includes(provider) || !bodyFile) fail("usage: upsert-comment.mjs github|gitlab BODY_FILE");
const body = readFileSync(bodyFile, "utf8");
const marker = body.split("\n", 1)[0];
if (!/^<!-- .+ -->$/.test(marker)) fail(`${bodyFile} does not start with a marker line: run exempt with --comment-marker NAME`);

const api = provider === "github" ? github() : gitlab();
const existing = await findComment();
if (existing) {
  await call(api.update(existing), api.updateMethod, api.payload(body));
  console.error(`exempt: updated ${api.noun} ${existing}`);
} else {
  const created = await call(api.create, "POST", api.payload(body));
  console.error(`exempt: created ${api.noun} ${created.id}`);
}

function github() {
  const base = (process.env.GITHUB_API_URL || "https://api.github.com").replace(/\/$/, "");
  const repo = need("GITHUB_REPOSITORY");
  const pr = need("PR_NUMBER");
  return {
    noun: "comment",
    headers: { Authorization: `Bearer ${need("GITHUB_TOKEN")}`, Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28" },
    list: (page) => `${base}/repos/${repo}/issues/${pr}/comments?per_page=100&page=${page}`,
    create: `${base}/repos/${repo}/issues/${pr}/comments`,
    update: (id) => `${base}/repos/${repo}/issues/comments/${id}`,
    updateMethod: "PATCH",
    payload: (text) => ({ body: text }),
  };
}

function gitlab() {
  const base = need("CI_API_V4_URL").replace(/\/$/, "");
  const project = encodeURIComponent(need("CI_PROJECT_ID"));
  const mr = need("CI_MERGE_REQUEST_IID");
  return {
    noun: "note",
    headers: { "PRIVATE-TOKEN": need("EXEMPT_GITLAB_TOKEN") },
    list: (page) => `${base}/projects/${project}/merge_requests/${mr}/notes?per_page=100&page=${page}&sort=asc&order_by=created_at`,
    create: `${base}/projects/${project}/merge_requests/${mr}/notes`,
    update: (id) => `${base}/projects/${project}/merge_requests/${mr}/notes/${id}`,
    updateMethod: "PUT",
    payload: (text) => ({ body: text }),
  };
}

async function findComment() {
  // Pages until a short one: a busy pull request has more than one page of comments.
  for (let page = 1; page <= 50; page++) {
    const items = await call(api.list(page), "GET");
    const hit = items.find((c) => typeof c.body === "string" && c.body.split("\n", 1)[0] === marker);
    if (hit) return hit.id;
    if (items.length < 100) return undefined;
  }
  return undefined;
}

async function call(url, method, payload) {
  const res = await fetch(url, {
    method,
    headers: { ...api.headers, ...(payload ? { "Content-Type": "application/json" } : {}) },
    body: payload ? JSON.stringify(payload) : undefined,
  });
  const text = await res.text();
  // The answer may quote the request; the token is never in it, but keep the line short.
  if (!res.ok) fail(`${method} ${new URL(url).pathname} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : {};
}

function need(name) {
  const value = process.env[name];
  if (!value) fail(`the environment variable ${name} is not set`);
  return value;
}

function fail(message) {
  console.error(`exempt: ${message}`);
  process.exit(1);
}
