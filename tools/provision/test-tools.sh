#!/usr/bin/env bash
# What only the tests need besides the platform itself: Debian's Chromium for the browser tests,
# and docker-compose to validate docker-compose.yml (no engine runs here; `config` needs none).
set -euo pipefail
source "$(dirname "$0")/common.sh"

bash "$(dirname "$0")/chromium.sh"

if ! command -v docker-compose >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "test tools: installing Debian package docker-compose"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1; then
      apt-get update -qq >/dev/null 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1 ||
        log "test tools: docker-compose could not be installed; the compose test will say so"
    fi
  else
    log "test tools: docker-compose is missing (install it to validate docker-compose.yml)"
  fi
fi

# tritonclient and the kserve SDK, which the inference-protocol tests drive the gateway with.
bash "$(dirname "$0")/python-clients.sh" >/dev/null
bash "$(dirname "$0")/kubernetes-tools.sh"
# Schemathesis, which the contract tests run against every app's OpenAPI description.
bash "$(dirname "$0")/schemathesis.sh" >/dev/null
