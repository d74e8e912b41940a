#!/usr/bin/env bash
# Judges exempt.yaml against the CNIL rule pack, offline, and writes the findings for the CI's
# review tools: SARIF for code scanning (GitHub), JUnit for test reports (GitLab).
#
#   check-report.sh sarif|junit FILE
#
# Exit: exempt check's own code: 0 compliant, 2 violation, 1 bad input.
set -euo pipefail
format="${1:?usage: check-report.sh sarif|junit FILE}"
file="${2:?usage: check-report.sh sarif|junit FILE}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
status=0
"$here/exempt.sh" check --config "${EXEMPT_CONFIG:-exempt.yaml}" --format "$format" --out "$file" > /dev/null || status=$?
echo "exempt check exited with $status (0 compliant, 2 violation, 1 bad input); findings in $file" >&2
exit "$status"
