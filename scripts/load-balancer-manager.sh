#!/usr/bin/env bash
# The seed's load balancer manager, now `portico lb`.
#   ./scripts/load-balancer-manager.sh generate   nginx/HAProxy/Caddy configuration (portico lb generate)
#   ./scripts/load-balancer-manager.sh deploy     validate, write, reload, roll back (portico lb deploy)
#   ./scripts/load-balancer-manager.sh status     status of the running balancer
#   ./scripts/load-balancer-manager.sh test       distribution and latency through the balancer
set -uo pipefail
source "$(dirname "$0")/_portico.sh"
cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  generate) portico lb generate "$@" ;;
  deploy) portico lb deploy "$@" ;;
  status) portico lb status "$@" ;;
  test) portico lb test "${1:-default}" "${@:2}" ;;
  serve) portico lb serve "$@" ;;
  ""|-h|--help) sed -n '2,6p' "$0" ;;
  *) usage_error "unknown command: $cmd (generate, deploy, status, test, serve)" ;;
esac
