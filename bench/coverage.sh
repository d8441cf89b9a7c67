#!/usr/bin/env bash
# Line coverage of Token.Core and Token.Api by the fast tier, merged over its test projects.
#   bench/coverage.sh            prints the summary (and leaves the HTML report in the printed folder)
set -euo pipefail
cd "$(dirname "$0")/.."

results="$(mktemp -d)"
./test.sh fast --collect:"XPlat Code Coverage" --settings tests/coverage.runsettings --results-directory "$results"
dotnet tool restore > /dev/null
dotnet reportgenerator -reports:"$results/**/coverage.cobertura.xml" -targetdir:"$results/report" \
  -reporttypes:"TextSummary;Html" > /dev/null
sed -n '1,/^$/p;/^Token\.\(Core\|Api\) /p' "$results/report/Summary.txt"
echo "HTML report: $results/report/index.html"
