#!/usr/bin/env bash
# The seed's network troubleshooter, now `portico troubleshoot`.
#   ./scripts/network-troubleshooter.sh ports                      port conflicts
#   ./scripts/network-troubleshooter.sh connectivity auth-service  DNS → TCP → TLS → HTTP to a service
#   ./scripts/network-troubleshooter.sh api-gateway                502/504s explained
#   ./scripts/network-troubleshooter.sh all                        every check, one report
set -uo pipefail
source "$(dirname "$0")/_portico.sh"
cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  ports|api-gateway|database|docker|performance|security|all) portico troubleshoot "$cmd" "$@" ;;
  connectivity)
    [ $# -ge 1 ] || usage_error "usage: $0 connectivity <service | host:port | url>"
    portico troubleshoot connectivity "$@" ;;
  ""|-h|--help) sed -n '2,6p' "$0" ;;
  *) usage_error "unknown check: $cmd (ports, connectivity, api-gateway, database, docker, performance, security, all)" ;;
esac
