#!/usr/bin/env bash
# Installs Debian's PostgreSQL server for the tests of the shared activity log when it is missing.
# The tests start their own throw-away server in a temporary folder (tests/postgres.py) and never
# use the package's own cluster.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
exec bash "$(dirname "$0")/apt-install.sh" "PostgreSQL" "the PostgreSQL tests will be skipped" postgresql
