#!/usr/bin/env bash
# Makes sure the official Fashion-MNIST files are at FMNIST_DIR. At the default location they come
# from Debian's dataset-fashion-mnist package, installed here when missing and possible.
set -euo pipefail
source "$(dirname "$0")/common.sh"

DEFAULT_DIR=/usr/share/datasets/fashion-mnist
dir="${FMNIST_DIR:-$DEFAULT_DIR}"
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

complete() {
  for f in "${files[@]}"; do [ -f "$dir/$f" ] || return 1; done
}

complete && exit 0

if [ "$dir" = "$DEFAULT_DIR" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "dataset: installing Debian package dataset-fashion-mnist"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 || true
  fi
fi

complete || fail "Fashion-MNIST not found in FMNIST_DIR=$dir (expected ${files[*]}). Install the Debian package dataset-fashion-mnist or point FMNIST_DIR at a folder with the four official .gz files."
