import type { Rule } from "../../types";
import { cite } from "../sources";

export const ProcessorDpa: Rule = {
  id: "CNIL-PROCESSOR-DPA",
  title: "A processor agreement binds the analytics provider, which commits not to reuse the data",
  explanation:
    "When someone else runs the tool (Matomo Cloud, Piwik PRO, a hosting provider), the exemption holds only if that provider is a processor acting for the publisher alone. The contract says so; no API does.",
  ...cite("CNIL25", "GP"),
  remediation: "Sign the provider's data processing agreement (Piwik PRO requires one), then attest it with its reference in the note.",
  scope: "instance",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "H", piwikpro: "H" },
  reads: {},
};
