#!/usr/bin/env bash
# B5 (issue 7): per-proxy generation under JMH, 5 / 100 / 1,000 services, changed and unchanged
# paths. Usage: kodiak-bench/jmh.sh [quick|full] [extra JMH options]; needs a build (`make build`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java="$(bin/java-runtime)"
profile="${1:-quick}"; shift || true
case "$profile" in
  quick) opts=(-f 1 -wi 5 -w 1s -i 5 -r 1s) ;;
  full) opts=(-f 1 -wi 5 -w 2s -i 10 -r 2s) ;;
  *) echo "usage: jmh.sh [quick|full]" >&2; exit 2 ;;
esac
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$java" -version 2>&1 | head -1); JMH $profile"
"$java" -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
  -cp "kodiak-bench/target/kodiak-bench.jar:kodiak-bench/target/lib/*" org.openjdk.jmh.Main GenerationJmh \
  "${opts[@]}" -jvmArgs "-XX:+UseSerialGC -Xmx1g -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener" \
  -rf text -rff /dev/null "$@" 2>&1 | grep -E "^# .*clusters wanted|^Benchmark|^GenerationJmh|ERROR|Exception" || true
