#!/usr/bin/env bash
# Key-flood benchmark (docs/benchmarks.md): a good caller validates through the gateway at a steady ~500 req/s
# (16 connections, bench/paced.lua with PAUSE_MS=32), alone and while a second wrk floods the same gateway with
# made-up, well-formed keys (bench/random-keys.lua) as fast as it can from another loopback address ([::1]; the good
# caller comes from 127.0.0.1). The two runs alternate, ROUNDS times; medians of the good caller's req/s, p50, p99
# and failures (non-2xx answers, socket errors), and what the flood got.
# The gateway measured is a copy of the platform's (same build and environment) listening on both addresses itself:
# the platform's port 8002 is DCP's proxy, behind which every caller has the same address. Its per-key limit is set
# above the good caller's rate; the per-address limit for unknown keys keeps its default.
# Usage: start the platform in Release as for bench/validate.sh, then:
#   bench/keyflood.sh ADMIN_API_KEY [SECONDS] [ROUNDS]
# SETTINGS="NAME=VALUE ..." adds settings to the measured gateway, e.g. SETTINGS="Gateway__RateLimits__Enabled=false".
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
key="$1" seconds="${2:-10}" rounds="${3:-3}"

client=$(connect_client "$key")
trap stop_copies EXIT
port=$(free_port)
read -r -a settings <<< "${SETTINGS:-}"
start_copy "$(process_of Token.Gateway)" bench-gateway-keyflood "$port" \
  ASPNETCORE_URLS="http://127.0.0.1:$port;http://[::1]:$port" \
  Gateway__RateLimits__PerApiKey__TokenLimit=1000000 Gateway__RateLimits__PerApiKey__TokensPerPeriod=1000000 \
  "${settings[@]}"
wait_for "http://127.0.0.1:$port/gateway/alive"
wait_for "http://[::1]:$port/gateway/alive"
path="/tokens/validate/$client"
good() {
  PAUSE_MS=32 wrk -t1 -c16 -d"${seconds}s" --latency -s bench/paced.lua -H "X-API-Key: $key" \
    "http://127.0.0.1:$port$path" | wrk_line "$1"
}
flood() { wrk -t1 -c64 -d"${seconds}s" --latency -s bench/random-keys.lua "http://[::1]:$port$path" | wrk_line flood; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; good caller: wrk -t1 -c16 -d${seconds}s" \
  "paced (PAUSE_MS=32) from 127.0.0.1; flood: wrk -t1 -c64 -d${seconds}s random keys from [::1];" \
  "$rounds rounds, medians"
results="$(mktemp)"
good warm-up > /dev/null
for _ in $(seq 1 "$rounds"); do
  good "good caller alone" >> "$results"
  flood >> "$results" &
  flooding=$!
  good "good caller, flooded" >> "$results"
  wait "$flooding"
done
medians "$results" "$(printf 'good caller alone\tgood caller, flooded\tflood')"
echo "(the flood's failures are its refusals: 401 from token-api, 429 from the gateway)"
rm -f "$results"
