#!/usr/bin/env bash
# Runs the whole platform: PostgreSQL, RabbitMQ, token-api, token-refresher and the gateway, under the Aspire AppHost.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

require_dotnet
if ! container_engine_answers; then
  echo "No container engine answers: PostgreSQL and RabbitMQ run as local processes."
  require_local_servers
fi

dotnet build TokenPlatform.AppHost --nologo -v quiet
echo
echo "Gateway:   http://localhost:8002   (all HTTP API calls go here)"
echo "Dashboard: http://localhost:15200  (the login link with its token is printed below)"
echo
exec dotnet run --project TokenPlatform.AppHost --launch-profile http --no-build "$@"
