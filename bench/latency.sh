#!/usr/bin/env bash
# Latency benchmark (docs/benchmarks.md): p50/p99 of GET /tokens/validate/{client_id} at steady rates below
# saturation (bench/paced.lua), direct to token-api, through a bare YARP forwarder in front of token-api (the cost of
# the extra hop alone, bench/BareProxy.cs), through the gateway on its own port, and through port 8002 (DCP's proxy in
# front of the gateway under `dotnet run`), in the same run.
# Usage: start the platform in Release first, as for bench/validate.sh, then:
#   bench/latency.sh ADMIN_API_KEY [SECONDS] [CONNECTIONS] [ROUNDS] [PAUSE_MS ...]
# Each connection pauses PAUSE_MS on average between requests, so the rate is about CONNECTIONS * 1000 / PAUSE_MS.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
key="$1" seconds="${2:-10}" connections="${3:-64}" rounds="${4:-3}"
pauses=("${@:5}")
((${#pauses[@]})) || pauses=(160 80 40 20)

client=$(connect_client "$key")
direct=$(own_url Token.Api)
proxy_port=$(free_port)
dotnet run -c Release bench/BareProxy.cs -- --urls "http://127.0.0.1:$proxy_port" --Target "$direct" > /dev/null 2>&1 &
proxy_pid=$!
trap 'kill $proxy_pid 2> /dev/null || true' EXIT
wait_for "http://127.0.0.1:$proxy_port/alive"

for pause in "${pauses[@]}"; do
  PAUSE_MS=$pause compare "$key" "/tokens/validate/$client" "$seconds" "$connections" "$rounds" \
    "token-api direct|$direct" "bare YARP hop|http://127.0.0.1:$proxy_port" "through gateway|$(own_url Token.Gateway)" \
    "gateway via DCP (8002)|$gateway"
done
