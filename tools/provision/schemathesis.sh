#!/usr/bin/env bash
# Schemathesis, the OpenAPI conformance and fuzzing tool the contract tests run against every app,
# pinned, in a virtual environment of its own (apart from the inference-protocol clients, so that
# neither pin reinstalls the other). Prints the path of the `schemathesis` command.
set -euo pipefail
source "$(dirname "$0")/common.sh"

venv=$(pinned_venv schemathesis "schemathesis==4.32.5")
echo "$venv/bin/schemathesis"
