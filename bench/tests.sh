#!/usr/bin/env bash
# Wall time of the README's test command, each from a fresh clone, one after another:
#   the baseline   ./test.sh at BASE (default c5cd57c, the last commit before the fast tier)
#   all            ./test.sh at HEAD
#   fast           ./test.sh fast at HEAD, from a fresh clone (restore and build included)
#   fast, built    ./test.sh fast again in that clone: the loop after a change (incremental build)
# Usage: bench/tests.sh [BASE]. Run it on an otherwise idle machine; it takes about 20 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

base="${1:-c5cd57c}"
work="$(mktemp -d)"
echo "clones and logs in $work"

# run NAME CLONE REVISION [test.sh arguments]: times ./test.sh in the clone (made when missing).
run() {
  local name="$1" clone="$work/$2" revision="$3"
  shift 3
  if [ ! -d "$clone" ]; then
    git clone -q . "$clone"
    git -C "$clone" checkout -q "$revision"
  fi
  local log="$work/$name.log" start end
  start=$(date +%s)
  (cd "$clone" && ./test.sh "$@") > "$log" 2>&1 || true
  end=$(date +%s)
  printf '%-12s %5d s   %s\n' "$name" $((end - start)) "$(tail -1 "$log")"
}

run baseline base "$base"
run all head HEAD
rm -rf "$work/base" "$work/head"
run fast fast HEAD fast
run "fast, built" fast HEAD fast
rm -rf "$work/fast"
