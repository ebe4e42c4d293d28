#!/usr/bin/env bash
# The Open Inference Protocol's own Python clients, which the /v2 end-to-end tests drive the
# gateway with: tritonclient[http] and the kserve SDK, pinned, in a virtual environment cached in
# FASHION_CACHE_DIR (its folder is named after the pins, so changing one makes a fresh one).
# Prints the environment's python.
set -euo pipefail
source "$(dirname "$0")/common.sh"

PINS=(
  "tritonclient[http]==2.73.0"
  "kserve==0.21.0"
)
venv="$FASHION_CACHE_DIR/python-clients-$(printf '%s\n' "${PINS[@]}" | sha256sum | cut -c1-12)"

if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  command -v python3 >/dev/null || fail "python3 is needed for the inference-protocol clients"
  log "test tools: installing ${PINS[*]} into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    --cache-dir "$FASHION_CACHE_DIR/pip" "${PINS[@]}" >&2
  touch "$venv/.complete"
fi
echo "$venv/bin/python"
