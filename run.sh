#!/usr/bin/env bash
# Starts the whole of Opera Studio: Redis, PostgreSQL, the browser service and the web app.
# Installs what is missing first. Ctrl+C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"

./eng/install-prerequisites.sh
echo "==> building (dotnet build OperaStudio.AppHost)"
dotnet build OperaStudio.AppHost/OperaStudio.AppHost.csproj --nologo -v quiet -clp:NoSummary -nodeReuse:false
echo "==> starting the AppHost"
exec dotnet OperaStudio.AppHost/bin/Debug/net10.0/OperaStudio.AppHost.dll "$@"
