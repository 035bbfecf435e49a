# Shared by the seed's scripts: find the CLI next to this checkout (or on PATH) and run it.
portico() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [ -f "$here/dist/cli/main.js" ]; then
    node "$here/dist/cli/main.js" "$@"
  elif command -v portico >/dev/null 2>&1; then
    command portico "$@"
  else
    echo "portico is not built: run 'npm ci && npm run build' in $here" >&2
    return 2
  fi
}

usage_error() {
  echo "$1" >&2
  exit 2
}
