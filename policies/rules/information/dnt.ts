import type { Rule } from "../../types";
import { fail, notChecked, pass } from "../helpers";
import { cite } from "../sources";

export const Dnt: Rule = {
  id: "CNIL-DNT",
  title: "The browser's Do-Not-Track signal is honoured (optional hardening, not a CNIL condition)",
  explanation:
    "Do-Not-Track is an objection the visitor has already expressed; honouring it is a cheap way to respect it. Matomo 5 turns it off by default. It is a recommendation, reported as information.",
  // The catalogue gives no source: Do-Not-Track is hardening, closest to the objection right of [G19].
  source: `${cite("G19").source} (hardening, not a CNIL condition: in the spirit of its right to object)`,
  sourceUrl: cite("G19").sourceUrl,
  remediation: "Matomo: `privacy.doNotTrack: true` (the default). Piwik PRO: turn on `respect_visitors_privacy` on the Piwik PRO tag.",
  scope: "instance",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A-w", piwikpro: "A" },
  reads: { matomo: ["privacy.doNotTrack"], piwikpro: [] },
  check(subject) {
    const data = subject.data;
    if (data.product === "piwikpro") return notChecked("the Piwik PRO tag's respect_visitors_privacy is not in the model yet");
    const on = data.privacy.doNotTrack;
    return on ? pass("privacy.doNotTrack", on, "true") : fail("privacy.doNotTrack", on, "true", "Do-Not-Track is ignored");
  },
};
