import type { Rule } from "../../types";
import { cite } from "../sources";

export const NoPiiCustom: Rule = {
  id: "CNIL-NO-PII-CUSTOM",
  title: "Custom dimensions, custom variables and events carry no personal data",
  explanation:
    "Custom dimensions and events are free text: whatever the site sends is stored as is. Both CNIL guides ask not to use them for personal data; what a dimension holds is known only to the people who wrote the tracking code.",
  ...cite("GM", "GP"),
  remediation: "Review every custom dimension, variable and event the site sends, then attest that none carries personal data.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "H", piwikpro: "H" },
  reads: {},
};
