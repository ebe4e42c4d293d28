#!/usr/bin/env bash
# Everything `npm start` and `npm test` need on this machine, provisioned idempotently:
# npm dependencies, native TensorFlow, the dataset, and (unless KAFKA_BROKERS names a cluster)
# the embedded Kafka broker's jars.
set -euo pipefail
here="$(dirname "$0")"

bash "$here/node-modules.sh"
bash "$here/tfjs-native.sh"
bash "$here/dataset.sh"
if [ -z "${KAFKA_BROKERS:-}" ]; then
  bash "$here/kafka.sh" >/dev/null
fi
