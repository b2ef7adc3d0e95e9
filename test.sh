#!/usr/bin/env bash
# Runs every test against real Chromium, Redis and PostgreSQL. Installs what is missing first.
# Extra arguments go to `dotnet test` (e.g. --filter-class OperaStudio.Tests.AppHost.AppHostFaultTests).
# The last line is the summary: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

summary() { echo "$1 passed, $2 failed, $3 skipped"; }

./eng/install-prerequisites.sh || { summary 0 1 0; exit 1; }

echo "==> building (dotnet build OperaStudio.sln)"
if ! dotnet build OperaStudio.sln --nologo -v quiet -clp:NoSummary -nodeReuse:false; then
  echo "build failed"
  summary 0 1 0
  exit 1
fi

echo "==> testing (dotnet test; a failed test is run again, up to twice, and reported below if it was)"
log=$(mktemp)
dotnet test --solution OperaStudio.sln --no-build --no-progress --no-ansi --output detailed --retry-failed-tests 2 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform ends with "Test run summary: ..." and one "  name: N" line per counter.
count() { sed -n "s/^  $1: \([0-9]*\)$/\1/p" "$log" | tail -n 1; }
passed=$(count succeeded); failed=$(count failed); skipped=$(count skipped)
# At the end, where a long log's reader looks first (details are above, under each name): the tests that failed on
# their last try, and those that passed only when run again (flaky: worth a look, never silently green).
outcomes() { sed -n -E 's/^(passed|failed)( \(try [0-9]+\))? ([^ ]+).*/\3 \1/p' "$log"; }
final_failures=$(outcomes | awk '{last[$1]=$2} END {for (t in last) if (last[t]=="failed") print t}' | sort)
flaky=$(outcomes | awk '$2=="failed"{f[$1]=1} $2=="passed"{p[$1]=1} END {for (t in f) if (t in p) print t}' | sort)
if [ -n "$flaky" ]; then
  echo "==> passed only when run again"
  echo "$flaky"
fi
if [ -n "$final_failures" ]; then
  echo "==> failed tests"
  echo "$final_failures"
fi
rm -f "$log"
if [ -z "$passed" ]; then
  echo "no test summary was printed (did the test run crash?)"
  summary 0 1 0
  exit 1
fi
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
summary "$passed" "${failed:-0}" "${skipped:-0}"
exit "$status"
