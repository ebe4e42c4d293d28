#!/usr/bin/env bash
# Schemathesis, the OpenAPI conformance and fuzzing tool the contract tests run against every app,
# pinned, in a virtual environment of its own (apart from the inference-protocol clients, so that
# neither pin reinstalls the other). Prints the path of the `schemathesis` command.
set -euo pipefail
source "$(dirname "$0")/common.sh"

python=$(pinned_venv schemathesis "the contract tests (Schemathesis)" "schemathesis==4.32.5")
echo "$(dirname "$python")/schemathesis"
