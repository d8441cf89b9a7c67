#!/usr/bin/env bash
# Runs every test of the solution against real PostgreSQL and RabbitMQ processes, then prints one
# line "N passed, N failed" summed over all test projects.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

require_dotnet
require_local_servers

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
dotnet test TokenPlatform.sln --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One summary line per test assembly: "Passed!  - Failed:     0, Passed:    13, Skipped: ..."
read -r passed failed < <(sed -nE 's/.*Failed: +([0-9]+), Passed: +([0-9]+),.*/\2 \1/p' "$log" \
  | awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }')
echo "$passed passed, $failed failed"
exit "$status"
