# Shared by the provisioning scripts: where fetched artefacts are cached between runs and clones.
FASHION_CACHE_DIR="${FASHION_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fashion-kafka}"
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$FASHION_CACHE_DIR"

log() { printf '[provision] %s\n' "$*" >&2; }
fail() {
  printf '[provision] error: %s\n' "$*" >&2
  exit 1
}

# pinned_venv NAME WHAT PIN...: a virtual environment with exactly these pins, cached in
# FASHION_CACHE_DIR under NAME and a hash of the pins (changing one makes a fresh one); prints its
# python. WHAT says in the error who needs it.
pinned_venv() {
  local name="$1" what="$2"
  shift 2
  local venv
  venv="$FASHION_CACHE_DIR/$name-$(printf '%s\n' "$@" | sha256sum | cut -c1-12)"
  if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
    command -v python3 >/dev/null || fail "python3 is needed for $what"
    log "installing $* into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      --cache-dir "$FASHION_CACHE_DIR/pip" "$@" >&2
    touch "$venv/.complete"
  fi
  echo "$venv/bin/python"
}
