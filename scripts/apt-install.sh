#!/usr/bin/env bash
# apt-install.sh WHAT CONSEQUENCE PACKAGE...: installs Debian packages the project needs, once an
# install-*.sh script has found them missing. Runs apt-get as root, or through passwordless sudo;
# otherwise says what will not work (CONSEQUENCE) and how to install them, and exits 0. The system
# package manager is the only source.
set -euo pipefail
what=$1 consequence=$2
shift 2
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "$what is not installed and this user cannot install it: $consequence." >&2
  echo "Install it with: sudo apt-get install $*" >&2
  exit 0
fi
echo "Installing Debian's $what ($*)..."
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq "$@" >/dev/null
echo "Installed $*."
