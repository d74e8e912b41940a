import type { Rule } from "../../types";
import { cite } from "../sources";

export const NoCrossref: Rule = {
  id: "CNIL-NO-CROSSREF",
  title: "The statistics are never combined with other processing (CRM, advertising platforms, other sites' statistics, integrations)",
  explanation:
    "Joining audience data with a customer database, an advertising platform or another site's statistics turns anonymous counts into profiles. The guidelines exclude any such cross-referencing; plugins and integrations that import or export data are where it happens, and what they join is known only to their operators.",
  ...cite(["G20", "§51"], "GP"),
  remediation: "Turn off import connectors, advertising and search-console plugins or integrations (Matomo plugin list; Piwik PRO Analytics → Settings → Integrations), then attest that no processing joins the statistics.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "H", piwikpro: "H" },
  reads: {},
};
