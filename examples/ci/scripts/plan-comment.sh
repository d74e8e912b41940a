#!/usr/bin/env bash
# Plans exempt.yaml against the live instances and posts the plan as the pull (merge) request's
# comment, editing the comment it posted before rather than adding one per push.
#
#   plan-comment.sh github|gitlab
#
# Exit: 0 when the plan ran (with or without changes: the comment says which), 1 when it could
# not run or the comment could not be posted. Violations fail the check job, not this one.
# Reads: EXEMPT_CONFIG (default exempt.yaml), EXEMPT_MARKER (default exempt-plan), the instances'
# credentials named in exempt.yaml, and the API variables of upsert-comment.mjs.
set -euo pipefail
provider="${1:?usage: plan-comment.sh github|gitlab}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
body="${EXEMPT_PLAN_FILE:-exempt-plan.md}"
rm -f "$body"

status=0
"$here/exempt.sh" plan --config "${EXEMPT_CONFIG:-exempt.yaml}" --format markdown --comment-marker "${EXEMPT_MARKER:-exempt-plan}" --out "$body" || status=$?
echo "exempt plan exited with $status (0 no change, 2 changes or violations, 1 error)" >&2

# An instance that could not be read still yields a report worth showing; a config error yields none.
if [ -s "$body" ]; then
  node "$here/upsert-comment.mjs" "$provider" "$body"
fi
[ "$status" -ne 1 ]
