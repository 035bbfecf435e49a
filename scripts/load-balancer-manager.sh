#!/usr/bin/env bash
# The seed's load balancer manager, now `portico lb`.
#   ./scripts/load-balancer-manager.sh generate   generate nginx/HAProxy configuration (planned)
#   ./scripts/load-balancer-manager.sh deploy     deploy configuration (planned)
#   ./scripts/load-balancer-manager.sh status     status of the running balancer
#   ./scripts/load-balancer-manager.sh test       distribution and latency through the balancer
set -uo pipefail
source "$(dirname "$0")/_portico.sh"
cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  generate|deploy)
    echo "portico lb $cmd is not built yet. Meanwhile, 'portico lb serve' balances with active health checks:" >&2
    echo "  portico lb serve --upstream 127.0.0.1:9001 --upstream 127.0.0.1:9002 --health-path /health" >&2
    exit 2 ;;
  status) portico lb status "$@" ;;
  test) portico lb test "${1:-default}" "${@:2}" ;;
  serve) portico lb serve "$@" ;;
  ""|-h|--help) sed -n '2,6p' "$0" ;;
  *) usage_error "unknown command: $cmd (generate, deploy, status, test, serve)" ;;
esac
