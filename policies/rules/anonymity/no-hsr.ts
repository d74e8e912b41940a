import type { MatomoSite } from "../../../model/matomo";
import type { Rule, Subject, Verdict } from "../../types";
import { fail, isKnown, matomoContainers, notChecked, pass, piwikProTemplatesNeedConsent, TAG_LIST_READS } from "../helpers";
import { cite } from "../sources";

/** Piwik PRO templates that record or map behaviour on the page. */
export const HSR_TEMPLATES = ["heatmaps", "hot_jar", "crazy_egg", "click_tale"] as const;

/**
 * The condition itself is "only after consent", so on a `mode: consent` site Matomo heatmaps pass
 * when every container waits for consent, and are otherwise left to the live page, where the
 * `HeatmapSessionRecording::disable` call shows. The pack keeps the rule's level on consent sites.
 */
export const NoHsr: Rule = {
  id: "CNIL-NO-HSR",
  title: "Heatmaps and session recordings never run without consent",
  explanation:
    "Heatmaps and session recordings capture a visitor's movements, clicks and keystrokes on a page: that is behaviour, not audience. They need consent, under the exemption and on consent sites alike.",
  ...cite("HSR", "UTM", "GM"),
  remediation:
    "Matomo: `features.heatmaps: false` and `features.sessionRecordings: false` on exempt sites; on consent sites gate them (`HeatmapSessionRecording::disable` until consent). Piwik PRO: heatmap and recording tags never use not_require_consent.",
  scope: "site",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A", piwikpro: "A" },
  reads: { matomo: ["site.features.heatmaps", "site.features.sessionRecordings"], piwikpro: [...TAG_LIST_READS, "site.askConsent"] },
  optionalReads: { matomo: ["site.tagManager"] },
  check(subject) {
    const data = subject.data;
    if (data.product === "piwikpro") return piwikProTemplatesNeedConsent(data.site, HSR_TEMPLATES, "heatmap or session recording");
    const verdicts: Verdict[] = [];
    for (const feature of ["heatmaps", "sessionRecordings"] as const) {
      const field = `site.features.${feature}`;
      const on = data.site.features[feature];
      if (!on) verdicts.push(pass(field, on, "false"));
      else if (subject.mode === "exempt") verdicts.push(fail(field, on, "false", `${feature === "heatmaps" ? "heatmaps are" : "session recordings are"} on, on a site that claims the exemption`));
      else verdicts.push(matomoConsentGated(subject, data.site, field));
    }
    return verdicts;
  },
};

function matomoConsentGated(subject: Subject, site: MatomoSite, field: string): Verdict {
  if (!isKnown(subject, "site.tagManager")) return notChecked("heatmaps and recordings must wait for consent: the gating shows on the live page", field);
  const containers = matomoContainers(site);
  if (containers.length && containers.every(([, c]) => c.matomoConfiguration.requireConsent))
    return pass(field, true, "only after consent", "every Tag Manager container waits for consent before tracking, heatmaps included");
  return notChecked("heatmaps and recordings must wait for consent: `HeatmapSessionRecording::disable` until consent shows only on the live page", field);
}
