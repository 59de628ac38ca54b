#!/usr/bin/env bash
# Installs Debian's English word lists (wamerican, wbritish) when missing: "did you mean" never
# corrects a word found in them (kb_tools/search/wordlist.py). The system package manager is the only source.
set -euo pipefail
if [ -f /usr/share/dict/american-english ] && [ -f /usr/share/dict/british-english ]; then
  exit 0
fi
exec bash "$(dirname "$0")/apt-install.sh" "English word lists" \
  "spelling suggestions may rewrite correct words" wamerican wbritish
