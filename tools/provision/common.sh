# Shared by the provisioning scripts: where fetched artefacts are cached between runs and clones.
FASHION_CACHE_DIR="${FASHION_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fashion-kafka}"
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$FASHION_CACHE_DIR"

log() { printf '[provision] %s\n' "$*" >&2; }
fail() {
  printf '[provision] error: %s\n' "$*" >&2
  exit 1
}
