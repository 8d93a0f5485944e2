#!/usr/bin/env bash
# Kubernetes mode (issue 13): a Pod written Running -> its endpoint in a caller's real Envoy, through
# the real API server (make k8s-tools), the Pod controller and xDS; one Pod at a time, then N at once.
# Usage: kodiak-bench/kubernetes.sh [PODS]; needs `make build`, Envoy and `make k8s-tools`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java="$(bin/java-runtime)"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$java" -version 2>&1 | head -1)"
"$java" -XX:+UseSerialGC -Dkodiak.tools=.tools/bin -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
  -Dlogback.configurationFile=logback.xml `# the bench jar's (WARN), not the k8s test jar's` \
  -cp "kodiak-bench/target/kodiak-bench.jar:kodiak-bench/target/lib/*" io.kodiak.bench.kubernetes.PodStartupBench \
  "${1:-100}" "$root/.venv/bin/envoy"
