#!/usr/bin/env bash
# Installs what Opera Studio needs beside the .NET SDK, on Debian/Ubuntu, when it is missing:
#   chromium (+ fonts)  the browser the service drives
#   redis-server        live session state
#   postgresql          durable history
#   nodejs + npm        front-end packages for the web app's build
#   ffmpeg              recordings exported as WebM/MP4 video
#   kubernetes-client   kubectl, whose kustomize renders deploy/kubernetes for the manifest tests
# As root or with passwordless sudo it installs them; otherwise it prints the exact command and fails.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

missing=()
if ! have chromium && ! [ -x /usr/bin/chromium ]; then missing+=(chromium fonts-liberation); fi
if ! have redis-server; then missing+=(redis-server); fi
if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null && ! have postgres; then missing+=(postgresql); fi
if ! have npm; then missing+=(nodejs npm); fi
if ! have setpriv; then missing+=(util-linux); fi
if ! have ffmpeg; then missing+=(ffmpeg); fi
if ! have kubectl; then
  echo "==> prerequisites: kubectl is missing: Debian's kubernetes-client provides it (its kustomize renders deploy/kubernetes for the manifest tests)"
  missing+=(kubernetes-client)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "==> prerequisites: chromium, redis-server, postgresql, npm, ffmpeg and kubectl are installed"
  exit 0
fi

echo "==> prerequisites: missing ${missing[*]}"
if ! have apt-get; then
  echo "error: this is not a Debian/Ubuntu machine; install ${missing[*]} with its package manager and run again." >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif have sudo && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "error: installing needs root. Run this once, then run the command again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "==> prerequisites: apt-get update"
"${sudo[@]}" apt-get update -qq
echo "==> prerequisites: apt-get install ${missing[*]} (a few minutes on a fresh machine)"
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "==> prerequisites: installed ${missing[*]}"
