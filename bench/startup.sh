#!/usr/bin/env bash
# Start-up benchmark (docs/benchmarks.md): seconds from starting the built AppHost in local mode with fresh
# data folders until it logs that every resource is healthy; next to it, in the same run, the two servers
# started alone by the same scripts (the floor that the services add to).
# Usage: bench/startup.sh [RUNS]   (build first: dotnet build TokenPlatform.sln; stop ./run.sh: same ports)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
infra=TokenPlatform.Hosting.Local

now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_gone() { for _ in $(seq 1 120); do kill -0 "$1" 2> /dev/null || return 0; sleep 0.5; done; echo "process $1 did not stop" >&2; exit 1; }
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "median %.1f s, min %.1f s, max %.1f s (n=%d)\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR], NR }'; }

platform_once() {
  local log start pid
  log="$(mktemp)"
  start=$(now)
  dotnet run --project TokenPlatform.AppHost --launch-profile http --no-build -- \
    --Infrastructure:Mode=local --Infrastructure:Ephemeral=true > "$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    grep -q "TokenPlatform is ready" "$log" && break
    kill -0 "$pid" 2> /dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$(now) - $start" | bc
  pkill -TERM -P "$pid"; wait_gone "$pid"; rm -f "$log"
}

rabbitmq_once() {
  local dir port start pid
  dir="$(mktemp -d)" port=$(free_port)
  start=$(now)
  RABBITMQ_NODE_PORT=$port RABBITMQ_DIST_PORT=$(free_port) ERL_EPMD_PORT=$(free_port) RABBITMQ_USER=bench RABBITMQ_PASSWORD=bench \
    RABBITMQ_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server bash "$infra/rabbitmq-local.sh" "$dir" true > /dev/null 2>&1 &
  pid=$!
  until (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; do sleep 0.1; done
  echo "$(now) - $start" | bc
  kill -TERM "$pid"; wait_gone "$pid"
}

postgres_once() {
  local dir port start pid bin
  bin="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/postgres | sort -V | tail -1)")"
  dir="$(mktemp -u)" port=$(free_port)
  start=$(now)
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -m 700 "$dir"; chown postgres:postgres "$dir"
    PGPORT=$port POSTGRES_PASSWORD=bench PG_BIN=$bin runuser -u postgres -- bash "$infra/postgres-local.sh" "$dir" true tokendb > /dev/null 2>&1 &
  else
    mkdir -m 700 "$dir"
    PGPORT=$port POSTGRES_PASSWORD=bench PG_BIN=$bin bash "$infra/postgres-local.sh" "$dir" true tokendb > /dev/null 2>&1 &
  fi
  pid=$!
  until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d tokendb; do sleep 0.1; done
  echo "$(now) - $start" | bc
  kill -TERM "$pid"; wait_gone "$pid"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uname -sr)"
for kind in platform rabbitmq postgres; do
  for _ in $(seq 1 "$runs"); do "${kind}_once"; done | stats | sed "s/^/$kind: /"
done
