#!/usr/bin/env bash
# Starts the whole of Opera Studio through its Aspire AppHost: Redis, PostgreSQL, the browser service, the web app and
# the Aspire dashboard. Installs what is missing first. Ctrl+C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"

./eng/install-prerequisites.sh
echo "==> building (dotnet build OperaStudio.AppHost)"
dotnet build OperaStudio.AppHost/OperaStudio.AppHost.csproj --nologo -v quiet -clp:NoSummary -nodeReuse:false
echo "==> starting the AppHost (the app and the dashboard addresses follow when everything is healthy)"
# Development: the services read user secrets (the model key) and show detailed errors, as under `dotnet run`.
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
# From its own folder, so it reads its appsettings.json (the dashboard's addresses) as `dotnet run` does.
cd OperaStudio.AppHost
exec dotnet bin/Debug/net10.0/OperaStudio.AppHost.dll "$@"
