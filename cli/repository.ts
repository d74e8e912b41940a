import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The root of the repository the CLI runs in, for repository-relative paths in SARIF: the CI's own
 * word first (GitHub Actions, GitLab CI), else the nearest folder above `cwd` holding `.git`.
 */
export function repositoryRoot(cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  const fromCi = env.GITHUB_WORKSPACE || env.CI_PROJECT_DIR;
  if (fromCi) return path.resolve(fromCi);
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, ".git"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
