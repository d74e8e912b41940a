import * as fs from "node:fs";
import { generatedSections, README, sectionOf } from "../scripts/update-readme";

/** The README's generated sections are what the code generates: a newcomer reads the truth. */
describe("README.md", () => {
  const text = fs.readFileSync(README, "utf8");
  it.each(Object.entries(generatedSections()))("its %s section is current (regenerate with `npm run docs`)", (name, body) => {
    const current = sectionOf(text, name);
    if (current === undefined) throw new Error(`README.md lacks its <!-- ${name}:start --> section: run npm run docs`);
    if (current !== body.trim()) throw new Error(`README.md's ${name} section is stale: run \`npm run docs\``);
  });

  it("names the two set-up commands", () => {
    expect(text).toContain("npm install && npm run demo");
    expect(text).toContain("npm install && npm test");
  });

  it("links only to files that exist", () => {
    const links = [...text.matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)].map((m) => m[1].replace(/#.*$/, ""));
    const missing = links.filter((l) => !fs.existsSync(require("node:path").join(require("node:path").dirname(README), l)));
    expect(missing).toEqual([]);
  });
});
