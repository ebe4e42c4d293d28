#!/usr/bin/env bash
# What validating deploy/kubernetes/ needs (test/kubernetes-manifests.spec.ts), all from package
# registries and cached in FASHION_CACHE_DIR/kubernetes: kubeconform (Go module proxy), the
# Kubernetes JSON schemas kubeconform would fetch from GitHub (shipped in PyPI's
# kubernetes-validate wheel) and KEDA's CRDs (in the Go module github.com/kedacore/keda/v2).
set -euo pipefail
source "$(dirname "$0")/common.sh"

KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.7.0}"
KUBERNETES_VALIDATE_VERSION="${KUBERNETES_VALIDATE_VERSION:-1.37.0}"
KUBERNETES_SCHEMA_VERSION="${KUBERNETES_SCHEMA_VERSION:-v1.35.0}"
KEDA_VERSION="${KEDA_VERSION:-v2.21.0}"
dir="$FASHION_CACHE_DIR/kubernetes"
mkdir -p "$dir"

if ! command -v go >/dev/null; then
  log "kubernetes tools: Go is missing; the manifest test will say so"
  exit 0
fi

if [ ! -x "$dir/bin/kubeconform-$KUBECONFORM_VERSION" ]; then
  log "kubernetes tools: installing kubeconform $KUBECONFORM_VERSION"
  GOBIN="$dir/gobin" go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  mkdir -p "$dir/bin"
  mv "$dir/gobin/kubeconform" "$dir/bin/kubeconform-$KUBECONFORM_VERSION"
  rmdir "$dir/gobin"
fi
ln -sfn "kubeconform-$KUBECONFORM_VERSION" "$dir/bin/kubeconform"

schemas="$dir/kubernetes-json-schema/$KUBERNETES_SCHEMA_VERSION-local-strict"
if [ ! -f "$schemas/_definitions.json" ]; then
  log "kubernetes tools: Kubernetes $KUBERNETES_SCHEMA_VERSION schemas from kubernetes-validate $KUBERNETES_VALIDATE_VERSION"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" -d "$tmp"
  unzip -q "$tmp"/kubernetes_validate-*.whl \
    "kubernetes_validate/kubernetes-json-schema/$KUBERNETES_SCHEMA_VERSION-local-strict/*" -d "$tmp"
  mkdir -p "$(dirname "$schemas")"
  rm -rf "$schemas"
  mv "$tmp/kubernetes_validate/kubernetes-json-schema/$KUBERNETES_SCHEMA_VERSION-local-strict" "$schemas"
fi
ln -sfn "$KUBERNETES_SCHEMA_VERSION-local-strict" "$dir/kubernetes-json-schema/current"

crds="$dir/keda-$KEDA_VERSION"
if [ ! -f "$crds/keda.sh_scaledobjects.yaml" ]; then
  log "kubernetes tools: KEDA $KEDA_VERSION CRDs"
  module="$(GOFLAGS=-mod=mod go mod download -json "github.com/kedacore/keda/v2@$KEDA_VERSION" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  mkdir -p "$crds"
  cp "$module/config/crd/bases/keda.sh_scaledobjects.yaml" \
    "$module/config/crd/bases/keda.sh_triggerauthentications.yaml" "$crds/"
fi
ln -sfn "keda-$KEDA_VERSION" "$dir/keda-current"
