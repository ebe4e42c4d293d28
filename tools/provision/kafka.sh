#!/usr/bin/env bash
# Fetches the Apache Kafka broker's jars from Maven Central once (cached per version) for the
# embedded single-node broker, and prints the folder that holds them.
set -euo pipefail
source "$(dirname "$0")/common.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.2.0}"
dest="$FASHION_CACHE_DIR/kafka-$KAFKA_VERSION"

if [ ! -f "$dest/.complete" ]; then
  command -v java >/dev/null || fail "Java 17+ is needed for the embedded Kafka broker (or set KAFKA_BROKERS)"
  command -v mvn >/dev/null || fail "Maven is needed to fetch Apache Kafka (or set KAFKA_BROKERS)"
  log "kafka: fetching Apache Kafka $KAFKA_VERSION from Maven Central"
  rm -rf "$dest" && mkdir -p "$dest"
  mvn --batch-mode -f "$PROJECT_ROOT/tools/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dest/libs" >"$dest/maven.log" 2>&1 ||
    fail "could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION with Maven, see $dest/maven.log"
  touch "$dest/.complete"
fi
echo "$dest/libs"
