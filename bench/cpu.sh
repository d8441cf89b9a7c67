#!/usr/bin/env bash
# CPU per request (docs/benchmarks.md): GET /tokens/validate/{client_id} in a closed loop (wrk -t2 -c64), one target at
# a time: the constant-JSON baseline, token-api, and with COMPARE a second token-api; for each, req/s, the CPU time the
# target spent per request and the share of a core the Aspire dashboard used meanwhile (user + system time from /proc).
# Steadier on this machine than req/s alone, and it shows what the dashboard takes from the services it watches.
# Usage: start the platform in Release first, as for bench/validate.sh, then:
#   bench/cpu.sh ADMIN_API_KEY [SECONDS] [ROUNDS]
# With COMPARE="NAME=VALUE ..." a second token-api runs next to the platform's own with those settings added, e.g.
#   COMPARE="Telemetry__MaxTracesPerSecond=1000000" bench/cpu.sh ADMIN_API_KEY
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
key="$1" seconds="${2:-10}" rounds="${3:-2}"
hz=$(getconf CLK_TCK)
dashboard=$(pgrep -f "tools/Aspire.Dashboard" | head -1)

client=$(connect_client "$key")
trap stop_copies EXIT
start_baseline

targets=("constant-json|$baseline_url|$baseline_pid" "token-api|$(own_url Token.Api)|$(process_of Token.Api)")
if [ -n "${COMPARE:-}" ]; then
  start_compared_api
  targets+=("token-api, $COMPARE|$compared_url|$compared_pid")
fi

measure() {
  local label="$1" url="$2" pid="$3" before dashboard_before rps
  before=$(cpu_ticks "$pid") dashboard_before=$(cpu_ticks "$dashboard")
  rps=$(wrk -t2 -c64 -d"${seconds}s" -H "X-API-Key: $key" "$url/tokens/validate/$client" | awk '/Requests\/sec/ { print $2 }')
  awk -v label="$label" -v rps="$rps" -v cpu=$(($(cpu_ticks "$pid") - before)) -v dashboard=$(($(cpu_ticks "$dashboard") - dashboard_before)) \
    -v seconds="$seconds" -v hz="$hz" 'BEGIN { printf "%-50s %8.0f req/s   %6.1f µs CPU per request   dashboard %3.0f %% of a core\n",
      label, rps, cpu / hz * 1e6 / (rps * seconds), 100 * dashboard / hz / seconds }'
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; wrk -t2 -c64 -d${seconds}s /tokens/validate/$client, $rounds rounds"
for target in "${targets[@]}"; do IFS='|' read -r label url pid <<< "$target"; measure "$label" "$url" "$pid" > /dev/null; done # warm-up (tiered JIT)
for _ in $(seq 1 "$rounds"); do
  for target in "${targets[@]}"; do IFS='|' read -r label url pid <<< "$target"; measure "$label" "$url" "$pid"; done
done
