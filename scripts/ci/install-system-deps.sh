#!/usr/bin/env bash
# Installs the Debian packages Portico's integration tests start for real. Idempotent: skips
# apt entirely when everything is already present. Needs root (CI runs as root).
set -euo pipefail

packages=(
  nginx haproxy caddy            # gateways: exporters, api-gateway diagnosis, benchmarks
  libnginx-mod-stream            # nginx's TCP proxy (stream {}), a dynamic module on Debian
  etcd-server etcd-client        # scale-out store
  redis-server postgresql mariadb-server   # database probes and diagnoses
  docker.io busybox-static       # private Docker engine + local image (no registry here)
  iproute2 iptables              # network namespaces and firewall failure modes
  lsof wrk hey procps psmisc     # peers for benchmarks and process inspection
  openssl ca-certificates curl   # curl: a real client in the TLS tests
  docker-compose                 # compose v1: the reference for the differential compose tests
  prometheus                     # a real http_sd consumer of the agent (test/agent/prometheus.test.ts)
  chromium                       # headless browser for the dashboard and report tests (playwright-core)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: done"
