#!/usr/bin/env bash
# Validate benchmark (docs/benchmarks.md): GET /tokens/validate/{client_id} for a valid, cached token, direct to
# token-api and through the gateway, next to a constant-JSON endpoint on plain Kestrel, in the same run.
# Usage: start the platform in Release first, in another terminal, tracing 1 % of requests (and, by default, at most
# 10 traces a second per service) as a loaded production service would (tracing every request floods the dashboard,
# which then competes for the CPU), and with gateway limits above what wrk sends:
#   dotnet run --project TokenPlatform.AppHost -c Release --launch-profile http -- --Telemetry:TraceSampleRatio=0.01 \
#     --Gateway:RateLimits:PerApiKey:TokenLimit=1000000 --Gateway:RateLimits:PerApiKey:TokensPerPeriod=1000000
# then: bench/validate.sh ADMIN_API_KEY [SECONDS] [CONNECTIONS] [ROUNDS]
# With COMPARE="NAME=VALUE ..." a second token-api runs next to the platform's own (same build, same environment)
# plus those settings, and both are measured directly, each twice per round in mirrored order (the target that runs
# right after the baseline measures a little lower on this machine), e.g.
#   COMPARE="Telemetry__TraceSampleRatio=0" bench/validate.sh ADMIN_API_KEY
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
key="$1" seconds="${2:-10}" connections="${3:-64}" rounds="${4:-3}"

client=$(connect_client "$key")
trap stop_copies EXIT
start_baseline

targets=("constant-json|$baseline_url" "token-api direct|$(own_url Token.Api)")
if [ -n "${COMPARE:-}" ]; then
  start_compared_api
  compared="token-api, $COMPARE|$compared_url"
  targets+=("$compared" "$compared" "${targets[1]}")
else
  targets+=("through gateway|$gateway")
fi
compare "$key" "/tokens/validate/$client" "$seconds" "$connections" "$rounds" "${targets[@]}"
