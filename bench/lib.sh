# Shared by the benchmark scripts (docs/benchmarks.md); sourced, not run. They need a platform started in Release.
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
gateway=http://127.0.0.1:8002
public_url=http://localhost:8002   # where the platform sends browsers back (its PublicUrl:BaseUrl)
# Gateway limits far above what wrk sends (per API key, and requests in flight).
high_limits=(Gateway__RateLimits__PerApiKey__TokenLimit=1000000 Gateway__RateLimits__PerApiKey__TokensPerPeriod=1000000
  Gateway__RateLimits__MaxConcurrentRequests=100000)

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { local deadline=$((SECONDS + 60)); until curl -sfk "$1" > /dev/null; do ((SECONDS < deadline)) || { echo "no answer from $1" >&2; exit 1; }; sleep 0.5; done; }

# connect_client ADMIN_KEY [PROVIDER]: a new client with a fresh grant from PROVIDER (default: the built-in sandbox
# provider; any provider whose endpoints are the sandbox's), through $gateway, called back at $public_url; prints its
# id. curl -k: the production gateway's certificate is self-signed.
connect_client() {
  local key="$1" provider="${2:-sandbox}" sandbox name client login ticket button authorize cookie callback
  local callback_url="$public_url/auth/callback"
  sandbox=$(curl -sfk -H "X-API-Key: $key" "$gateway/providers/$provider" | json "['token_endpoint']" | sed 's|/connect/token||')
  curl -sf -X PUT -H 'content-type: application/json' -d '{"auto_approve":true}' "$sandbox/sandbox/switches" > /dev/null
  name="bench-$RANDOM$RANDOM"
  curl -sf -H 'content-type: application/json' -d "{\"client_id\":\"$name\",\"client_secret\":\"bench-secret\",\"redirect_uris\":[\"$callback_url\"]}" "$sandbox/sandbox/clients" > /dev/null
  client=$(curl -sfk -H "X-API-Key: $key" -H 'content-type: application/json' \
    -d "{\"client_id\":\"$name\",\"client_secret\":\"bench-secret\",\"redirect_uri\":\"$callback_url\",\"provider\":\"$provider\"}" "$gateway/clients" | json "['id']")
  login=$(curl -sfk -H "X-API-Key: $key" "$gateway/oauth/start/$client" | json "['login_url']")
  # The login page's button posts its ticket; the answer sets the consent's cookie, carried by hand to the callback:
  # curl's cookie jar, like HttpClient's, sends no Secure cookie over http.
  ticket=$(curl -sfk "$login" | sed -n 's/.*name="ticket" value="\([^"]*\)".*/\1/p')
  button=$(curl -sk -o /dev/null -D - --data-urlencode "ticket=$ticket" "$gateway/oauth/login/$client" | tr -d '\r')
  authorize=$(sed -n 's/^[Ll]ocation: //p' <<< "$button")
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-consent-[^;]*\).*/\1/p' <<< "$button")
  callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$authorize")
  curl -sfk -H 'accept: application/json' -H "Cookie: $cookie" "$callback" > /dev/null
  curl -sfk -H "X-API-Key: $key" "$gateway/tokens/validate/$client" | json "['is_valid']" | grep -q True
  echo "$client"
}

# process_of NAME: the pid of a Release build of one of our services started by the AppHost.
process_of() { pgrep -f "bin/Release/net10.0/$1\$" | head -1; }

# start_copy PID NAME PORT SETTING...: another instance of the process PID (same binary, same environment, so the same
# telemetry), named NAME in the dashboard, on 127.0.0.1:PORT, with SETTINGs (NAME=VALUE) added to its environment
# (ASPNETCORE_URLS among them replaces the address).
# Its pid is appended to copies; stop_copies ends them (they flush their telemetry on SIGTERM; 10 s for that).
copies=()
start_copy() {
  local pid="$1" name="$2" port="$3"
  shift 3
  local environment command
  mapfile -d '' environment < "/proc/$pid/environ"
  mapfile -d '' command < "/proc/$pid/cmdline"
  (cd "$(readlink "/proc/$pid/cwd")" && exec env -i "${environment[@]}" OTEL_SERVICE_NAME="$name" \
    ASPNETCORE_URLS="http://127.0.0.1:$port" "$@" "${command[@]}" > /dev/null 2>&1) &
  copies+=($!)
}
stop_copies() {
  kill "${copies[@]}" 2> /dev/null || true
  for pid in "${copies[@]}"; do timeout 10 tail --pid="$pid" -f /dev/null || kill -9 "$pid" 2> /dev/null || true; done
}

# listener_pid PORT: the process listening on that TCP port.
listener_pid() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }

# cpu_ticks PID...: the CPU time (user + system, clock ticks) those processes have used so far, from /proc.
cpu_ticks() { local pid total=0; for pid in "$@"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done; echo "$total"; }

# start_baseline: the constant-JSON endpoint on plain Kestrel (bench/ConstantJson.cs) on a free port; sets baseline_url
# and baseline_pid (the server's own process, which stop_copies ends too).
start_baseline() {
  local port
  port=$(free_port)
  dotnet run -c Release bench/ConstantJson.cs -- --urls "http://127.0.0.1:$port" > /dev/null 2>&1 &
  baseline_url="http://127.0.0.1:$port"
  wait_for "$baseline_url/tokens/validate/1"
  baseline_pid=$(listener_pid "$port")
  copies+=("$baseline_pid")
}

