import type { Rule } from "../../types";
import { notChecked } from "../helpers";
import { cite } from "../sources";

/**
 * Vendor hardening from Matomo's CNIL policy, not a CNIL condition: the settings behind it are read
 * through the compliance API, which the model does not describe yet, so it is reported as not checked.
 */
export const DeviceMinimise: Rule = {
  id: "CNIL-DEVICE-MINIMISE",
  title: "Device data is minimised: no device-model or screen-resolution detection, rounded segmented data, a limited segment list",
  explanation:
    "Matomo's CNIL compliance policy turns off device-model and screen-resolution detection, rounds segmented figures and removes the visitIp and visitServerHour segments, which narrow statistics down to individuals. It is vendor hardening rather than CNIL text.",
  ...cite("MPOL"),
  remediation: "Matomo: enable the cnil_v1 compliance policy's device settings (Admin → Privacy → Compliance). Piwik PRO: consider `sessionIdStrictPrivacyMode` (no device data).",
  scope: "instance",
  products: ["matomo", "piwikpro"],
  verification: { matomo: "A", piwikpro: "A" },
  reads: {},
  check(subject) {
    return subject.data.product === "matomo"
      ? notChecked("device-data settings of Matomo's cnil_v1 policy are not in the model yet: check Admin → Privacy → Compliance")
      : notChecked("Piwik PRO's sessionIdStrictPrivacyMode is not in the model yet");
  },
};
