import { spawnExempt } from "../support/cli";

/** `npm run demo` is the README's first command: it must keep working, offline, well under a minute. */
it("npm run demo deploys the example on both sandboxes, finds drift (exit 2), repairs it, and ends clean", async () => {
  const started = Date.now();
  const r = await spawnExempt(["demo"], { timeoutMs: 90_000 });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("Apply complete! Resources: 2 added");
  expect(r.stdout).toMatch(/5\. exempt drift[\s\S]*excludeUnknownUrls: false -> true[\s\S]*tags\.analytics\.consentType: not_require_consent -> analytics[\s\S]*exit 2/);
  expect(r.stdout).toMatch(/7\. exempt drift again: clean[\s\S]*exit 0/);
  expect(r.stdout).toContain("Demo complete");
  expect(Date.now() - started).toBeLessThan(60_000);
}, 90_000);
