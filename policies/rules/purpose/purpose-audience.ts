import type { Rule } from "../../types";
import { cite } from "../sources";

export const PurposeAudience: Rule = {
  id: "CNIL-PURPOSE-AUDIENCE",
  title: "The tracker serves audience measurement alone, for the publisher alone",
  explanation:
    "The exemption covers only what is strictly necessary to run the site: performance, navigation problems, technical or ergonomic optimisation, server capacity, the content viewed. Any other purpose (advertising, profiling, sharing with others) needs consent. No setting shows intent, so a person confirms it.",
  ...cite(["G20", "§51"], "CNIL25"),
  remediation: "Attest that the statistics are used for audience measurement only (`attestations: [{ rule: CNIL-PURPOSE-AUDIENCE, by, at }]`); otherwise declare the site `mode: consent`.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "H", piwikpro: "H" },
  reads: {},
};
