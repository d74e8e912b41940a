import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A fresh temporary folder, removed after the test file unless EXEMPT_KEEP_TMP is set. */
export function tempDir(prefix = "exempt-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

const created: string[] = [];
afterAll(() => {
  if (process.env.EXEMPT_KEEP_TMP) return;
  for (const d of created.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

export function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
