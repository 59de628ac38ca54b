#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing. Never downloads a browser
# build of its own: the system package manager is the only source.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "chromium is not installed and this user cannot install it: browser tests will be skipped." >&2
  echo "Install it with: sudo apt-get install chromium" >&2
  exit 0
fi
echo "Installing Debian's chromium for the browser tests..."
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq chromium >/dev/null
echo "chromium installed: $(chromium --version)"
