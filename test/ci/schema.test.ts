import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { configJsonSchema, configJsonSchemaText, SCHEMA_FILE } from "../../model/json-schema";
import { REPO, runExempt } from "../support/cli";
import { tempDir } from "../support/tmp";

const committed = path.join(REPO, SCHEMA_FILE);

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(committed, "utf8")));
}

describe("the JSON Schema of exempt.yaml", () => {
  it("is committed and up to date with the zod schema", () => {
    const stale = !fs.existsSync(committed) || fs.readFileSync(committed, "utf8") !== configJsonSchemaText();
    if (stale) throw new Error(`${SCHEMA_FILE} is stale: the zod schema in model/ changed. Regenerate it with \`node bin/exempt.js schema --out ${SCHEMA_FILE}\` and commit it.`);
  });

  it("exempt schema --check says so, and how to regenerate, when the file is stale", async () => {
    expect((await runExempt(["schema", "--check", committed])).code).toBe(0);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, SCHEMA_FILE), "{}\n");
    const r = await runExempt(["schema", "--check", SCHEMA_FILE], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`exempt: ${SCHEMA_FILE} is stale: regenerate it with \`exempt schema --out ${SCHEMA_FILE}\``);
    expect((await runExempt(["schema"])).stdout).toBe(configJsonSchemaText());
  });

  it("carries the field descriptions of the model, for editors' hovers", () => {
    const text = JSON.stringify(configJsonSchema());
    expect(text).toContain("Bytes of the visitor IP masked before storage, 0 (off) to 4. CNIL-IP-MASK-2B needs at least 2.");
    expect(text).toContain("Consent type; the Piwik PRO tag must be `analytics`");
    expect(configJsonSchema()).toMatchObject({ $schema: "http://json-schema.org/draft-07/schema#", title: "exempt.yaml" });
  });

  it("accepts the committed example, which starts with the schema comment", () => {
    const text = fs.readFileSync(path.join(REPO, "exempt.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=./${SCHEMA_FILE}`);
    const validate = validator();
    expect(validate(parse(text))).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
  });

  it("refuses what the loader refuses field by field: unknown keys, out-of-range values, bad enums", () => {
    const validate = validator();
    const base = parse(fs.readFileSync(path.join(REPO, "exempt.yaml"), "utf8"));
    const variant = (edit: (doc: any) => void) => {
      const doc = structuredClone(base);
      edit(doc);
      return validate(doc);
    };
    expect(variant((d) => (d.instances.stats.privacy.ipMaskBytes = 9))).toBe(false);
    expect(variant((d) => (d.instances.stats.sites.www.excludeUnknownUrl = true))).toBe(false);
    expect(variant((d) => (d.instances.stats.kind = "ga4"))).toBe(false);
    expect(variant((d) => (d.instances.stats.sites.www.mode = "sometimes"))).toBe(false);
    expect(variant((d) => (d.instances["bad id!"] = d.instances.stats))).toBe(false);
    expect(variant((d) => (d.instances.stats.sites.www.suppressions = [{ rule: "CNIL-ECOMMERCE-OFF", owner: "dpo" }]))).toBe(false);
  });
});
