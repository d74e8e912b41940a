import { CnilPack } from "../../policies";
import { failureOf, findings, judge, matomo, piwikPro } from "./fixtures";

const attestationRules = CnilPack.entries.filter((e) => e.level === "attestation").map((e) => e.rule.id);

describe("rules only a person can confirm", () => {
  test("are the catalogue's human-only conditions", () => {
    expect(attestationRules.sort()).toEqual(
      ["CNIL-INFO-POLICY", "CNIL-NO-CROSSREF", "CNIL-NO-PII-CUSTOM", "CNIL-NO-PII-URL", "CNIL-NO-THIRD-PARTY-TRANSFER", "CNIL-OPT-OUT", "CNIL-PROCESSOR-DPA", "CNIL-PURPOSE-AUDIENCE", "CNIL-RETENTION-REVIEW", "CNIL-SCOPE-FR", "CNIL-TRANSFER-EU"].sort(),
    );
  });

  test.each(attestationRules)("%s is to be confirmed until someone attests it, on both products", (id) => {
    for (const config of [matomo(), piwikPro()]) expect(findings(judge(config), id)).toEqual([expect.objectContaining({ status: "to-confirm", level: "attestation" })]);
  });

  test.each(attestationRules)("%s is shown as attested, with who and until when, once a person attests it on the site", (id) => {
    const [f] = findings(judge(matomo({}, { www: { attestations: [{ rule: id, by: "dpo@example.gouv.fr", at: "2026-01-15" }] } })), id);
    expect(f).toMatchObject({ status: "attested", attestation: { by: "dpo@example.gouv.fr", at: "2026-01-15", until: "2027-01-15" } });
  });

  test("an attestation given on the instance holds for each of its sites", () => {
    const all = judge(piwikPro({ attestations: [{ rule: "CNIL-PROCESSOR-DPA", by: "legal@example.gouv.fr", at: "2026-01-01", note: "DPA ref 2026-17" }] }, { app: {}, blog: {} }));
    expect(findings(all, "CNIL-PROCESSOR-DPA").map((f) => f.status)).toEqual(["attested", "attested"]);
  });

  test("an attestation with an explicit end date expires on it", () => {
    const [f] = findings(judge(matomo({ attestations: [{ rule: "CNIL-TRANSFER-EU", by: "ops", at: "2025-01-01", until: "2026-02-28" }] })), "CNIL-TRANSFER-EU");
    expect(f).toMatchObject({ status: "to-confirm", message: expect.stringMatching(/expired on 2026-02-28/) });
  });

  test("an attestation dated in the future does not count yet", () => {
    const [f] = findings(judge(matomo({ attestations: [{ rule: "CNIL-OPT-OUT", by: "ops", at: "2026-04-01" }] })), "CNIL-OPT-OUT");
    expect(f).toMatchObject({ status: "to-confirm", message: expect.stringMatching(/starts on 2026-04-01/) });
  });

  test("attestations stay attestations on a consent site", () => {
    expect(findings(judge(matomo({}, { www: { mode: "consent" } })), "CNIL-INFO-POLICY")[0]).toMatchObject({ level: "attestation", status: "to-confirm" });
  });

  test("an attestation naming an unknown rule is an error at its own path", () => {
    const f = failureOf(matomo({}, { www: { attestations: [{ rule: "CNIL-PRIVACY-POLICY", by: "dpo", at: "2026-01-01" }] } }), "EXEMPT-UNKNOWN-RULE");
    expect(f).toMatchObject({ level: "error", path: "instances.stats.sites.www.attestations[0]", message: expect.stringMatching(/CNIL-PRIVACY-POLICY/) });
  });

  test("an attestation naming an unknown rule on the instance is reported once, not per site", () => {
    const all = judge(matomo({ attestations: [{ rule: "CNIL-OPTOUT", by: "dpo", at: "2026-01-01" }] }, { a: {}, b: {}, c: {} }));
    expect(findings(all, "EXEMPT-UNKNOWN-RULE")).toEqual([expect.objectContaining({ path: "instances.stats.attestations[0]" })]);
  });
});
