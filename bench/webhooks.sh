#!/usr/bin/env bash
# Webhook delivery latency (docs/benchmarks.md): TokenRefreshed events committed at a steady rate, each timed from its
# commit to a loopback webhook receiver (signature verified) and, in the same run, to a plain RabbitMQ subscriber.
# Every round starts a platform of its own (local mode, throw-away data, no dashboard), so nothing else need run.
# Usage: bench/webhooks.sh [SECONDS=60] [RATE=100] [ROUNDS=2] [PRODUCER=outbox|refresh] [NAME=VALUE ...]
# (the last: AppHost settings, e.g. Webhooks:Parallelism=64; the AppHost forwards Webhooks:* to both services)
# HOG=N: N busy loops beside each round from its webhook's registration on (a machine whose cores other work takes,
# the same for both paths).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}" rate="${2:-100}" rounds="${3:-2}" producer="${4:-outbox}" hog="${HOG:-0}"
settings=("${@:5}")

dotnet build bench/TokenPlatform.Benchmarks -c Release -v q -nologo > /dev/null
hogs=()
stop_hogs() { for pid in "${hogs[@]}"; do kill "$pid" 2> /dev/null || true; done; hogs=(); }
trap stop_hogs EXIT
for round in $(seq 1 "$rounds"); do
  # Other work on the machine shows in both paths alike: the load average says how busy it was.
  echo "round $round of $rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  # The AppHost's own log lines (info:/warn:/fail: and their continuation lines) are left out; a failure shows them.
  log="$(mktemp)"
  timeout 900 dotnet run -c Release --no-build --project bench/TokenPlatform.Benchmarks -- \
    webhooks "$seconds" "$rate" "$producer" "${settings[@]}" > "$log" 2>&1 &
  bench=$!
  if ((hog > 0)); then
    until grep -q '^webhook .* for token.refreshed' "$log" || ! kill -0 "$bench" 2> /dev/null; do sleep 0.5; done
    for _ in $(seq 1 "$hog"); do (while :; do :; done) & hogs+=($!); done
    echo "$hog busy loops beside the round"
  fi
  if ! wait "$bench"; then
    stop_hogs; cat "$log" >&2; rm -f "$log"; exit 1
  fi
  stop_hogs
  grep -vE '^(info|warn|fail|dbug|crit): |^[[:space:]]' "$log" || true
  echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  rm -f "$log"
done
