/**
 * Piwik PRO writes timestamps with an explicit `+00:00` offset and no fractional seconds
 * (`2020-05-27T10:23:01+00:00`); the Tag Manager schemas even pin that shape with a pattern, so a
 * `Z` suffix would break the contract.
 */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}
