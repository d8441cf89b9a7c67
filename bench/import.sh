#!/usr/bin/env bash
# Import benchmark (docs/benchmarks.md, "Import of the Python service's database"): `import-seed` of N clients with a
# branch and a grant each, in rows per second, against PostgreSQL's own COPY of the same rows (seed tables piped into
# plain tables of the platform's database: read, send and write, as the import does, with no index, no encryption and
# no checks) in the same run, on a throw-away PostgreSQL server of its own. Rounds alternate; medians.
# Usage: bench/import.sh [CLIENTS=100000] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
clients="${1:-100000}" rounds="${2:-3}"
rows=$((clients * 3))

dotnet build Token.Api -c Release --nologo -v quiet > /dev/null
api=Token.Api/bin/Release/net10.0/Token.Api.dll

# The server: trust on loopback, nothing to keep.
work="$(mktemp -d /tmp/import-bench.XXXXXX)"
chmod 755 "$work"
pg_bin="$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/postgres" | sort -V | tail -1)")"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$work"
  as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
"${as_postgres[@]}" "$pg_bin/initdb" -D "$work/data" -U postgres --auth=trust --no-sync > /dev/null
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work/data -c listen_addresses=127.0.0.1" start > /dev/null
trap '"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/data" -m fast -w stop > /dev/null; rm -rf "$work"' EXIT

sql() { psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$@"; }
connection() { echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=$1"; }
seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$@"; }

# The seed: N clients, each with a branch and a valid token, as the Python service stored them.
sql postgres -c "CREATE DATABASE seed" -c "CREATE DATABASE platform"
sql seed -f tests/TokenPlatform.Testing/seed-schema.sql
sql seed <<SQL
INSERT INTO clients (id, client_id, client_secret, redirect_uri, is_active, created_at, updated_at)
SELECT g, 'client-' || g, 'secret-' || md5(g::text), 'https://reviews.example.com/oauth/callback', true, now(), now()
FROM generate_series(1, $clients) g;
INSERT INTO branches (id, branch_id, client_id, branch_name, email, description, account_id, location_id, is_active,
  created_at, updated_at)
SELECT g, 'branch-' || g, g, 'Branch ' || g, 'owner' || g || '@example.com', 'Reviews of location ' || g,
  'accounts/' || g, 'locations/' || g, true, now(), now()
FROM generate_series(1, $clients) g;
INSERT INTO tokens (client_id, access_token, refresh_token, expires_at, is_valid, is_revoked, created_at, updated_at)
SELECT g, 'ya29.' || md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text), '1//' || md5((g + 3)::text),
  (now() AT TIME ZONE 'utc') + interval '1 hour', true, false, now(), now()
FROM generate_series(1, $clients) g;
SQL
export TokenEncryption__Keys="$(openssl rand -hex 32)" ASPNETCORE_ENVIRONMENT=Production

import_once() {
  sql postgres -c "DROP DATABASE IF EXISTS platform" -c "CREATE DATABASE platform"
  ConnectionStrings__tokendb="$(connection platform)" dotnet "$api" migrate > /dev/null
  local start end
  start=$(date +%s.%N)
  ConnectionStrings__tokendb="$(connection platform)" dotnet "$api" import-seed --source "$(connection seed)" \
    > "$work/import.out"
  end=$(date +%s.%N)
  grep -q "clients:  $clients new" "$work/import.out" || { cat "$work/import.out" >&2; exit 1; }
  seconds "$start" "$end"
}

copy_once() {
  sql platform -c "DROP TABLE IF EXISTS copy_clients, copy_branches, copy_tokens" -c "
    CREATE TABLE copy_clients (id int, client_id text, client_secret text, redirect_uri text, is_active bool,
      created_at timestamp, updated_at timestamp);
    CREATE TABLE copy_branches (id int, branch_id text, client_id int, branch_name text, email text, description text,
      account_id text, location_id text, is_active bool, created_at timestamp, updated_at timestamp);
    CREATE TABLE copy_tokens (id int, client_id int, access_token text, refresh_token text, expires_at timestamp,
      is_valid bool, is_revoked bool, last_refreshed_at timestamp, created_at timestamp, updated_at timestamp);"
  local start end
  start=$(date +%s.%N)
  for table in clients branches tokens; do
    sql seed -c "\\copy $table TO STDOUT (FORMAT binary)" | sql platform -c "\\copy copy_$table FROM STDIN (FORMAT binary)"
  done
  end=$(date +%s.%N)
  seconds "$start" "$end"
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
imports=() copies=()
for round in $(seq 1 "$rounds"); do
  copies+=("$(copy_once)")
  imports+=("$(import_once)")
  echo "round $round: COPY ${copies[-1]} s, import-seed ${imports[-1]} s"
done

copy_s=$(median "${copies[@]}") import_s=$(median "${imports[@]}")
python3 - "$rows" "$clients" "$copy_s" "$import_s" <<'PY'
import sys
rows, clients, copy_s, import_s = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"{clients} clients, {rows} rows (clients, branches, grants); medians")
print(f"COPY into plain tables (baseline): {copy_s:.2f} s = {rows / copy_s:,.0f} rows/s")
print(f"import-seed, whole command:        {import_s:.2f} s = {rows / import_s:,.0f} rows/s "
      f"= {copy_s / import_s:.0%} of COPY's rate")
PY
