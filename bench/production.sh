#!/usr/bin/env bash
# Production-shape benchmark (docs/benchmarks.md): the platform as scripts/run-production.sh runs it on a VM (published,
# Production, its own PostgreSQL and RabbitMQ, 2 token-api, 2 token-refresher, the gateway on https), with the sandbox
# registered through POST /providers. In one run:
#   - GET /tokens/validate/{client_id} in a closed loop (wrk -t2, HTTP/1.1) direct to token-api-1 (http), through the
#     gateway over https and over plain HTTP (the same process: two listeners, plain HTTP served rather than
#     redirected), and through nginx from the OS packages terminating TLS with the same certificate and key;
#     targets alternate, ROUNDS rounds, medians of req/s, p50, p99 and of the CPU time per request of the process
#     measured (/proc utime + stime around each run: token-api-1 for the direct target, the gateway, nginx's master and
#     workers). The gateway balances over both token-api, so nginx's upstream is both of them too (round robin,
#     keep-alive): the same hop.
#   - STARTS timed starts of run-production.sh --no-publish (its local PostgreSQL and RabbitMQ included) to its
#     "Ready" line, each stopped with SIGTERM and waited for; in the same starts, from the script's own lines stamped
#     as they come, the two servers' part (PostgreSQL started -> RabbitMQ's port open) as the baseline, and the
#     migration step (its log's last write) and the services' part after it.
# Nothing else need run: the script starts the sandbox, the platform and nginx itself, on free loopback ports, and stops
# them on exit. Needs wrk, nginx (apt-get install nginx), PostgreSQL and RabbitMQ (scripts/prerequisites.sh), openssl.
# Usage: bench/production.sh [SECONDS=10] [CONNECTIONS=64] [ROUNDS=3] [STARTS=5]   (ROUNDS or STARTS 0: that part skipped)
# PUBLISHED=DIR takes the services from an earlier publish (a run-production.sh data folder's publish/) instead of
# publishing them again (3-4 minutes here).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds="${1:-10}" connections="${2:-64}" rounds="${3:-3}" starts="${4:-5}"
command -v nginx > /dev/null || { echo "nginx is missing: apt-get install nginx" >&2; exit 1; }

work="$(mktemp -d /tmp/bench-production.XXXXXX)"
chmod 755 "$work" # the platform's PostgreSQL runs as the postgres user when this runs as root
data="$work/platform"

# free_range N: the first of N consecutive loopback ports that are free (the platform's internal ports).
free_range() {
  python3 -c '
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base, taken = random.randrange(20000, 30000 - n), []
    try:
        for port in range(base, base + n):
            s = socket.socket(); taken.append(s); s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        for s in taken: s.close()
    print(base); break' "$1"
}
base=$(free_range 24) gateway_port=$(free_port) http_port=$(free_port) nginx_port=$(free_port) sandbox_port=$(free_port)
sandbox="http://127.0.0.1:$sandbox_port"
platform_settings=(TOKENPLATFORM_DATA="$data" GATEWAY_PORT="$gateway_port" GATEWAY_HTTP_PORT="$http_port"
  INTERNAL_PORT_BASE="$base" Gateway__RedirectPlainHttp=false "${high_limits[@]}" Telemetry__TraceSampleRatio=0.01
  Providers__TrustedOrigins__0="$sandbox")
gateway="https://127.0.0.1:$gateway_port" public_url="https://localhost:$gateway_port" # for connect_client

# stop PID [SECONDS=90]: SIGTERM, waited for; SIGKILL after SECONDS.
stop() {
  kill -TERM "$1" 2> /dev/null || return 0
  timeout "${2:-90}" tail --pid="$1" -f /dev/null || kill -KILL "$1" 2> /dev/null || true
  wait "$1" 2> /dev/null || true
}
# leftovers: processes that still mention the platform's data folder (command line or environment), as
# tests/TokenPlatform.Testing/ServerProcesses.cs looks for them. The pattern comes from a file: grep's own command line
# must not hold it.
leftovers() {
  grep -lsF -f <(echo "$data") /proc/[0-9]*/cmdline /proc/[0-9]*/environ | cut -d/ -f3 | sort -u | grep -vx "$$" || true
}

