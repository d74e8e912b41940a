import * as path from "node:path";
import { runExempt } from "../support/cli";
import { tempDir, writeFile } from "../support/tmp";

/**
 * The bad-input corpus: every malformed configuration gives exit code 1 and exactly one clear
 * error that names the file, the line and column, the path in the document, and what was
 * expected and found. A line ending in `#<-` marks where the error must point.
 */
const head = (extra = "") => `instances:
  stats:
    kind: matomo
    url: https://stats.example.gouv.fr
    auth: { tokenEnv: MATOMO_TOKEN }
${extra}`;
const site = (body: string) =>
  head(`    sites:
      www:
${body}`);

interface Case {
  name: string;
  yaml: string;
  /** Fragments the single error line must contain. */
  expect: string[];
  env?: Record<string, string>;
}

const CASES: Case[] = [
  { name: "YAML syntax: an unclosed flow list", yaml: "instances:\n  a: [1, 2\n", expect: ["YAML syntax error"] },
  { name: "YAML syntax: a tab used for indentation", yaml: "instances:\n\tstats: {}\n", expect: ["YAML syntax error"] },
  { name: "YAML syntax: an unclosed quote", yaml: 'instances:\n  stats:\n    url: "https://x\n', expect: ["YAML syntax error"] },
  { name: "a duplicate instance key", yaml: head() + "  stats:  #<-\n    kind: matomo\n", expect: ["duplicate key 'stats'"] },
  { name: "a duplicate site key", yaml: site("        name: A\n        urls: [https://a.example.fr]\n      www:  #<-\n        name: B\n"), expect: ["duplicate key 'www'"] },
  { name: "a duplicate field in a site", yaml: site("        name: A\n        name: B  #<-\n        urls: [https://a.example.fr]\n"), expect: ["duplicate key 'name'"] },
  { name: "an empty file", yaml: "", expect: ["the file is empty"] },
  { name: "a file of comments only", yaml: "# nothing here\n\n# still nothing\n", expect: ["the file is empty"] },
  { name: "a list at the top", yaml: "- instances\n", expect: ["expected a mapping with `instances:`"] },
  { name: "a scalar at the top", yaml: "hello\n", expect: ["expected a mapping with `instances:`"] },
  { name: "no instances key", yaml: "version: 1  #<-\n", expect: ["instances", "the field is missing"] },
  { name: "an empty instances mapping", yaml: "instances: {}  #<-\n", expect: ["declare at least one instance"] },
  { name: "an unknown top-level key", yaml: head() + "defaults: {}  #<-\n", expect: ["unknown key 'defaults'"] },
  { name: "an unsupported instance kind", yaml: "instances:\n  stats:\n    kind: googleanalytics  #<-\n    url: https://x.example.fr\n", expect: ["kind", '"matomo" | "piwikpro"', '"googleanalytics"'] },
  { name: "a missing kind", yaml: "instances:\n  stats:  #<-\n    url: https://x.example.fr\n", expect: ["kind", "nothing"] },
  { name: "a kind of the wrong type", yaml: "instances:\n  stats:\n    kind: 3  #<-\n", expect: ["kind", "found 3"] },
  { name: "an invalid configuration version", yaml: "version: 2  #<-\n" + head().slice(0), expect: ["version", "expected 1", "found 2"] },
  { name: "an instance URL that is not a URL", yaml: "instances:\n  stats:\n    kind: matomo\n    url: stats  #<-\n    auth: { tokenEnv: T }\n", expect: ["url", "expected an absolute http(s) URL", '"stats"'] },
  { name: "an instance URL with credentials", yaml: "instances:\n  stats:\n    kind: matomo\n    url: https://admin:pw@stats.example.fr  #<-\n    auth: { tokenEnv: T }\n", expect: ["must not contain credentials"] },
  { name: "an instance URL with another scheme", yaml: "instances:\n  stats:\n    kind: matomo\n    url: ftp://stats.example.fr  #<-\n    auth: { tokenEnv: T }\n", expect: ["scheme 'ftp'"] },
  { name: "an instance URL with a query string", yaml: "instances:\n  stats:\n    kind: matomo\n    url: https://stats.example.fr/?token_auth=abc  #<-\n    auth: { tokenEnv: T }\n", expect: ["query string"] },
  { name: "a missing auth block", yaml: "instances:\n  stats:  #<-\n    kind: matomo\n    url: https://stats.example.fr\n", expect: ["auth", "the field is missing"] },
  { name: "a token value where an env var name is expected", yaml: "instances:\n  stats:\n    kind: matomo\n    url: https://stats.example.fr\n    auth: { tokenEnv: 'a1b2-c3d4 e5' }  #<-\n", expect: ["tokenEnv", "name of an environment variable"] },
  { name: "a typo in a privacy key", yaml: head("    privacy:\n      ipMaskByte: 2  #<-\n"), expect: ["unknown key 'ipMaskByte'", "did you mean 'ipMaskBytes'"] },
  { name: "a mask length of the wrong type", yaml: head("    privacy:\n      ipMaskBytes: two  #<-\n"), expect: ["ipMaskBytes", "expected a number", '"two"'] },
  { name: "a mask length out of range", yaml: head("    privacy:\n      ipMaskBytes: 5  #<-\n"), expect: ["ipMaskBytes", "at most 4", "found 5"] },
  { name: "an unknown referrer setting", yaml: head("    privacy:\n      referrer: none  #<-\n"), expect: ["referrer", '"exclude_all"', '"none"'] },
  { name: "a retention of zero months", yaml: head("    privacy:\n      rawDataRetentionMonths: 0  #<-\n"), expect: ["rawDataRetentionMonths"] },
  { name: "a site without a name", yaml: head("    sites:\n      www:  #<-\n        urls: [https://a.example.fr]\n"), expect: ["sites.www.name", "the field is missing"] },
  { name: "a site with an empty name", yaml: site("        name: ''  #<-\n        urls: [https://a.example.fr]\n"), expect: ["a site needs a name"] },
  { name: "a site name over 90 characters", yaml: site(`        name: ${"x".repeat(95)}  #<-\n        urls: [https://a.example.fr]\n`), expect: ["at most 90 characters"] },
  { name: "an empty URL list", yaml: site("        name: A\n        urls: []  #<-\n"), expect: ["a site needs at least one URL"] },
  { name: "URLs given as a string", yaml: site("        name: A\n        urls: https://a.example.fr  #<-\n"), expect: ["urls", "expected a list"] },
  { name: "a site URL that is not a URL", yaml: site("        name: A\n        urls: [notaurl]  #<-\n"), expect: ["urls[0]", '"notaurl"'] },
  { name: "a site URL with credentials", yaml: site("        name: A\n        urls: ['https://u:p@a.example.fr']  #<-\n"), expect: ["urls[0]", "credentials"] },
  { name: "a site URL with a fragment", yaml: site("        name: A\n        urls: ['https://a.example.fr/#home']  #<-\n"), expect: ["urls[0]", "fragment"] },
  { name: "a site URL with another scheme", yaml: site("        name: A\n        urls: [ftp://a.example.fr]  #<-\n"), expect: ["urls[0]", "scheme 'ftp'"] },
  {
    name: "two sites with the same main URL",
    yaml: site("        name: A\n        urls: [https://a.example.fr]\n      blog:\n        name: B\n        urls: [https://a.example.fr/]  #<-\n"),
    expect: ["sites.blog.urls[0]", "also the main URL of site 'www'"],
  },
  { name: "the same URL twice in one site", yaml: site("        name: A\n        urls: [https://a.example.fr, https://A.example.fr]  #<-\n"), expect: ["urls[1]", "listed twice"] },
  { name: "an unknown site mode", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        mode: optout  #<-\n"), expect: ["mode", '"exempt" | "consent"'] },
  { name: "a flag written as a string", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        ecommerce: 'yes'  #<-\n"), expect: ["ecommerce", "expected true or false", '"yes"'] },
  { name: "a typo in a site key", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        excludeUnknownUrl: true  #<-\n"), expect: ["unknown key 'excludeUnknownUrl'", "did you mean 'excludeUnknownUrls'"] },
  { name: "a suppression without a reason", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        suppressions:\n          - { rule: CNIL-ECOMMERCE-OFF, owner: dpo@example.fr }  #<-\n"), expect: ["suppressions[0].reason", "the field is missing"] },
  { name: "a suppression with a one-word reason", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        suppressions:\n          - { rule: CNIL-ECOMMERCE-OFF, reason: ok, owner: dpo@example.fr }  #<-\n"), expect: ["a written reason of at least 10 characters"] },
  { name: "a suppression without an owner", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        suppressions:\n          - { rule: CNIL-ECOMMERCE-OFF, reason: shop analytics agreed with the DPO }  #<-\n"), expect: ["suppressions[0].owner"] },
  { name: "a suppression naming a malformed rule id", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        suppressions:\n          - { rule: ecommerce, reason: shop analytics agreed with the DPO, owner: dpo }  #<-\n"), expect: ["suppressions[0].rule", "rule id"] },
  { name: "a suppression with an impossible expiry date", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        suppressions:\n          - { rule: CNIL-ECOMMERCE-OFF, reason: shop analytics agreed with the DPO, owner: dpo, expires: 2027-02-30 }  #<-\n"), expect: ["suppressions[0].expires", "real calendar date"] },
  { name: "an attestation without its author", yaml: head("    attestations:\n      - { rule: CNIL-INFO-POLICY, at: 2026-01-01 }  #<-\n"), expect: ["attestations[0].by"] },
  { name: "an unknown role", yaml: head("    access:\n      users:\n        alice: { role: owner, sites: all }  #<-\n"), expect: ["users.alice.role", '"view" | "write" | "admin"'] },
  { name: "access to a site that is not declared", yaml: head("    access:\n      users:\n        alice: { role: view, sites: [blog] }  #<-\n    sites:\n      www: { name: A, urls: [https://a.example.fr] }\n"), expect: ["sites[0]", "'blog' is not a site of instance 'stats'"] },
  { name: "an unset environment variable", yaml: "instances:\n  stats:\n    kind: matomo\n    url: ${STATS_URL}  #<-\n    auth: { tokenEnv: T }\n", expect: ["STATS_URL is not set"] },
  { name: "a secret interpolated into the file", yaml: "instances:\n  stats:\n    kind: matomo\n    url: https://x.example.fr\n    auth: { tokenEnv: T }\n    sites:\n      www: { name: '${MATOMO_TOKEN}', urls: [https://a.example.fr] }  #<-\n", env: { MATOMO_TOKEN: "canary-secret-123" }, expect: ["looks like a secret"] },
  { name: "Matomo credentials on a Piwik PRO account", yaml: "instances:\n  pp:\n    kind: piwikpro\n    url: https://acme.piwik.pro\n    auth: { tokenEnv: T }  #<-\n", expect: ["unknown key 'tokenEnv'"] },
  { name: "an app id that is not a UUID", yaml: "instances:\n  pp:\n    kind: piwikpro\n    url: https://acme.piwik.pro\n    auth: { clientIdEnv: I, clientSecretEnv: S }\n    sites:\n      www: { name: A, urls: [https://a.example.fr], appId: 42 }  #<-\n", expect: ["appId"] },
  { name: "a site key with a space", yaml: head("    sites:\n      'www site': { name: A, urls: [https://a.example.fr] }  #<-\n"), expect: ["expected an identifier"] },
  { name: "an instance id with a slash", yaml: "instances:\n  'stats/prod':  #<-\n    kind: matomo\n    url: https://x.example.fr\n    auth: { tokenEnv: T }\n", expect: ["expected an identifier"] },
  { name: "a negative idSite", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        idSite: -3  #<-\n"), expect: ["idSite", "at least 1"] },
  {
    name: "two sites declaring the same idSite",
    yaml: site("        name: A\n        urls: [https://a.example.fr]\n        idSite: 3\n      blog:  #<-\n        name: B\n        urls: [https://b.example.fr]\n        idSite: 3\n"),
    expect: ["product id 3 is also declared by site 'www'"],
  },
  { name: "a container id of the wrong length", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        tagManager:\n          containers:\n            main: { idContainer: abc }  #<-\n"), expect: ["idContainer", "8-character"] },
  { name: "a cookie lifetime that is not a whole number", yaml: site("        name: A\n        urls: [https://a.example.fr]\n        tagManager:\n          containers:\n            main:\n              matomoConfiguration: { visitorCookieDays: 12.5 }  #<-\n"), expect: ["visitorCookieDays", "expected an integer"] },
  { name: "an alias bomb", yaml: "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n", expect: ["alias"] },
];

describe("the bad-input corpus", () => {
  const dir = tempDir();

  it("holds at least 40 malformed configurations", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))("%s gives exit 1 and one located error", async (_name, c, i) => {
    const file = writeFile(dir, `case-${i}.yaml`, c.yaml);
    const result = await runExempt(["check", "--config", file], { env: c.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    // A header naming the file, then the problems.
    expect(lines[0]).toContain(file);
    const problems = lines.slice(1);
    expect(problems).toHaveLength(1);
    const problem = problems[0];
    const located = new RegExp(`${escape(path.basename(file))}:(\\d+):(\\d+): `).exec(problem);
    expect(located).not.toBeNull();
    const marked = c.yaml.split("\n").findIndex((l) => l.includes("#<-"));
    if (marked >= 0) expect(Number(located![1])).toBe(marked + 1);
    for (const fragment of c.expect) expect(problem).toContain(fragment);
    // No stack trace, ever.
    expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    if (c.env?.MATOMO_TOKEN) expect(result.stderr).not.toContain(c.env.MATOMO_TOKEN);
  });

  it("a file over the size limit is refused before parsing", async () => {
    const file = writeFile(dir, "huge.yaml", "instances:\n" + "# padding to make the file big\n".repeat(800_000));
    const result = await runExempt(["check", "--config", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("over the limit");
    expect(result.stderr).toMatch(/huge\.yaml:1:1/);
  });

  it("a missing file says which file and how to point at another", async () => {
    const result = await runExempt(["check", "--config", path.join(dir, "nope.yaml")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nope.yaml does not exist");
    expect(result.stderr).toContain("--config");
  });

  it("every problem of a file is reported at once", async () => {
    const file = writeFile(dir, "many.yaml", site("        name: ''\n        urls: [notaurl]\n        ecommerce: 'yes'\n        mode: optout\n"));
    const result = await runExempt(["check", "--config", file]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n").slice(1)).toHaveLength(4);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
