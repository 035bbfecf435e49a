#!/usr/bin/env bash
# The seed's network health checker, now `portico health`.
#   ./scripts/network-health-checker.sh                 full health check
#   ./scripts/network-health-checker.sh --ports-only    port conflicts only
#   ./scripts/network-health-checker.sh --network-only  network configuration only
set -uo pipefail
source "$(dirname "$0")/_portico.sh"
case "${1:-}" in
  "") portico health ;;
  --ports-only) shift; portico health --ports-only "$@" ;;
  --network-only) shift; portico health --network-only "$@" ;;
  -h|--help) sed -n '2,5p' "$0" ;;
  *) usage_error "unknown option: $1 (use --ports-only, --network-only, or nothing)" ;;
esac
