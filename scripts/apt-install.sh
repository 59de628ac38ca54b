#!/usr/bin/env bash
# Installs Debian packages when this user can (root, or passwordless sudo); otherwise says how, and
# exits 0 so the rest of the setup goes on. The system package manager is the only source.
# Usage: scripts/apt-install.sh "what goes without them" PACKAGE...
set -euo pipefail
without="$1"
shift
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "$* not installed and this user cannot install them: $without." >&2
  echo "Install them with: sudo apt-get install $*" >&2
  exit 0
fi
echo "Installing Debian's $*..."
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq "$@" >/dev/null
