#!/usr/bin/env bash
# The Open Inference Protocol's own Python clients, which the /v2 end-to-end tests drive the
# gateway with: tritonclient[http] and the kserve SDK, pinned, in a virtual environment cached in
# FASHION_CACHE_DIR. Prints the environment's python.
set -euo pipefail
source "$(dirname "$0")/common.sh"

venv=$(pinned_venv python-clients "tritonclient[http]==2.73.0" "kserve==0.21.0")
echo "$venv/bin/python"
