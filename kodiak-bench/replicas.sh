#!/usr/bin/env bash
# Several control planes on PostgreSQL (issue 14): durable writes through one replica, a write on A
# until an Envoy held by B has it, and the leader killed until the survivor leads and has its
# proxies. Usage: kodiak-bench/replicas.sh [WRITES] [ROUNDS]; needs `make build` and Envoy.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java="$(bin/java-runtime)"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$java" -version 2>&1 | head -1)"
"$java" -XX:+UseSerialGC -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
  -Dlogback.configurationFile=logback.xml `# the bench jar's (WARN), not a test jar's` \
  -cp "kodiak-bench/target/kodiak-bench.jar:kodiak-bench/target/lib/*" io.kodiak.bench.ha.ReplicasBench \
  "${1:-20000}" "${2:-3}" "$root/.venv/bin/envoy"
