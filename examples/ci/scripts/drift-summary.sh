#!/usr/bin/env bash
# Compares the live instances with exempt.yaml (scheduled drift detection), publishes the report,
# and exits with exempt drift's own code: 0 in sync, 2 drift or violation, 1 error. The report is
# written before the exit code is returned, so a failing job still shows what drifted.
#
#   drift-summary.sh
#
# Publishes to $GITHUB_STEP_SUMMARY when set (GitHub Actions), always to EXEMPT_DRIFT_FILE
# (default exempt-drift.md) for artifacts (GitLab CI).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
report="${EXEMPT_DRIFT_FILE:-exempt-drift.md}"
rm -f "$report"

status=0
"$here/exempt.sh" drift --config "${EXEMPT_CONFIG:-exempt.yaml}" --format markdown --out "$report" || status=$?
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$report" ]; then
  cat "$report" >> "$GITHUB_STEP_SUMMARY"
fi
echo "exempt drift exited with $status (0 in sync, 2 drift or violation, 1 error)" >&2
exit "$status"
