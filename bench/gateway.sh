#!/usr/bin/env bash
# Gateway benchmark (docs/benchmarks.md): what the rate limiter costs. GET /tokens/validate/{client_id} direct to
# token-api and through two more gateways started next to the platform's own, identical to it (same build, same
# environment, so the same telemetry) except that one runs its limiter with limits far above what wrk sends and the
# other has it switched off (Gateway:RateLimits:Enabled=false).
# Usage: start the platform in Release first, as for bench/validate.sh:
#   dotnet run --project TokenPlatform.AppHost -c Release --launch-profile http -- --Telemetry:TraceSampleRatio=0.01
# then: bench/gateway.sh ADMIN_API_KEY [SECONDS] [CONNECTIONS] [ROUNDS]
# With COMPARE="NAME=VALUE ..." the second gateway runs the limiter too (same high limits) plus those settings, to
# measure something else that a gateway costs, e.g.
#   COMPARE="Logging__LogLevel__Token.Gateway.AccessLog=Warning" bench/gateway.sh ADMIN_API_KEY
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
key="$1" seconds="${2:-10}" connections="${3:-64}" rounds="${4:-3}"

client=$(connect_client "$key")
platform_gateway=$(process_of Token.Gateway)
trap stop_copies EXIT
start_gateway() { start_copy "$platform_gateway" "$@"; }
on_port=$(free_port) off_port=$(free_port)
start_gateway bench-gateway-limiter-on "$on_port" "${high_limits[@]}"
if [ -n "${COMPARE:-}" ]; then
  read -r -a settings <<< "$COMPARE"
  start_gateway bench-gateway-compared "$off_port" "${high_limits[@]}" "${settings[@]}"
  second="gateway, $COMPARE"
else
  start_gateway bench-gateway-limiter-off "$off_port" Gateway__RateLimits__Enabled=false
  second="gateway, limiter off"
fi
wait_for "http://127.0.0.1:$on_port/gateway/alive"
wait_for "http://127.0.0.1:$off_port/gateway/alive"

compare "$key" "/tokens/validate/$client" "$seconds" "$connections" "$rounds" \
  "token-api direct|$(own_url Token.Api)" "gateway, limiter on|http://127.0.0.1:$on_port" "$second|http://127.0.0.1:$off_port"
