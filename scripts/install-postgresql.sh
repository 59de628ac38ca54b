#!/usr/bin/env bash
# Installs Debian's PostgreSQL server for the tests of the shared activity log when it is missing.
# The tests start their own throw-away server in a temporary folder (tests/postgres.py); the
# package's own cluster is not needed, so it is not started. The system package manager is the
# only source.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "PostgreSQL is not installed and this user cannot install it: the PostgreSQL tests will be skipped." >&2
  echo "Install it with: sudo apt-get install postgresql" >&2
  exit 0
fi
echo "Installing Debian's postgresql for the activity-log tests..."
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq postgresql >/dev/null
echo "PostgreSQL installed: $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
