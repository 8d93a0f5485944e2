#!/usr/bin/env bash
# Fleet figures (issue 7): N simulated proxies on delta ADS streams against a real control plane
# (bin/kodiak-cp, heap KODIAK_CP_MAX_HEAP, default 1g): B1 cold connect, B2 mesh-wide change,
# B3 endpoint churn (and which xDS types it pushes), B6 idle.
# Usage: kodiak-bench/fleet.sh [N] [OUTBOUNDS] [IDLE_SECONDS]; needs a build (`make build`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java="$(bin/java-runtime)"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$java" -version 2>&1 | head -1)"
"$java" -XX:+UseSerialGC -Xmx2g -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
  -cp "kodiak-bench/target/kodiak-bench.jar:kodiak-bench/target/lib/*" io.kodiak.bench.fleet.FleetBench \
  "${1:-1000}" "${2:-5}" "${3:-30}" 2>/dev/null
