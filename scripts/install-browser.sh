#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing. Never downloads a browser
# build of its own: the system package manager is the only source.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
exec bash "$(dirname "$0")/apt-install.sh" "chromium" "browser tests will be skipped" chromium
