#!/usr/bin/env bash
# The fault-injection run (issue 18, docs/reliability.md): PostgreSQL, RabbitMQ and the sandbox as local processes,
# N grants with short access-token lifetimes and refresh-token rotation, 2 token-api, 2 token-refresher and the
# gateway as processes of their own, validate calls all the time (through the gateway and to each token-api), and a
# fault schedule drawn from the seed (printed): kill -9 of a service (restarted; once while the sandbox holds
# rotated answers back), PostgreSQL or RabbitMQ stopped and started again, the sandbox answering 503 or slowly.
# Prints the invariants as a table at the end; exit code 0 when all hold, 1 when one does not. Ctrl+C or SIGTERM
# stops everything it started (exit 130).
#
#   bench/chaos.sh [--grants N=200] [--minutes M=2] [--seed S=random] [--lifetime SECONDS=60]
#                  [--reuse-seconds SECONDS=0: the provider's reuse grace period] [--lanes 1|2: faults overlapping]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
require_dotnet
require_local_servers

dotnet build bench/Chaos -c Release --nologo -v quiet > /dev/null
exec dotnet bench/Chaos/bin/Release/net10.0/Chaos.dll "$@"
