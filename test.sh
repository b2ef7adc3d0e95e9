#!/usr/bin/env bash
# Runs every test against real Chromium, Redis and PostgreSQL. Installs what is missing first.
# The last line is the summary: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

./eng/install-prerequisites.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

echo "==> building (dotnet build OperaStudio.sln)"
if ! dotnet build OperaStudio.sln --nologo -v quiet -clp:NoSummary; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

echo "==> testing (dotnet test)"
results="$PWD/TestResults"
rm -rf "$results"
dotnet test OperaStudio.sln --no-build --nologo --results-directory "$results" \
  --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" "$@"
status=$?

trx="$results/tests.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$(count passed); failed=$(count failed); total=$(count total); executed=$(count executed)
  skipped=$(( ${total:-0} - ${executed:-0} ))
  if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"
else
  echo "no test results were written (the test run crashed?)"
  echo "0 passed, 1 failed, 0 skipped"
  [ "$status" -ne 0 ] || status=1
fi
exit $status
