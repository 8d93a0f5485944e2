#!/usr/bin/env bash
# Data-path figures (issue 3): time from `kodiak-dp run` to the proxy's full config; time from an
# endpoint change (a Dataplane PUT) to the affected Envoy having it; control-plane CPU while idle
# with connected proxies. Needs `make build` and Envoy (`make setup`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work="$(mktemp -d)"
source kodiak-bench/lib.sh
admin=$(free_port); out_port=$(free_port)
now_ms() { date +%s%3N; }
percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if(i<1)i=1; print a[i]}'; }

start_control_plane "$work"

dataplane() { # name admin-port outbound-port
  cat <<YAML
type: Dataplane
mesh: default
name: $1
networking:
  address: 127.0.0.1
  inbound: [{port: $(free_port), servicePort: $(free_port), tags: {kuma.io/service: client, kuma.io/protocol: http}}]
  outbound: [{port: $3, tags: {kuma.io/service: backend}}]
  admin: {port: $2}
YAML
}
# first proxy: a cold control plane (first bootstrap and first ADS stream since start)
dataplane client-1 "$admin" "$out_port" > "$work/client-1.yaml"
start=$(now_ms)
curl -sf -XPOST -H "Authorization: Bearer $token" "127.0.0.1:$api/tokens/dataplane" -d '{"mesh":"default"}' > "$work/token"
bin/kodiak-dp run --cp-address "https://127.0.0.1:$dp" --ca-cert-file "$work/cp/cp-ca.pem" --dataplane-file "$work/client-1.yaml" --readiness-port 0 --metrics-port 0 \
  --dataplane-token-file "$work/token" \
  > "$work/dp-1.log" 2>&1 &
pids+=($!)
until curl -s "127.0.0.1:$admin/config_dump" 2>/dev/null | grep -q "outbound:127.0.0.1:$out_port"; do sleep 0.005; done
cold=$(( $(now_ms) - start ))
: > "$work/first.txt"
for i in 2 3 4 5 6; do
  a=$(free_port); o=$(free_port)
  dataplane "client-$i" "$a" "$o" > "$work/client-$i.yaml"
  start=$(now_ms)
  bin/kodiak-dp run --cp-address "https://127.0.0.1:$dp" --ca-cert-file "$work/cp/cp-ca.pem" --dataplane-file "$work/client-$i.yaml" --readiness-port 0 --metrics-port 0 \
    --dataplane-token-file "$work/token" \
    > "$work/dp-$i.log" 2>&1 &
  pids+=($!)
  until curl -s "127.0.0.1:$a/config_dump" 2>/dev/null | grep -q "outbound:127.0.0.1:$o"; do sleep 0.005; done
  echo $(( $(now_ms) - start )) >> "$work/first.txt"
done
echo "dp.first      kodiak-dp run -> its Envoy holds the full config: median $(percentile 50 < "$work/first.txt") ms, max $(percentile 100 < "$work/first.txt") ms over 5 agents (agent JVM and Envoy start included); ${cold} ms for the first agent after a control-plane start"

: > "$work/lat.txt"
for i in $(seq 1 30); do
  port=$((40000 + i))
  body="{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"backend-$i\",\"networking\":{\"address\":\"127.0.0.1\",\"inbound\":[{\"port\":$port,\"tags\":{\"kuma.io/service\":\"backend\",\"kuma.io/protocol\":\"http\"}}]}}"
  s=$(date +%s%N)
  curl -sf -XPUT -H "Authorization: Bearer $token" "127.0.0.1:$api/meshes/default/dataplanes/backend-$i" -d "$body" >/dev/null
  until curl -s "127.0.0.1:$admin/clusters" | grep -q "backend::127.0.0.1:$port::"; do :; done
  e=$(date +%s%N); echo $(( (e - s) / 1000000 )) >> "$work/lat.txt"
done
echo "xds.endpoint  Dataplane PUT -> endpoint in the client's Envoy (EDS), 30 changes: p50 $(percentile 50 < "$work/lat.txt") ms, p90 $(percentile 90 < "$work/lat.txt") ms, max $(percentile 100 < "$work/lat.txt") ms (REST write, fsync, 10 ms debounce and polling Envoy's /clusters included; 6 proxies connected)"

sleep 3
hz=$(getconf CLK_TCK); ticks() { awk '{print $14+$15}' "/proc/$cp_pid/stat"; }
t0=$(ticks); sleep 10; t1=$(ticks)
echo "cp.idle.xds   CPU over 10 s idle with a connected proxy: $(awk -v d=$((t1-t0)) -v hz=$hz 'BEGIN{printf "%.2f", d/hz}') s"
