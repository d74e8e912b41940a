import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { EvidenceFleet, startEvidenceFleet } from "./fleet";
import { REPO } from "../support/cli";
import { tempDir } from "../support/tmp";

/**
 * The generated report in a real browser: Debian's Chromium, headless, kept off the network by its
 * flags, opening the pages from files. It must render, link from the fleet to a site and back, and
 * request nothing but files. The fleet page's screenshot is kept as a test artifact.
 */
const CHROMIUM = process.env.EXEMPT_CHROMIUM ?? "/usr/bin/chromium";
const IN_CI = /^(1|true)$/i.test(process.env.CI ?? "");
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
export const SCREENSHOT = path.join(REPO, "test-artifacts", "evidence", "fleet.png");

const OFFLINE_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

if (!HAVE_CHROMIUM && !IN_CI) console.log(`evidence browser test skipped: no Chromium at ${CHROMIUM} (install Debian's chromium, as .ci/run does, or set EXEMPT_CHROMIUM); in CI it fails instead`);

(HAVE_CHROMIUM || IN_CI ? describe : describe.skip)("the evidence report in headless Chromium", () => {
  let fleet: EvidenceFleet;
  let out: string;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const fileUrl = (rel: string) => pathToFileURL(path.join(out, rel)).href;

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs Debian's chromium; the evidence report must be tested in a real browser in CI`);
    fleet = await startEvidenceFleet();
    const r = await fleet.evidence();
    if (r.code !== 0) throw new Error(`exempt evidence failed: ${r.stderr}`);
    out = r.out;
    const { chromium } = require("playwright-core") as typeof import("playwright-core");
    const profile = tempDir("exempt-chromium-");
    // A persistent context is Playwright's way to give Chromium a fresh --user-data-dir of our own.
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: OFFLINE_FLAGS, viewport: { width: 1280, height: 900 }, timeout: 20_000 });
    context.on("request", (req) => requests.push(req.url()));
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
  }, 40_000);

  afterAll(async () => {
    await context?.close();
    await fleet?.close();
  });

  it("renders the fleet page: the verdict, the SVG chart, the sites and the instances", async () => {
    await page.goto(fileUrl("index.html"));
    await expectVisible(page, "h1", /evidence for 4 sites/);
    await expectVisible(page, "#headline", /Of 4 declared sites: 1 violates a rule/);
    const chart = page.locator("svg#verdict-chart");
    expect(await chart.isVisible()).toBe(true);
    expect(await chart.locator("g.row").count()).toBe(5);
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(await chart.locator('g.row[data-verdict="violated"] text').last().textContent()).toBe("1");
    await expectVisible(page, "#reading-date", /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    await expectVisible(page, 'tr[data-instance="stats"]', /5\.1\.2/);
    await expectVisible(page, 'tr[data-instance="stats"]', /no readable CNIL compliance mode/);
    await expectVisible(page, "#attention", /CNIL-SINGLE-PUBLISHER/);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`evidence fleet screenshot: ${SCREENSHOT}`);
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });

  it("links from the fleet to a site page and back", async () => {
    await page.goto(fileUrl("index.html"));
    await page.locator('table.sites a[data-site-link="stats/www"]').click();
    await page.waitForURL(/sites\/stats--www\.html$/);
    await expectVisible(page, "h1", /Portail/);
    await expectVisible(page, 'tr[data-rule="CNIL-SINGLE-PUBLISHER"]', /Violated[\s\S]*Found: false · Required: true/);
    await expectVisible(page, 'tr[data-rule="CNIL-IP-MASK-2B"]', /Observed in the database/);
    await expectVisible(page, 'tr[data-rule="CNIL-REFERRER-ANON"]', /Enforced on every apply, not observable/);
    await expectVisible(page, 'tr[data-rule="CNIL-INFO-POLICY"]', /Attested by a person[\s\S]*dpo@example\.gouv\.fr/);
    await expectVisible(page, "[data-hash=declaration]", /^[0-9a-f]{64}$/);
    await page.locator("nav.crumbs a").click();
    await page.waitForURL(/index\.html$/);
    await expectVisible(page, "h1", /evidence for 4 sites/);
    // And every site link of the fleet leads to a page that exists.
    for (const href of await page.locator("a[data-site-link]").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))) expect(fs.existsSync(new URL(href))).toBe(true);
  });

  it("an unobservable or attested status never looks like a verified pass", async () => {
    await page.goto(fileUrl("sites/stats--www.html"));
    const look = (status: string) =>
      page.locator(`tr [data-status="${status}"]`).first().evaluate((el) => {
        const s = getComputedStyle(el);
        return { colour: s.color, border: s.borderTopStyle, symbol: el.querySelector("svg")!.innerHTML, words: el.textContent };
      });
    const verified = await look("verified-live");
    for (const status of ["enforced-not-observable", "attested", "observed-database", "to-confirm", "not-checked"]) {
      const other = await look(status);
      expect(other.colour).not.toBe(verified.colour);
      expect(other.symbol).not.toBe(verified.symbol);
      expect(other.words).not.toMatch(/verified/i);
      if (status !== "observed-database") expect(other.border).not.toBe(verified.border);
    }
    await expectVisible(page, "#legend", /Live proof/);
  });

  it("prints black on white with nothing hidden but the navigation", async () => {
    await page.goto(fileUrl("all-sites.html"));
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("nav.crumbs").isVisible()).toBe(false);
    const colours = await page.locator('[data-status="verified-live"]').first().evaluate((el) => [getComputedStyle(el).color, getComputedStyle(document.body).backgroundColor]);
    expect(colours).toEqual(["rgb(0, 0, 0)", "rgb(255, 255, 255)"]);
    expect(await page.locator("section.site").count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator("details").count()).toBe(0);
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
    fs.writeFileSync(path.join(path.dirname(SCREENSHOT), "all-sites.pdf"), pdf);
    await page.emulateMedia({ media: "screen" });
  });

  it("requested nothing but files", () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith("file:"))).toEqual([]);
  });

  it("(control) the listener does see a page that reaches for the network", async () => {
    const dir = tempDir("exempt-control-");
    const control = path.join(dir, "control.html");
    fs.writeFileSync(control, '<!DOCTYPE html><img src="http://127.0.0.1:9/probe.png">');
    const seen: string[] = [];
    const listen = (req: { url(): string }) => seen.push(req.url());
    context.on("request", listen);
    const failed = page.waitForEvent("requestfailed", { timeout: 5_000 });
    await page.goto(pathToFileURL(control).href);
    await failed;
    context.off("request", listen);
    expect(seen).toContain("http://127.0.0.1:9/probe.png");
  });
});

async function expectVisible(page: Page, selector: string, text: RegExp): Promise<void> {
  const el = page.locator(selector).first();
  await el.waitFor({ state: "visible", timeout: 5_000 });
  expect((await el.textContent()) ?? "").toMatch(text);
}
