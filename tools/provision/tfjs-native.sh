#!/usr/bin/env bash
# Makes @tensorflow/tfjs-node loadable. Its own install script downloads libtensorflow from a
# host that is unreachable on machines limited to package registries; where it works it is used
# as is. Otherwise libtensorflow is taken from the tensorflow-cpu wheel on PyPI and the binding is
# built against it. Both the libraries and the built binding are cached, so later runs (and fresh
# clones) only link and copy files, without trying the download again.
set -euo pipefail
source "$(dirname "$0")/common.sh"

TF_WHEEL_VERSION="${TF_WHEEL_VERSION:-2.21.0}"
pkg="$PROJECT_ROOT/node_modules/@tensorflow/tfjs-node"
[ -d "$pkg" ] || fail "node_modules/@tensorflow/tfjs-node is missing: install the npm dependencies first"

loads() { (cd "$PROJECT_ROOT" && node -e "require('@tensorflow/tfjs-node')" >/dev/null 2>&1); }

if loads; then
  exit 0
fi

tfjs_version="$(node -p "require('$pkg/package.json').version")"
abi="$(node -p 'process.versions.modules')"
cache="$FASHION_CACHE_DIR/tfjs-node-$tfjs_version-tf$TF_WHEEL_VERSION-abi$abi"

if [ ! -f "$cache/.complete" ]; then
  log "libtensorflow: trying the package's own download"
  if (cd "$pkg" && timeout 300 node scripts/install.js >/dev/null 2>&1) && loads; then
    log "libtensorflow: installed by @tensorflow/tfjs-node"
    exit 0
  fi
  log "libtensorflow: unavailable for download, building from the tensorflow-cpu $TF_WHEEL_VERSION wheel"
  rm -rf "$cache" && mkdir -p "$cache/wheel"
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux_2_27_x86_64 \
    -d "$cache/wheel" "tensorflow-cpu==$TF_WHEEL_VERSION" || fail "could not download tensorflow-cpu==$TF_WHEEL_VERSION from PyPI"
  wheel="$(ls "$cache"/wheel/tensorflow_cpu-*.whl)"
  unzip -q "$wheel" -d "$cache/extract" \
    'tensorflow/libtensorflow_cc.so.2' 'tensorflow/libtensorflow_framework.so.2' \
    'tensorflow/include/tensorflow/c/*' 'tensorflow/include/tensorflow/core/platform/*' \
    'tensorflow/include/tsl/*' 'tensorflow/include/xla/tsl/*'
  mkdir -p "$cache/deps/lib"
  mv "$cache/extract/tensorflow/include" "$cache/deps/include"
  mv "$cache"/extract/tensorflow/libtensorflow_*.so.2 "$cache/deps/lib/"
  ln -s libtensorflow_cc.so.2 "$cache/deps/lib/libtensorflow.so"
  ln -s libtensorflow_framework.so.2 "$cache/deps/lib/libtensorflow_framework.so"
  rm -rf "$cache/extract" "$cache/wheel"

  rm -rf "$pkg/deps" && ln -s "$cache/deps" "$pkg/deps"
  log "tfjs-node: building the native binding (about a minute)"
  (cd "$pkg" && "$PROJECT_ROOT/node_modules/.bin/node-pre-gyp" rebuild --build-from-source --nodedir=/usr >"$cache/build.log" 2>&1) ||
    fail "building the tfjs-node binding failed, see $cache/build.log"
  cp -a "$pkg/lib" "$cache/lib"
  touch "$cache/.complete"
fi

rm -rf "$pkg/deps" && ln -s "$cache/deps" "$pkg/deps"
rm -rf "$pkg/lib" && cp -a "$cache/lib" "$pkg/lib"
loads || fail "@tensorflow/tfjs-node still does not load after provisioning from $cache"
log "tfjs-node: native TensorFlow ready"
