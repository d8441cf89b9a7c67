#!/usr/bin/env bash
# Validate benchmark (docs/benchmarks.md): GET /tokens/validate/{client_id} for a valid, cached token, direct to
# token-api and through the gateway, next to a constant-JSON endpoint on plain Kestrel, in the same run.
# Usage: start the platform in Release first, in another terminal, tracing 1 % of requests as a loaded
# production service would (tracing every request floods the dashboard, which then competes for the CPU), and with
# gateway limits above what wrk sends:
#   dotnet run --project TokenPlatform.AppHost -c Release --launch-profile http -- --Telemetry:TraceSampleRatio=0.01 \
#     --Gateway:RateLimits:PerApiKey:TokenLimit=1000000 --Gateway:RateLimits:PerApiKey:TokensPerPeriod=1000000
# then: scripts/bench-validate.sh ADMIN_API_KEY [SECONDS] [CONNECTIONS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
key="$1" seconds="${2:-10}" connections="${3:-64}" rounds="${4:-3}"

client=$(connect_client "$key")
baseline_port=$(free_port)
dotnet run -c Release bench/ConstantJson.cs -- --urls "http://127.0.0.1:$baseline_port" > /dev/null 2>&1 &
baseline_pid=$!
trap 'kill $baseline_pid 2> /dev/null || true' EXIT
wait_for "http://127.0.0.1:$baseline_port/tokens/validate/1"

compare "$key" "/tokens/validate/$client" "$seconds" "$connections" "$rounds" \
  "constant-json|http://127.0.0.1:$baseline_port" "token-api direct|$(direct_url)" "through gateway|$gateway"
