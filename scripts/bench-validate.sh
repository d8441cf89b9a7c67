#!/usr/bin/env bash
# Validate benchmark (docs/benchmarks.md): GET /tokens/validate/{client_id} for a valid, cached token, direct to
# token-api and through the gateway, next to a constant-JSON endpoint on plain Kestrel, in the same run.
# Usage: start the platform in Release first, in another terminal, tracing 1 % of requests as a loaded
# production service would (tracing every request floods the dashboard, which then competes for the CPU):
#   dotnet run --project TokenPlatform.AppHost -c Release --launch-profile http -- --Telemetry:TraceSampleRatio=0.01
# then: scripts/bench-validate.sh ADMIN_API_KEY [SECONDS] [CONNECTIONS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
key="$1" seconds="${2:-10}" connections="${3:-64}" rounds="${4:-3}"
gateway=http://127.0.0.1:8002
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A client with a fresh grant from the sandbox provider.
sandbox=$(curl -sf -H "X-API-Key: $key" "$gateway/providers/sandbox" | json "['token_endpoint']" | sed 's|/connect/token||')
curl -sf -X PUT -H 'content-type: application/json' -d '{"auto_approve":true}' "$sandbox/sandbox/switches" > /dev/null
name="bench-$RANDOM$RANDOM"
curl -sf -H 'content-type: application/json' -d "{\"client_id\":\"$name\",\"client_secret\":\"bench-secret\",\"redirect_uris\":[\"http://localhost:8002/auth/callback\"]}" "$sandbox/sandbox/clients" > /dev/null
client=$(curl -sf -H "X-API-Key: $key" -H 'content-type: application/json' \
  -d "{\"client_id\":\"$name\",\"client_secret\":\"bench-secret\",\"redirect_uri\":\"http://localhost:8002/auth/callback\",\"provider\":\"sandbox\"}" "$gateway/clients" | json "['id']")
login=$(curl -sf -H "X-API-Key: $key" "$gateway/oauth/start/$client" | json "['login_url']")
authorize=$(curl -s -o /dev/null -w '%{redirect_url}' "$login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$authorize")
curl -sf -H 'accept: application/json' "$callback" > /dev/null
curl -sf -H "X-API-Key: $key" "$gateway/tokens/validate/$client" | json "['is_valid']" | grep -q True

# token-api's own port, behind Aspire's proxy.
api_pid=$(pgrep -f 'bin/Release/net10.0/Token.Api$' | head -1)
direct="http://127.0.0.1:$(ss -ltnpH | grep "pid=$api_pid," | awk '{print $4}' | sed 's/.*://' | head -1)"

baseline_port=$(free_port)
dotnet run -c Release bench/ConstantJson.cs -- --urls "http://127.0.0.1:$baseline_port" > /dev/null 2>&1 &
baseline_pid=$!
trap 'kill $baseline_pid 2> /dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$baseline_port/tokens/validate/1" > /dev/null; do sleep 0.5; done

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; wrk -t2 -c$connections -d${seconds}s --latency, $rounds rounds (targets alternate), medians"
targets=("constant-json|http://127.0.0.1:$baseline_port" "token-api direct|$direct" "through gateway|$gateway")
results="$(mktemp)"
for target in "${targets[@]}"; do
  wrk -t2 -c"$connections" -d3s -H "X-API-Key: $key" "${target#*|}/tokens/validate/$client" > /dev/null # warm-up
done
for _ in $(seq 1 "$rounds"); do
  for target in "${targets[@]}"; do
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "X-API-Key: $key" "${target#*|}/tokens/validate/$client" \
      | awk -v label="${target%%|*}" '
          function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; return v * 1000 }
          /Requests\/sec/ { rps = $2 } / 50%/ { p50 = ms($2) } / 99%/ { p99 = ms($2) } /Non-2xx/ { bad = $NF }
          END { printf "%s|%s|%s|%s|%s\n", label, rps, p50, p99, bad + 0 }' >> "$results"
  done
done
for target in "${targets[@]}"; do
  label="${target%%|*}"
  grep "^$label|" "$results" | awk -F'|' -v label="$label" '
    { rps[NR] = $2; p50[NR] = $3; p99[NR] = $4; bad += $5 }
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return a[int((n + 1) / 2)] }
    END { printf "%-18s %10.0f req/s   p50 %6.2f ms   p99 %6.2f ms   non-2xx %d\n", label, median(rps, NR), median(p50, NR), median(p99, NR), bad }'
done
rm -f "$results"
