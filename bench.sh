#!/usr/bin/env bash
# Measures Opera Studio end to end against the original design and writes docs/benchmarks.md.
# Installs what is missing first, builds in Release, then runs the bench: it starts the system through Aspire
# (the AppHost in its own process, as the tests do; DCP runs the stores and the services' Release builds) and stops it.
#   ./bench.sh           full run (about 20 minutes on 2 cores), the report that is committed
#   ./bench.sh --quick   small samples (a few minutes), same report layout, says "quick mode"
#   ./bench.sh --out path   write the report elsewhere
set -euo pipefail
cd "$(dirname "$0")"

./eng/install-prerequisites.sh
echo "==> building (dotnet build bench/OperaStudio.Bench -c Release)"
dotnet build bench/OperaStudio.Bench/OperaStudio.Bench.csproj -c Release --nologo -v quiet -clp:NoSummary -nodeReuse:false
echo "==> benchmarking"
OPERA_BENCH_COMMAND="./bench.sh${*:+ $*}" exec dotnet bench/OperaStudio.Bench/bin/Release/net10.0/OperaStudio.Bench.dll "$@"
