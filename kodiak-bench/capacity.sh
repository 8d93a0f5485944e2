#!/usr/bin/env bash
# Capacity (issue 11, item 16): fills a real control plane (bin/kodiak-cp, default heap unless
# KODIAK_CP_MAX_HEAP is set) with one kind of resource at a time over REST until it refuses
# writes (507), falls off a cliff or reaches MAX; one line per 2,000 writes and a capacity.<kind>
# summary. Usage: kodiak-bench/capacity.sh [MAX [KIND ...]] (default 400000, dataplane meshtimeout
# secret); needs a build (`make build`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java="$(bin/java-runtime)"
max="${1:-400000}"; shift || true
[ $# -gt 0 ] || set -- dataplane meshtimeout secret
work="$(mktemp -d)"
source kodiak-bench/lib.sh
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, heap ${KODIAK_CP_MAX_HEAP:-default}, $("$java" -version 2>&1 | head -1)"
for kind in "$@"; do
  rm -rf "$work/cp"
  metrics=$(free_port)
  KODIAK_DIAGNOSTICS_PORT=$metrics KODIAK_DIAGNOSTICS_INTERFACE=127.0.0.1 start_control_plane "$work"
  "$java" -Xmx256m -cp "kodiak-bench/target/kodiak-bench.jar:kodiak-bench/target/lib/*" io.kodiak.bench.CapacityBench \
    "http://127.0.0.1:$api" "http://127.0.0.1:$metrics/metrics" "$token" "$kind" "$max"
  grep -h "heap" "$work/cp.log" | grep -v "effective configuration" | sed 's/^/  cp log: /' | head -3 || true
  kill "$cp_pid"; wait "$cp_pid" 2>/dev/null || true
done
