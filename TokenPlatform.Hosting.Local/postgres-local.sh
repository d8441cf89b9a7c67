# Runs one PostgreSQL server in the foreground for the AppHost's local mode.
# Arguments: DATA_DIR EPHEMERAL(true|false) DATABASE
# Environment: PGPORT (allocated by Aspire), POSTGRES_PASSWORD, PG_BIN (directory of initdb/postgres)
set -euo pipefail
data="$1" ephemeral="$2" database="$3"
cd /

durability=()
if [ "$ephemeral" = true ]; then
  # Test data is thrown away, so skip the fsyncs that dominate start-up and writes.
  durability=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
fi

if [ ! -s "$data/PG_VERSION" ]; then
  pwfile="$(mktemp)"
  printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
  "$PG_BIN/initdb" -D "$data" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" --encoding=UTF8 --no-sync > /dev/null
  rm -f "$pwfile"
  echo "CREATE DATABASE \"$database\"" | "$PG_BIN/postgres" --single -D "$data" postgres > /dev/null
fi

"$PG_BIN/postgres" -D "$data" -p "$PGPORT" -h 127.0.0.1 -k "$data" "${durability[@]}" &
pid=$!
# SIGINT is PostgreSQL's fast shutdown: it does not wait for clients that are still connected.
trap 'kill -INT "$pid" 2> /dev/null || true' TERM INT HUP
status=0
while kill -0 "$pid" 2> /dev/null; do
  wait "$pid" || status=$?
done

if [ "$ephemeral" = true ]; then
  rm -rf "$data"
fi
exit "$status"
