import type { EvidenceStatus } from "../vocabulary";
import { Html, trusted } from "./html";

/**
 * One inline SVG symbol per status, drawn in `currentColor`. Shapes differ (filled circle and check
 * for a live reading, dashed circle and slash for "enforced, not observable", a diamond for an
 * attestation…), so the statuses stay apart in black-and-white print and without any font.
 */
const SHAPES: Record<EvidenceStatus, string> = {
  "verified-live": '<circle cx="8" cy="8" r="7" fill="currentColor"/><path d="M4.5 8.3l2.3 2.3 4.7-5" fill="none" stroke="#fff" stroke-width="2"/>',
  "observed-database": '<rect x="1" y="1" width="14" height="14" rx="2" fill="currentColor"/><path d="M4.5 8.3l2.3 2.3 4.7-5" fill="none" stroke="#fff" stroke-width="2"/>',
  "enforced-not-observable": '<circle cx="8" cy="8" r="6.3" fill="none" stroke="currentColor" stroke-width="1.6" stroke-dasharray="2.2 1.6"/><path d="M3.5 12.5l9-9" stroke="currentColor" stroke-width="1.8"/>',
  "not-observable": '<path d="M8 1.5L15 14.5H1z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><path d="M8 6v4.2" stroke="currentColor" stroke-width="1.8"/><circle cx="8" cy="12.3" r="1" fill="currentColor"/>',
  attested: '<path d="M8 1l7 7-7 7-7-7z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><path d="M5 9.5c1-2 2 1 3-1s2 1 3-1" fill="none" stroke="currentColor" stroke-width="1.4"/>',
  "to-confirm": '<rect x="1.8" y="1.8" width="12.4" height="12.4" fill="none" stroke="currentColor" stroke-width="1.6" stroke-dasharray="1.6 1.4"/>',
  suppressed: '<circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.6"/><circle cx="8" cy="8" r="4.2" fill="none" stroke="currentColor" stroke-width="1"/><path d="M4.8 8h6.4" stroke="currentColor" stroke-width="1.8"/>',
  violated: '<path d="M5 1h6l4 4v6l-4 4H5l-4-4V5z" fill="currentColor"/><path d="M5.3 5.3l5.4 5.4M10.7 5.3l-5.4 5.4" stroke="#fff" stroke-width="2"/>',
  "recommendation-not-followed": '<circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M8 7v5" stroke="currentColor" stroke-width="1.8"/><circle cx="8" cy="4.6" r="1" fill="currentColor"/>',
  "not-checked": '<circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.4" stroke-dasharray="1 1.6"/><circle cx="5" cy="8" r="0.9" fill="currentColor"/><circle cx="8" cy="8" r="0.9" fill="currentColor"/><circle cx="11" cy="8" r="0.9" fill="currentColor"/>',
  "declared-only": '<circle cx="8" cy="8" r="6.3" fill="none" stroke="currentColor" stroke-width="1.6" stroke-dasharray="3 2"/>',
  "not-applicable": '<path d="M4 8h8" stroke="currentColor" stroke-width="1.8"/>',
};

export function statusIcon(status: EvidenceStatus, size = 14): Html {
  return trusted(`<svg class="sym" viewBox="0 0 16 16" width="${size}" height="${size}" aria-hidden="true" focusable="false">${SHAPES[status]}</svg>`);
}
