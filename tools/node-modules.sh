# Sourced by tools/test.sh and tools/demo.sh (from the repository root): installs the
# Node dependencies with `npm ci` when node_modules is missing or older than package-lock.json.
ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
}
