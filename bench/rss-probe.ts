/**
 * Preloaded into the measured `exempt plan` process (`node -r tsx/cjs -r bench/rss-probe.ts
 * bin/exempt.js plan …`): at exit it writes the process's own peak resident set size, as the
 * kernel counted it, to the file named by BENCH_RSS_FILE. Nothing else changes in the process.
 */
import * as fs from "node:fs";

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on("exit", (code) => {
    // resourceUsage().maxRSS is in kilobytes (getrusage's ru_maxrss).
    fs.writeFileSync(file, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, exitCode: code }));
  });
}
