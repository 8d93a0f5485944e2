#!/usr/bin/env bash
# B4 (issue 7): control-plane memory as a simulated fleet grows through the given sizes: live heap
# after a full GC and RSS, and live heap per proxy. Heap KODIAK_CP_MAX_HEAP (default 1g; give
# 10,000 proxies more). Usage: kodiak-bench/memory.sh N1 N2 ...; needs a build (`make build`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java="$(bin/java-runtime)"
[ $# -gt 0 ] || set -- 0 1000
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$java" -version 2>&1 | head -1)"
"$java" -XX:+UseSerialGC -Xmx2g -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
  -cp "kodiak-bench/target/kodiak-bench.jar:kodiak-bench/target/lib/*" io.kodiak.bench.fleet.FleetBench \
  --memory "$@" 2>/dev/null
