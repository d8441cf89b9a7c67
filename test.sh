#!/usr/bin/env bash
# Runs the tests against real PostgreSQL and RabbitMQ processes, then prints one line "N passed, N failed"
# summed over all test projects.
#   ./test.sh        every test: the fast tier, then the slow one (TokenPlatform.Slow.slnf): replicas in one process,
#                    which wait for refreshes, beside the end-to-end tests (a whole platform under the AppHost), then
#                    the short chaos run (TokenPlatform.Chaos.slnf)
#   ./test.sh fast   the fast tier alone (TokenPlatform.Fast.slnf): no AppHost; token-api in process, unit tests
#   ./test.sh chaos  the short chaos run alone (about four minutes; docs/reliability.md)
# Further arguments go to `dotnet test` (after a Debug build), e.g.
#   ./test.sh fast --filter "FullyQualifiedName~Validate"
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

# The fast tier runs first, so its answer comes in a minute or two; then the slow tier, whose projects run side by
# side (the replicas mostly wait while the platform starts). The chaos run comes last: it wants both cores to itself. A new test
# project goes into TokenPlatform.Fast.slnf unless it starts the AppHost or waits for refreshes.
build=TokenPlatform.sln
tiers=(TokenPlatform.Fast.slnf TokenPlatform.Slow.slnf TokenPlatform.Chaos.slnf)
if [ "${1:-}" = fast ]; then
  build=TokenPlatform.Fast.slnf
  tiers=(TokenPlatform.Fast.slnf)
  shift
elif [ "${1:-}" = chaos ]; then
  build=TokenPlatform.Chaos.slnf
  tiers=(TokenPlatform.Chaos.slnf)
  shift
fi

require_dotnet
require_local_servers

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
dotnet build "$build" --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then
  for tier in "${tiers[@]}"; do
    dotnet test "$tier" --no-build --nologo "$@" 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
fi

# One summary line per test assembly: "Passed!  - Failed:     0, Passed:    13, Skipped: ..."
read -r passed failed < <(sed -nE 's/.*Failed: +([0-9]+), Passed: +([0-9]+),.*/\2 \1/p' "$log" \
  | awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }')
echo "$passed passed, $failed failed"
exit "$status"
