#!/usr/bin/env bash
# Foundation figures (issue 2): control-plane start-up and idle footprint, kodiakctl latency,
# store write rate and list time, REST list of 10,000 resources. Run via `make bench`.
# Prints one line per figure; needs a build (`make build`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java="$(bin/java-runtime)"
work="$(mktemp -d)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
dp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { [ -n "${cp_pid:-}" ] && kill "$cp_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "# Kodiak foundation bench — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$java" -version 2>&1 | head -1)"

start=$(now_ms)
KODIAK_DATA_DIR="$work/data" KODIAK_API_SERVER_HTTP_PORT=$port KODIAK_API_SERVER_HTTP_INTERFACE=127.0.0.1 KODIAK_DP_SERVER_PORT=$dp_port KODIAK_DIAGNOSTICS_PORT=0 KODIAK_API_SERVER_HTTPS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])') \
  bin/kodiak-cp run > "$work/cp.log" 2>&1 &
cp_pid=$!
until curl -sf "$url/" >/dev/null; do sleep 0.01; done
echo "cp.start      first answer on the API after $(( $(now_ms) - start )) ms (first start: creates store, token, default mesh)"

kill "$cp_pid"; wait "$cp_pid" 2>/dev/null || true
start=$(now_ms)
KODIAK_DATA_DIR="$work/data" KODIAK_API_SERVER_HTTP_PORT=$port KODIAK_API_SERVER_HTTP_INTERFACE=127.0.0.1 KODIAK_DP_SERVER_PORT=$dp_port KODIAK_DIAGNOSTICS_PORT=0 KODIAK_API_SERVER_HTTPS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])') \
  bin/kodiak-cp run >> "$work/cp.log" 2>&1 &
cp_pid=$!
until curl -sf "$url/" >/dev/null; do sleep 0.01; done
echo "cp.restart    first answer on the API after $(( $(now_ms) - start )) ms"

sleep 5
ticks() { awk '{print $14+$15}' "/proc/$cp_pid/stat"; }
t0=$(ticks); sleep 10; t1=$(ticks)
hz=$(getconf CLK_TCK)
echo "cp.idle       CPU over 10 s idle: $(awk -v d=$((t1-t0)) -v hz=$hz 'BEGIN{printf "%.2f", d/hz}') s; RSS $(( $(ps -o rss= -p $cp_pid) / 1024 )) MiB"

cat > "$work/config" <<CFG
contexts:
  - name: bench
    controlPlane: bench
controlPlanes:
  - name: bench
    coordinates:
      apiServer:
        url: $url
        authType: tokens
        authConf:
          tokenFile: $work/data/admin-token
currentContext: bench
CFG
for i in $(seq 1 11); do
  s=$(date +%s%N); bin/kodiakctl --config-file "$work/config" get meshes >/dev/null; e=$(date +%s%N)
  echo $(( (e - s) / 1000000 ))
done > "$work/ctl.txt"
echo "ctl.get       'kodiakctl get meshes' wall time: median $(median < "$work/ctl.txt") ms, max $(sort -n "$work/ctl.txt" | tail -1) ms (11 runs, JVM start included)"

python3 - "$work/many.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("type: Mesh\nname: bench\nskipCreatingInitialPolicies: ['*']\n")
    for i in range(10000):
        f.write("---\ntype: MeshTimeout\nmesh: bench\nname: t-%d\nspec:\n  to:\n    - targetRef: {kind: Mesh}\n      default: {idleTimeout: 10s}\n" % i)
PY
start=$(now_ms)
bin/kodiakctl --config-file "$work/config" apply -f "$work/many.yaml" > /dev/null
elapsed=$(( $(now_ms) - start ))
echo "api.apply     10,001 resources with one 'kodiakctl apply': $elapsed ms = $(( 10001 * 1000 / elapsed )) writes/s over REST (sequential, each durable)"

for run in $(seq 1 5); do
  s=$(date +%s%N)
  for offset in 0 1000 2000 3000 4000 5000 6000 7000 8000 9000; do
    curl -sf "$url/meshes/bench/meshtimeouts?size=1000&offset=$offset" > /dev/null
  done
  e=$(date +%s%N); echo $(( (e - s) / 1000000 ))
done > "$work/list.txt"
echo "api.list      10,000 resources in 10 pages of 1,000 over REST: median $(median < "$work/list.txt") ms (5 runs)"
echo "cp.loaded     RSS with 10,000 resources: $(( $(ps -o rss= -p $cp_pid) / 1024 )) MiB"

"$java" -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp "kodiak-bench/target/kodiak-bench.jar:kodiak-bench/target/lib/*" io.kodiak.bench.StoreBench 5000 2>/dev/null
