#!/usr/bin/env bash
# Installs the npm dependencies from the lock file when they are missing or older than it or than
# a patch of patches/ (applied by patch-package after the install).
set -euo pipefail
source "$(dirname "$0")/common.sh"

cd "$PROJECT_ROOT"
marker=node_modules/.package-lock.json
if [ ! -f "$marker" ] || [ package-lock.json -nt "$marker" ] ||
  [ -n "$(find patches -newer "$marker")" ]; then
  log "npm: installing dependencies from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
