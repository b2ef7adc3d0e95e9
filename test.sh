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

echo "==> testing (dotnet test)"
log=$(mktemp)
dotnet test --solution OperaStudio.sln --no-build --no-progress --no-ansi --output detailed "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform ends with "Test run summary: ..." and one "  name: N" line per counter.
count() { sed -n "s/^  $1: \([0-9]*\)$/\1/p" "$log" | tail -n 1; }
passed=$(count succeeded); failed=$(count failed); skipped=$(count skipped)
# The failures again, at the end, where a long log's reader looks first (details are above, under each name).
if grep -q '^failed ' "$log"; then
  echo "==> failed tests"
  grep '^failed ' "$log"
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
