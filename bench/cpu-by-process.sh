#!/usr/bin/env bash
# CPU seconds used by each process of the platform (and the sandbox, servers and benchmarks) over a window, to see
# where the cores go during a benchmark (docs/benchmarks.md). Usage: bench/cpu-by-process.sh [SECONDS=20]
set -euo pipefail
seconds="${1:-20}"
ticks_per_second=$(getconf CLK_TCK)

snapshot() {
  for stat in /proc/[0-9]*/stat; do
    dir="${stat%/stat}"
    command=$( (tr '\0' ' ' < "$dir/cmdline") 2> /dev/null | cut -c1-70)
    case "$command" in
      *Token.*|*TokenPlatform.*|*beam.smp*|postgres*|*Aspire.Dashboard*)
        ticks=$(awk '{ print $14 + $15 }' "$stat" 2> /dev/null) && echo "${dir#/proc/}|$ticks|$command" ;;
    esac
  done
}

# The whole machine's busy ticks (user, nice, system, irq, softirq) and idle ones (idle, iowait), from /proc/stat.
machine() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat; }

before=$(snapshot)
read -r busy_before idle_before < <(machine)
sleep "$seconds"
read -r busy_after idle_after < <(machine)
after=$(snapshot)
echo "CPU seconds per process over ${seconds} s ($(nproc) cores = $((seconds * $(nproc))) s available):"
awk -v hz="$ticks_per_second" -v busy=$((busy_after - busy_before)) -v idle=$((idle_after - idle_before)) \
  'BEGIN { printf "%7.1f s  the whole machine busy (kernel included), %.1f s idle\n", busy / hz, idle / hz }'
awk -F'|' -v hz="$ticks_per_second" 'NR == FNR { before[$1] = $2; next }
  ($1 in before) { used = ($2 - before[$1]) / hz; if (used > 0.05) printf "%7.1f s  %s\n", used, $3 }' \
  <(echo "$before") <(echo "$after") | sort -rn | head -15
