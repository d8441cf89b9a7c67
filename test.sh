#!/usr/bin/env bash
# Runs the tests against real PostgreSQL and RabbitMQ processes, then prints one line "N passed, N failed"
# summed over all test projects.
#   ./test.sh        every test: the fast tier and the end-to-end tests (whole platforms under the AppHost)
#   ./test.sh fast   the fast tier alone (TokenPlatform.Fast.slnf): no AppHost; token-api in process, unit tests
# Further arguments go to `dotnet test` (after a Debug build), e.g.
#   ./test.sh fast --filter "FullyQualifiedName~Validate"
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

tests=TokenPlatform.sln
if [ "${1:-}" = fast ]; then
  tests=TokenPlatform.Fast.slnf
  shift
fi

require_dotnet
require_local_servers

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Everything is built before any test runs: otherwise each test project runs as soon as it is built, and the fast
# tier's servers slow down the build of the end-to-end tests, the longest, which then start last.
dotnet build "$tests" --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then
  dotnet test "$tests" --no-build --nologo "$@" 2>&1 | tee -a "$log"
  status=${PIPESTATUS[0]}
fi

# One summary line per test assembly: "Passed!  - Failed:     0, Passed:    13, Skipped: ..."
read -r passed failed < <(sed -nE 's/.*Failed: +([0-9]+), Passed: +([0-9]+),.*/\2 \1/p' "$log" \
  | awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }')
echo "$passed passed, $failed failed"
exit "$status"
