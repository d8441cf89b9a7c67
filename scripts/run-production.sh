#!/usr/bin/env bash
# Runs the platform on this machine as a VM deployment runs it (docs/deployment.md, "One VM"): publishes the
# services (Release), starts PostgreSQL and RabbitMQ as local servers unless connection strings are given, applies
# the migrations as the schema owner, then runs 2 token-api, 2 token-refresher and the gateway as Production
# processes, the gateway on https. Ctrl+C or SIGTERM stops all of it. No sandbox provider: register providers
# with POST /providers.
#
#   scripts/run-production.sh [--no-publish]      --no-publish: run what the last run published
#
# Environment (all optional):
#   TOKENPLATFORM_DATA            where the script keeps its data: published services, generated secrets and
#                                 certificate, local servers' data, logs (default: .data/production in this repository)
#   ADMIN_API_KEY                 the bootstrap admin key; generated, stored and printed once when absent
#   TOKEN_ENCRYPTION_KEY          the key grants are encrypted with (TokenEncryption:Keys: comma-separated, newest
#                                 first); generated, stored and printed once when absent: back it up
#   ConnectionStrings__tokendb    the services' database (the least-privilege role); with it no local PostgreSQL
#   TOKENDB_MIGRATION_CONNECTION_STRING
#                                 the migration step's (the schema owner); default ConnectionStrings__tokendb
#   ConnectionStrings__messaging  RabbitMQ (amqp://user:password@host:port/vhost); with it no local RabbitMQ
#   PUBLIC_URL                    where callers and browsers reach the gateway (default https://localhost:GATEWAY_PORT)
#   GATEWAY_PORT                  the gateway's https port (default 8443), on every interface
#   GATEWAY_HTTP_PORT             also listen on plain HTTP there; it answers 308 to PUBLIC_URL (default: not listened on)
#   TLS_CERTIFICATE_FILE, TLS_KEY_FILE
#                                 the gateway's certificate and key (PEM); a self-signed one for localhost is made
#                                 when absent
#   INTERNAL_PORT_BASE            loopback ports of the services and local servers start here (default 15100)
#   Any other setting, as the usual .NET environment variable (e.g. Gateway__RateLimits__PerApiKey__TokenLimit=100,
#   Providers__TrustedOrigins__0=https://oauth.internal:8443, OTEL_EXPORTER_OTLP_ENDPOINT), goes to every service.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh

publish=true
case "${1:-}" in
  --no-publish) publish=false ;;
  "") ;;
  *) echo "usage: $0 [--no-publish]" >&2; exit 2 ;;
esac

# Secrets given in the environment stay in this shell: no child inherits them (they reach each service as files).
secret_variables=(ADMIN_API_KEY TOKEN_ENCRYPTION_KEY ConnectionStrings__tokendb ConnectionStrings__messaging
  TOKENDB_MIGRATION_CONNECTION_STRING POSTGRES_PASSWORD TOKENDB_OWNER_PASSWORD TOKENDB_APP_PASSWORD RABBITMQ_PASSWORD)
export -n "${secret_variables[@]}"

data="$(mkdir -p "${TOKENPLATFORM_DATA:-.data/production}" && cd "${TOKENPLATFORM_DATA:-.data/production}" && pwd)"
gateway_port="${GATEWAY_PORT:-8443}"
public_url="${PUBLIC_URL:-https://localhost:$gateway_port}"
base="${INTERNAL_PORT_BASE:-15100}"
api_ports=($((base + 1)) $((base + 2)))
refresher_ports=($((base + 11)) $((base + 12)))
pg_port=$((base + 20)) rabbit_port=$((base + 21)) rabbit_dist_port=$((base + 22)) epmd_port=$((base + 23))

umask 077
mkdir -p "$data/secrets" "$data/settings" "$data/logs"
pids=() names=()

log() { echo "[run-production] $*"; }

# A secret from the environment, else the stored one, else a new one (stored, and announced when $2 says so).
secret() {
  local name="$1" announce="$2" file="$data/secrets/$1"
  if [ -n "${!name:-}" ]; then
    printf '%s' "${!name}"
  elif [ -s "$file" ]; then
    cat "$file"
  else
    openssl rand -hex 32 | tr -d '\n' > "$file"
    [ "$announce" = announce ] && log "Generated $name (stored in $file, shown once): $(cat "$file")" >&2
    cat "$file"
  fi
}

# The servers run in a session of their own (setsid): Ctrl+C reaches the services and this script, which stops the
# servers once the services are gone.
start() { # NAME LOGFILE COMMAND...
  local name="$1" logfile="$2"
  shift 2
  "$@" > "$logfile" 2>&1 &
  pids+=($!) names+=("$name")
}

stop() { # PID... : SIGTERM, then SIGKILL whatever still runs after 30 s
  kill -TERM "$@" 2> /dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$@" 2> /dev/null || break
    sleep 0.1
  done
  kill -KILL "$@" 2> /dev/null || true
  wait "$@" 2> /dev/null || true
}

