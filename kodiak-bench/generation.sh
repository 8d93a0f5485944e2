#!/usr/bin/env bash
# Policy generation cost (issue 5): one proxy's config without policies and with Kuma's default
# policies plus a MeshHTTPRoute split per service and a MeshHealthCheck, and each plugin alone.
# Usage: kodiak-bench/generation.sh [SERVICES] [OUTBOUNDS]; needs a build (`make build`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java="$(bin/java-runtime)"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$java" -version 2>&1 | head -1)"
"$java" -XX:+UseSerialGC -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
  -cp "kodiak-bench/target/kodiak-bench.jar:kodiak-bench/target/lib/*" io.kodiak.bench.PolicyGenerationBench \
  "${1:-100}" "${2:-10}" --per-plugin 2>/dev/null
# B10 (issue 7): workload certificates signed per second
"$java" -XX:+UseSerialGC -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
  -cp "kodiak-bench/target/kodiak-bench.jar:kodiak-bench/target/lib/*" io.kodiak.bench.CertificateBench 3000 2>/dev/null
