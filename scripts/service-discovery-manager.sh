#!/usr/bin/env bash
# The seed's service discovery manager, now `portico discovery`.
#   ./scripts/service-discovery-manager.sh discover               discover services (and register them)
#   ./scripts/service-discovery-manager.sh register auth-service  register a service (--port N [--check ...])
#   ./scripts/service-discovery-manager.sh health                 health-check every service
#   ./scripts/service-discovery-manager.sh monitor 60             check every 60 seconds
set -uo pipefail
source "$(dirname "$0")/_portico.sh"
cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  discover) portico discovery discover --register "$@" ;;
  register)
    [ $# -ge 1 ] || usage_error "usage: $0 register <name> --port N [--address A] [--check http:/health]"
    name="$1"; shift
    if [[ " $* " != *" --port "* ]]; then
      # The seed registered services by name alone: find the port in compose/portico.yaml.
      port=$(portico discovery discover --json 2>/dev/null | node -e '
        let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
          const i = JSON.parse(s).instances.find((x) => x.service === process.argv[1]);
          if (i) console.log(`${i.address} ${i.port}`);
        });' "$name")
      [ -n "$port" ] || usage_error "$name is not in the compose file or portico.yaml here: give --port N"
      set -- --address "${port% *}" --port "${port#* }" "$@"
    fi
    portico discovery register "$name" "$@" ;;
  health) portico discovery health "$@" ;;
  monitor) portico discovery monitor "${1:-10}" "${@:2}" ;;
  list) portico discovery list "$@" ;;
  ""|-h|--help) sed -n '2,6p' "$0" ;;
  *) usage_error "unknown command: $cmd (discover, register, health, monitor, list)" ;;
esac
