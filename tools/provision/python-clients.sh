#!/usr/bin/env bash
# The Open Inference Protocol's own Python clients, which the /v2 end-to-end tests drive the
# gateway with: tritonclient[http] and the kserve SDK, pinned, in a cached virtual environment.
# Prints the environment's python.
set -euo pipefail
source "$(dirname "$0")/common.sh"

pinned_venv python-clients "the inference-protocol clients" \
  "tritonclient[http]==2.73.0" \
  "kserve==0.21.0"