platform_pid="" nginx_pid="" sandbox_pid=""
cleanup() {
  local status=$? left
  trap - EXIT
  [ -z "$nginx_pid" ] || stop "$nginx_pid" 10
  [ -z "$platform_pid" ] || stop "$platform_pid"
  [ -z "$sandbox_pid" ] || stop "$sandbox_pid" 10
  left=$(leftovers)
  [ -z "$left" ] || { echo "still running after the stop: $left" >&2; status=1; }
  if [ "$status" -eq 0 ] || [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept: $work" >&2; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_platform LOG [--no-publish]: run-production.sh with the settings above, each line of its output stamped with
# the time it came ($EPOCHREALTIME) into LOG; returns once it says Ready. Sets platform_pid and started.
stamp() { local line; while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
start_platform() {
  local log="$1" deadline=$((SECONDS + 600))
  shift
  started=$EPOCHREALTIME
  env "${platform_settings[@]}" scripts/run-production.sh "$@" > >(stamp > "$log") 2>&1 &
  platform_pid=$!
  until grep -qs '\[run-production\] Ready' "$log"; do
    if ! kill -0 "$platform_pid" 2> /dev/null || ((SECONDS > deadline)); then
      echo "run-production.sh was not ready:" >&2
      cat "$log" >&2
      tail -n 5 "$data"/logs/*.log >&2
      exit 1
    fi
    sleep 0.05
  done
}
# at LOG TEXT: the stamp of LOG's first line containing TEXT.
at() { grep -m1 -F "$2" "$1" | cut -d' ' -f1; }

# nginx from the OS packages, in the foreground, TLS with the gateway's certificate and key, to both token-api over
# kept-alive HTTP/1.1 connections. Two workers: nginx's `auto` on this machine, as a team would run it (and the
# gateway's thread pool may use both cores too). The gateway's answer headers added alike (HSTS, no-store); no access
# log (the gateway's logs only failures, slow requests and 1 % of the rest here).
start_nginx() {
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" << CONF
$([ "$(id -u)" -eq 0 ] && echo 'user www-data;')
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream token_api {
    server 127.0.0.1:$((base + 1));
    server 127.0.0.1:$((base + 2));
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_protocols TLSv1.2 TLSv1.3; # nginx 1.22 leaves TLS 1.3 out by default; the gateway negotiates it
    ssl_certificate $data/secrets/tls.crt;
    ssl_certificate_key $data/secrets/tls.key;
    location / {
      proxy_pass http://token_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      add_header Strict-Transport-Security "max-age=31536000" always;
      add_header Cache-Control no-store always;
    }
  }
}
CONF
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" -g 'daemon off;' &
  nginx_pid=$!
  wait_for "https://127.0.0.1:$nginx_port/health"
}

# tls URL: the protocol and cipher suite OpenSSL negotiates there by default (as wrk's does).
tls() {
  timeout 10 openssl s_client -brief -connect "${1#https://}" < /dev/null 2>&1 \
    | awk -F': ' '/Protocol version/ { p = $2 } /Ciphersuite/ { c = $2 } END { print p ", " c }'
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)" \
  "at the start; $(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"

echo "Starting the sandbox ($sandbox) and the platform (gateway https $gateway_port, http $http_port)..."
dotnet build TokenPlatform.Sandbox -c Release --nologo -v quiet > "$work/sandbox-build.log" || { cat "$work/sandbox-build.log" >&2; exit 1; }
mkdir -p "$work/sandbox"
ASPNETCORE_ENVIRONMENT=Development dotnet TokenPlatform.Sandbox/bin/Release/net10.0/TokenPlatform.Sandbox.dll \
  --urls "$sandbox" --Sandbox:DatabasePath="$work/sandbox/sandbox.db" > "$work/sandbox/sandbox.log" 2>&1 &
sandbox_pid=$!
wait_for "$sandbox/alive"
if [ -n "${PUBLISHED:-}" ]; then
  mkdir -p "$data" && cp -r "$PUBLISHED" "$data/publish"
  start_platform "$work/start-0.log" --no-publish
  first="the services copied from $PUBLISHED"
else
  start_platform "$work/start-0.log"
  first="publish included"
fi
awk -v ready="$(at "$work/start-0.log" '] Ready')" -v started="$started" \
  -v first="$first" 'BEGIN { printf "first start (%s, the servers initialised): %.1f s\n", first, ready - started }'
key=$(cat "$data/secrets/ADMIN_API_KEY")

if [ "$rounds" -gt 0 ]; then
  curl -sfk -o /dev/null -H "X-API-Key: $key" -H 'content-type: application/json' -d "{\"name\":\"bench-oauth\",
    \"authorization_endpoint\":\"$sandbox/connect/authorize\",\"token_endpoint\":\"$sandbox/connect/token\",
    \"revocation_endpoint\":\"$sandbox/connect/revoke\",\"scopes\":[\"https://www.googleapis.com/auth/business.manage\"],
    \"token_endpoint_auth_method\":\"client_secret_post\"}" "$gateway/providers"
  client=$(connect_client "$key" bench-oauth)
  start_nginx
  targets=("token-api-1 direct|http://127.0.0.1:$((base + 1))|$(listener_pid $((base + 1)))"
    "gateway https|$gateway|$(listener_pid "$gateway_port")"
    "gateway http|http://127.0.0.1:$http_port|$(listener_pid "$gateway_port")"
    "nginx https|https://127.0.0.1:$nginx_port|$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')")
  for target in "${targets[@]}"; do # each answers the request itself, 200 with a valid token, not a redirect
    IFS='|' read -r label url _ <<< "$target"
    curl -sfk -H "X-API-Key: $key" "$url/tokens/validate/$client" | json "['is_valid']" | grep -q True \
      || { echo "$label: no valid answer from $url/tokens/validate/$client" >&2; exit 1; }
  done
  echo "TLS (OpenSSL's defaults, as wrk): gateway $(tls "$gateway"), nginx $(tls "https://127.0.0.1:$nginx_port")"
  echo "CPU per request: token-api-1 for the direct target, the gateway process for both gateway targets, nginx's master and 2 workers"
  compare "$key" "/tokens/validate/$client" "$seconds" "$connections" "$rounds" "${targets[@]}" | tee "$work/medians"
  awk '{ label = substr($0, 1, 22); sub(/ +$/, "", label)
         for (i = 2; i <= NF; i++) { if ($i == "req/s") rps[label] = $(i - 1); if ($i == "µs/request") cpu[label] = $(i - 1) } }
       function line(what, a, b) { if (rps[a] && rps[b]) printf "%-30s req/s %5.2f×   CPU per request %5.2f×\n", what, rps[a] / rps[b], cpu[a] / cpu[b] }
       END { print "ratios:"
             line("gateway https / gateway http", "gateway https", "gateway http")
             line("gateway https / nginx https", "gateway https", "nginx https")
             line("gateway https / direct", "gateway https", "token-api-1 direct")
             line("gateway http / direct", "gateway http", "token-api-1 direct")
             line("nginx https / direct", "nginx https", "token-api-1 direct") }' "$work/medians"
  echo "nginx's error log: $(grep -c . "$work/nginx/error.log" || true) lines; the gateway's log: $(grep -ciE 'fail|error|exception' "$data/logs/token-gateway.log" || true) lines with fail/error/exception"
  stop "$nginx_pid" 10
  nginx_pid=""
fi
stop "$platform_pid"
platform_pid=""

if [ "$starts" -gt 0 ]; then
  times="$work/starts"
  for i in $(seq 1 "$starts"); do
    log="$work/start-$i.log"
    start_platform "$log" --no-publish
    stopping=$EPOCHREALTIME
    stop "$platform_pid"
    platform_pid=""
    stopped=$EPOCHREALTIME
    [ -z "$(leftovers)" ] || { echo "start $i: still running after SIGTERM: $(leftovers)" >&2; exit 1; }
    # The migration step logs to its own file: its last write is the step's end.
    echo "$started $(at "$log" 'Starting PostgreSQL') $(at "$log" 'Starting RabbitMQ') $(at "$log" 'Applying migrations') \
      $(stat -c %.9Y "$data/logs/migrate.log") $(at "$log" '] Ready') $stopping $stopped" \
      | awk '{ printf "%.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f\n", $6 - $1, $4 - $2, $3 - $2, $4 - $3, $5 - $4, $6 - $5, $2 - $1, $8 - $7 }' \
      >> "$times"
  done
  echo "run-production.sh --no-publish, $starts starts (local PostgreSQL and RabbitMQ included, data kept from the first start), seconds:"
  printf '%-66s %7s %7s %7s\n' "" median min max
  column=1
  for what in "start -> Ready (whole)" "baseline: the two servers (PostgreSQL started -> AMQP port open)" \
    "  PostgreSQL started -> ready, roles applied" "  RabbitMQ started -> AMQP port open" \
    "migrations (none pending: the step's own process)" "2 token-api, 2 refreshers, gateway started -> all healthy" \
    "before the servers (checks, secrets)" "SIGTERM -> everything stopped"; do
    cut -d' ' -f"$column" "$times" | sort -n | awk -v what="$what" '{ v[NR] = $1 }
      END { printf "%-66s %7.2f %7.2f %7.2f\n", what, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }'
    column=$((column + 1))
  done
fi
