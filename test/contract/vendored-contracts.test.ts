import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_CONTRACTS, SHARED_CONTRACTS, sharedContractsAvailable } from "../support/contracts";

/** The tests replay vendored copies; they must stay the recordings and documents the team shares. */
describe("the vendored contracts", () => {
  const folders = [path.join("matomo", "transcripts"), path.join("piwikpro", "openapi")];

  it.each(folders)("%s holds every file, non-empty", (folder) => {
    const files = fs.readdirSync(path.join(REPO_CONTRACTS, folder));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(fs.statSync(path.join(REPO_CONTRACTS, folder, f)).size).toBeGreaterThan(100);
  });

  const shared = sharedContractsAvailable();
  if (!shared) console.warn(`the shared contracts folder ${SHARED_CONTRACTS} is not next to this clone: the vendored copies are used as they are, without comparing them`);
  (shared ? it.each(folders) : it.skip.each(folders))("%s is byte for byte the shared copy", (folder) => {
    const mine = fs.readdirSync(path.join(REPO_CONTRACTS, folder)).sort();
    const theirs = fs.readdirSync(path.join(SHARED_CONTRACTS, folder)).sort();
    expect(mine).toEqual(theirs);
    for (const f of mine) expect(fs.readFileSync(path.join(REPO_CONTRACTS, folder, f)).equals(fs.readFileSync(path.join(SHARED_CONTRACTS, folder, f)))).toBe(true);
  });
});
