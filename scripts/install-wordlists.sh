#!/usr/bin/env bash
# Installs Debian's English word lists (wamerican, wbritish) when missing: "did you mean" never
# corrects a word found in them (kb_tools/search/wordlist.py). The system package manager is the only source.
set -euo pipefail
if [ -f /usr/share/dict/american-english ] && [ -f /usr/share/dict/british-english ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "The English word lists are not installed and this user cannot install them: spelling" >&2
  echo "suggestions may rewrite correct words. Install them with: sudo apt-get install wamerican wbritish" >&2
  exit 0
fi
echo "Installing Debian's English word lists (wamerican, wbritish)..."
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq wamerican wbritish >/dev/null
echo "Word lists installed in /usr/share/dict"