# start_compared_api: a second token-api next to the platform's own, with the settings in COMPARE ("NAME=VALUE ...")
# added; sets compared_url and compared_pid.
start_compared_api() {
  local port settings
  read -r -a settings <<< "$COMPARE"
  port=$(free_port)
  start_copy "$(process_of Token.Api)" bench-token-api-compared "$port" "${settings[@]}"
  compared_url="http://127.0.0.1:$port"
  compared_pid="${copies[-1]}"
  wait_for "$compared_url/alive"
}

# own_url NAME: the address one of our services listens on itself. token-api has no other; the gateway's port 8002
# is DCP's proxy (the AppHost's fixed port), a hop in front of the gateway that only local development has.
own_url() { echo "http://127.0.0.1:$(ss -ltnpH | grep "pid=$(process_of "$1")," | awk '{print $4}' | sed 's/.*://' | head -1)"; }

# wrk_line LABEL: wrk's report (stdin, with --latency) as one line LABEL|req/s|p50 ms|p99 ms|failed (non-2xx answers
# and socket errors)|requests.
wrk_line() {
  awk -v label="$1" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; return v * 1000 }
    /Requests\/sec/ { rps = $2 } / 50%/ { p50 = ms($2) } / 99%/ { p99 = ms($2) } /Non-2xx/ { bad += $NF }
    /Socket errors/ { gsub(/,/, ""); bad += $4 + $6 + $8 + $10 } / requests in / { requests = $1 }
    END { printf "%s|%s|%s|%s|%s|%s\n", label, rps, p50, p99, bad + 0, requests + 0 }'
}

# with_cpu TICKS_BEFORE PID...: a wrk_line line (stdin) with the CPU time those processes used since TICKS_BEFORE
# (cpu_ticks) per request, in µs, added as its last field; unchanged without PIDs.
with_cpu() {
  local before="$1" line
  shift
  read -r line
  [ $# -gt 0 ] || { echo "$line"; return; }
  awk -F'|' -v ticks=$(($(cpu_ticks "$@") - before)) -v hz="$(getconf CLK_TCK)" \
    '{ printf "%s|%.1f\n", $0, ($6 > 0 ? ticks / hz * 1e6 / $6 : 0) }' <<< "$line"
}

# medians FILE LABELS: for each label (LABELS is tab-separated), the medians of its wrk_line lines in FILE (and of the
# CPU per request, when with_cpu added it); failures summed.
medians() {
  local file="$1" label labels
  IFS=$'\t' read -r -a labels <<< "$2"
  for label in "${labels[@]}"; do
    grep "^$label|" "$file" | awk -F'|' -v label="$label" '
      { rps[NR] = $2; p50[NR] = $3; p99[NR] = $4; bad += $5; if (NF >= 7) cpu[++cpus] = $7 }
      function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return a[int((n + 1) / 2)] }
      END { printf "%-22s %10.0f req/s   p50 %6.2f ms   p99 %6.2f ms   failed %d", label, median(rps, NR), median(p50, NR), median(p99, NR), bad
            if (cpus) printf "   CPU %6.1f µs/request", median(cpu, cpus)
            printf "\n" }'
  done
}

# compare KEY PATH SECONDS CONNECTIONS ROUNDS "label|base-url[|pid ...]" ...: wrk against each target in turn, ROUNDS
# times (so a slow moment hits every target alike), then the medians per target; with pids, also the CPU time those
# processes spent per request (from /proc, around each run). With PAUSE_MS set, each connection pauses that long
# between requests (bench/paced.lua): latency at a steady rate instead of at saturation.
compare() {
  local key="$1" path="$2" seconds="$3" connections="$4" rounds="$5" results target label url pid_list pids before paced=()
  shift 5
  results="$(mktemp)"
  [[ -n "${PAUSE_MS:-}" ]] && paced=(-s bench/paced.lua)
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; wrk -t2 -c$connections -d${seconds}s --latency${paced[*]:+ ${paced[*]}} $path${PAUSE_MS:+ (PAUSE_MS=$PAUSE_MS)}, $rounds rounds (targets alternate), medians"
  for target in "$@"; do
    IFS="|" read -r label url pid_list <<< "$target"
    wrk -t2 -c"$connections" -d3s -H "X-API-Key: $key" "$url$path" > /dev/null # warm-up
  done
  for _ in $(seq 1 "$rounds"); do
    for target in "$@"; do
      IFS="|" read -r label url pid_list <<< "$target"
      read -r -a pids <<< "$pid_list"
      before=$(cpu_ticks "${pids[@]}")
      wrk -t2 -c"$connections" -d"${seconds}s" --latency "${paced[@]}" -H "X-API-Key: $key" "$url$path" \
        | wrk_line "$label" | with_cpu "$before" "${pids[@]}" >> "$results"
    done
  done
  # A target may be listed more than once (to measure it in more than one position): one line per label.
  medians "$results" "$(printf '%s\n' "$@" | sed 's/|.*//' | awk '!seen[$0]++' | tr '\n' '\t')"
  rm -f "$results"
}
