#!/usr/bin/env bash
# Makes sure the headless Chromium the browser tests drive is at /usr/bin/chromium: Debian's own
# package, because playwright's browser download cannot reach its host here.
set -euo pipefail
source "$(dirname "$0")/common.sh"

CHROMIUM=/usr/bin/chromium

[ -x "$CHROMIUM" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  log "chromium: $CHROMIUM is missing and cannot be installed here (needs root and apt-get); the browser tests will be skipped. Install Debian's chromium package to run them."
  exit 0
fi

log "chromium: installing Debian package chromium"
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
    fail "could not install Debian's chromium package (apt-get install -y chromium)"
fi
[ -x "$CHROMIUM" ] || fail "the chromium package installed no $CHROMIUM"
