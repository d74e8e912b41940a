import type { Instance } from "../model/config";
import type { LiveInstance } from "./types";
import { redactSecrets } from "../model/secrets";

/** What a database observer read: model privacy fields it could see, and why it could not see the others. */
export interface ObservedPrivacy {
  /** Values under model names (privacy.ipMaskBytes -> `ipMaskBytes`). */
  values: Record<string, unknown>;
  /** Fields it looked for and could not establish (missing row, unexpected value), with a note each. */
  unreadable: Record<string, string>;
  /** Remarks for reports (e.g. "the observer's user can write: grant SELECT only"). */
  notes: string[];
}

export type PrivacyObserver = (instanceId: string, instance: Instance, options: { env: NodeJS.ProcessEnv; log: (m: string) => void }) => Promise<ObservedPrivacy>;

/**
 * Matomo's API cannot read back its privacy settings; a read-only view of its `option` table can.
 * When an instance declares `observer.database`, what it reads replaces "not observable" for
 * those fields, with the evidence "database". Without one, nothing changes.
 */
export async function withObservedPrivacy(
  instanceId: string,
  instance: Instance,
  live: LiveInstance,
  options: { env: NodeJS.ProcessEnv; log: (m: string) => void; observer?: PrivacyObserver; onFailure?: "fail" | "report" },
): Promise<LiveInstance> {
  if (instance.kind !== "matomo" || !instance.observer) return live;
  const observe: PrivacyObserver = options.observer ?? require("../backends/matomo-db").observeMatomoPrivacy;
  let observed: ObservedPrivacy;
  try {
    observed = await observe(instanceId, instance, options);
  } catch (err) {
    // plan/drift fail: the user asked to see these settings, and "no drift" would be a lie. apply
    // goes on: its writes do not depend on the database, and it re-asserts the settings unread.
    if (options.onFailure !== "report") throw err;
    const why = redactSecrets(err instanceof Error ? err.message : String(err));
    options.log(`warning: privacy settings not observed: ${why}`);
    return { ...live, notes: [...live.notes, `privacy settings not observed: ${why}; they are written without being read back`] };
  }
  const privacy = { ...live.privacy };
  const privacyUnknown = { ...live.privacyUnknown };
  const privacyEvidence = { ...live.privacyEvidence };
  for (const [field, value] of Object.entries(observed.values)) {
    privacy[field] = value;
    privacyEvidence[field] = "database";
    delete privacyUnknown[field];
  }
  for (const [field, note] of Object.entries(observed.unreadable)) {
    privacyUnknown[field] = { why: "not-observable", enforcedOnApply: privacyUnknown[field]?.enforcedOnApply ?? true, note };
  }
  return { ...live, privacy, privacyUnknown, privacyEvidence, notes: [...live.notes, ...observed.notes] };
}
