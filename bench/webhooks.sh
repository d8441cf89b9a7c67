#!/usr/bin/env bash
# Webhook delivery latency (docs/benchmarks.md): TokenRefreshed events committed at a steady rate, each timed from its
# commit to a loopback webhook receiver (signature verified) and, in the same run, to a plain RabbitMQ subscriber.
# Every round starts a platform of its own (local mode, throw-away data, no dashboard), so nothing else need run.
# Usage: bench/webhooks.sh [SECONDS=60] [RATE=100] [ROUNDS=2] [PRODUCER=outbox|refresh]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}" rate="${2:-100}" rounds="${3:-2}" producer="${4:-outbox}"

dotnet build bench/TokenPlatform.Benchmarks -c Release -v q -nologo > /dev/null
for round in $(seq 1 "$rounds"); do
  # Other work on the machine shows in both paths alike: the load average says how busy it was.
  echo "round $round of $rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  # The AppHost's own log lines (info:/warn:/fail: and their continuation lines) are left out; a failure shows them.
  log="$(mktemp)"
  if ! timeout 900 dotnet run -c Release --no-build --project bench/TokenPlatform.Benchmarks -- \
      webhooks "$seconds" "$rate" "$producer" > "$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  grep -vE '^(info|warn|fail|dbug|crit): |^[[:space:]]' "$log" || true
  echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  rm -f "$log"
done