stop_all() {
  trap '' INT TERM
  trap - EXIT
  log "Stopping..."
  local services=() servers=()
  for i in "${!pids[@]}"; do
    case "${names[i]}" in
      postgres | rabbitmq) servers+=("${pids[i]}") ;;
      *) services+=("${pids[i]}") ;;
    esac
  done
  # The services first, then the servers they use.
  [ ${#services[@]} -eq 0 ] || stop "${services[@]}"
  [ ${#servers[@]} -eq 0 ] || stop "${servers[@]}"
  log "Stopped."
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_until() { # DESCRIPTION SECONDS COMMAND...
  local what="$1" seconds="$2"
  shift 2
  for _ in $(seq 1 $((seconds * 5))); do
    "$@" > /dev/null 2>&1 && return 0
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2> /dev/null || { log "A process stopped while waiting for $what; logs: $data/logs" >&2; exit 1; }
    done
    sleep 0.2
  done
  log "$what did not come up within $seconds s; logs: $data/logs" >&2
  exit 1
}

require_dotnet
require_commands curl openssl
[ -n "${ConnectionStrings__tokendb:-}" ] || require_local_servers postgresql
[ -n "${ConnectionStrings__messaging:-}" ] || require_local_servers rabbitmq-server

if [ "$publish" = true ]; then
  for project in Token.Api Token.Refresher Token.Gateway; do
    log "Publishing $project..."
    dotnet publish "$project" -c Release -o "$data/publish/$project" --nologo -v quiet > "$data/logs/publish.log" \
      || { cat "$data/logs/publish.log" >&2; exit 1; }
  done
fi

admin_key="$(secret ADMIN_API_KEY announce)"
encryption_key="$(secret TOKEN_ENCRYPTION_KEY announce)"

# PostgreSQL: a local server, its two roles (scripts/database-roles.sql) and the services' connection string.
tokendb="${ConnectionStrings__tokendb:-}"
migration_db="${TOKENDB_MIGRATION_CONNECTION_STRING:-$tokendb}"
if [ -z "$tokendb" ]; then
  pg_bin="$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/postgres" | sort -V | tail -1 || command -v postgres)")"
  pg_data="$data/postgres"
  # PostgreSQL refuses to run as root: then it runs as the postgres user (setpriv replaces itself, so the pid is the
  # server script's), from a copy of the script that user can read.
  pg_user=()
  pg_script="$data/bin/postgres-local.sh"
  install -d -m 755 "$data/bin" && install -m 755 TokenPlatform.Hosting.Local/postgres-local.sh "$pg_script"
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$pg_data" && chown postgres "$pg_data"
    pg_user=(setpriv --reuid=postgres --regid=postgres --init-groups)
    "${pg_user[@]}" test -w "$pg_data" -a -r "$pg_script" || {
      log "The postgres user cannot reach $data: set TOKENPLATFORM_DATA to a directory it can." >&2; exit 1; }
  fi
  postgres_password="$(secret POSTGRES_PASSWORD quiet)"
  as_postgres() { PGPASSWORD="$postgres_password" psql -h 127.0.0.1 -p "$pg_port" -U postgres -d tokendb "$@"; }
  log "Starting PostgreSQL on 127.0.0.1:$pg_port..."
  PGPORT="$pg_port" POSTGRES_PASSWORD="$postgres_password" PG_BIN="$pg_bin" \
    start postgres "$data/logs/postgres.log" setsid "${pg_user[@]}" bash "$pg_script" "$pg_data" false tokendb
  wait_until PostgreSQL 60 as_postgres -tAc 'SELECT 1'
  owner_password="$(secret TOKENDB_OWNER_PASSWORD quiet)" app_password="$(secret TOKENDB_APP_PASSWORD quiet)"
  TOKENDB_OWNER_PASSWORD="$owner_password" TOKENDB_APP_PASSWORD="$app_password" \
    as_postgres -q -f scripts/database-roles.sql > /dev/null
  tokendb="Host=127.0.0.1;Port=$pg_port;Database=tokendb;Username=tokenplatform_app;Password=$app_password"
  migration_db="Host=127.0.0.1;Port=$pg_port;Database=tokendb;Username=tokenplatform_owner;Password=$owner_password"
fi

messaging="${ConnectionStrings__messaging:-}"
if [ -z "$messaging" ]; then
  rabbit_password="$(secret RABBITMQ_PASSWORD quiet)"
  log "Starting RabbitMQ on 127.0.0.1:$rabbit_port..."
  RABBITMQ_NODE_PORT="$rabbit_port" RABBITMQ_DIST_PORT="$rabbit_dist_port" ERL_EPMD_PORT="$epmd_port" \
    RABBITMQ_USER=tokenplatform RABBITMQ_PASSWORD="$rabbit_password" \
    RABBITMQ_SERVER="$(ls /usr/lib/rabbitmq/bin/rabbitmq-server 2> /dev/null || command -v rabbitmq-server)" \
    start rabbitmq "$data/logs/rabbitmq.log" setsid bash TokenPlatform.Hosting.Local/rabbitmq-local.sh "$data/rabbitmq" false
  messaging="amqp://tokenplatform:$rabbit_password@127.0.0.1:$rabbit_port"
  wait_until RabbitMQ 90 bash -c "echo > /dev/tcp/127.0.0.1/$rabbit_port"
fi

# The gateway's certificate.
# Absolute: each service runs in its own folder. Without a key file the key is read from the certificate's file.
certificate="${TLS_CERTIFICATE_FILE:+$(realpath "$TLS_CERTIFICATE_FILE")}"
certificate_key="${TLS_KEY_FILE:+$(realpath "$TLS_KEY_FILE")}"
if [ -z "$certificate" ]; then
  certificate="$data/secrets/tls.crt" certificate_key="$data/secrets/tls.key"
  if [ ! -s "$certificate" ]; then
    log "Generating a self-signed certificate for localhost ($certificate)..."
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj /CN=localhost \
      -addext subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1 -keyout "$certificate_key" -out "$certificate" 2> /dev/null
  fi
fi

# Secrets reach each service as files of its own settings directory (TOKENPLATFORM_SETTINGS_DIR), not through the
# environment, which the other services would inherit.
settings_dir() { # SERVICE NAME=VALUE...
  local dir="$data/settings/$1"
  shift
  rm -rf "$dir" && mkdir -p "$dir"
  for setting in "$@"; do
    [ -z "${setting#*=}" ] || printf '%s' "${setting#*=}" > "$dir/${setting%%=*}"
  done
  echo "$dir"
}
core=("ConnectionStrings__tokendb=$tokendb" "ConnectionStrings__messaging=$messaging" "TokenEncryption__Keys=$encryption_key")
api_settings="$(settings_dir token-api "${core[@]}" "Auth__AdminApiKey=$admin_key")"
refresher_settings="$(settings_dir token-refresher "${core[@]}")"
migrate_settings="$(settings_dir migrate "ConnectionStrings__tokendb=$migration_db")"

service() { # NAME SETTINGS_DIR URLS DLL [ARGS...]
  local name="$1" settings="$2" urls="$3" dll="$4"
  shift 4
  # The content root, where appsettings.json is read from, is the working directory.
  cd "$data/publish/$(dirname "$dll")"
  exec env ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production \
    ASPNETCORE_URLS="$urls" TOKENPLATFORM_SETTINGS_DIR="$settings" PublicUrl__BaseUrl="$public_url" \
    OTEL_SERVICE_NAME="${name%-[0-9]}" OTEL_RESOURCE_ATTRIBUTES="service.instance.id=$name" \
    dotnet "$(basename "$dll")" "$@"
}

log "Applying migrations..."
(service migrate "$migrate_settings" "" Token.Api/Token.Api.dll migrate) > "$data/logs/migrate.log" 2>&1 \
  || { cat "$data/logs/migrate.log" >&2; exit 1; }

for i in 0 1; do
  start "token-api-$((i + 1))" "$data/logs/token-api-$((i + 1)).log" service "token-api-$((i + 1))" "$api_settings" \
    "http://127.0.0.1:${api_ports[i]}" Token.Api/Token.Api.dll
  start "token-refresher-$((i + 1))" "$data/logs/token-refresher-$((i + 1)).log" service "token-refresher-$((i + 1))" \
    "$refresher_settings" "http://127.0.0.1:${refresher_ports[i]}" Token.Refresher/Token.Refresher.dll
done
gateway_urls="https://*:$gateway_port"
[ -n "${GATEWAY_HTTP_PORT:-}" ] && gateway_urls="$gateway_urls;http://*:$GATEWAY_HTTP_PORT"
gateway_settings="$(settings_dir token-gateway \
  "ReverseProxy__Clusters__token-api__Destinations__token-api__Address=http://127.0.0.1:${api_ports[0]}" \
  "ReverseProxy__Clusters__token-api__Destinations__token-api-2__Address=http://127.0.0.1:${api_ports[1]}" \
  "Kestrel__Certificates__Default__Path=$certificate" "Kestrel__Certificates__Default__KeyPath=$certificate_key")"
start token-gateway "$data/logs/token-gateway.log" service token-gateway "$gateway_settings" "$gateway_urls" \
  Token.Gateway/Token.Gateway.dll

for i in 0 1; do
  wait_until "token-api-$((i + 1))" 60 curl -sf "http://127.0.0.1:${api_ports[i]}/health"
  wait_until "token-refresher-$((i + 1))" 60 curl -sf "http://127.0.0.1:${refresher_ports[i]}/health"
done
wait_until token-gateway 60 curl -sfk "https://127.0.0.1:$gateway_port/gateway/health"

log "Ready: the gateway is at $public_url (https on port $gateway_port$([ -n "${GATEWAY_HTTP_PORT:-}" ] \
  && echo ", plain HTTP on $GATEWAY_HTTP_PORT")). Admin key: $data/secrets/ADMIN_API_KEY or \
ADMIN_API_KEY. Logs: $data/logs. Ctrl+C stops everything."
wait -n "${pids[@]}" || true
log "A process stopped; logs: $data/logs" >&2
exit 1
