import type { Rule } from "../../types";
import { cite } from "../sources";

export const InfoPolicy: Rule = {
  id: "CNIL-INFO-POLICY",
  title: "Visitors are informed of the measurement (tool, purpose, retention, processor), e.g. in the privacy policy",
  explanation:
    "An exemption from consent is not an exemption from information: the guidelines and the recommendation ask publishers to tell visitors which tool measures them, why, for how long and who processes the data. The text of a privacy page is for a person to check.",
  ...cite(["G20", "§52"], "R20", "GP"),
  remediation: "Name the tool, the purpose, the retention and the processor on the site's privacy page (Piwik PRO provides disclosure templates), then attest it.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "H", piwikpro: "H" },
  reads: {},
};
