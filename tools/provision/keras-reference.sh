#!/usr/bin/env bash
# Python Keras with TensorFlow's CPU build, pinned, in a cached virtual environment: the reference
# `npm run bench` trains the prototype's model with, side by side with the trainer. Only the bench
# needs it (about 600 MB); prints the environment's python.
set -euo pipefail
source "$(dirname "$0")/common.sh"

pinned_venv keras-reference "the Keras reference" "tensorflow-cpu==2.21.0"
