#!/usr/bin/env bash
# B7: latency the mesh adds. client -> Envoy -> mTLS -> Envoy -> server on loopback, against the
# same server called directly; open-loop at a fixed rate with vegeta (a real load generator), 1 KiB
# request and answer bodies. Prints p50/p90/p99/max of both and what the two sidecar hops add.
# Usage: latency.sh [RATE/s] [SECONDS] [ENVOY_WORKERS]. Needs `make build` and `make bench-tools`.
# One Envoy worker per sidecar by default: two sidecars, the server and vegeta share 2 cores, and
# more workers than cores only adds scheduling delay to the tail.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rate="${1:-1000}"; seconds="${2:-30}"; concurrency="${3:-1}" # Envoy worker threads per sidecar
vegeta="$root/.tools/bin/vegeta"
[ -x "$vegeta" ] || { echo "vegeta is missing: make bench-tools" >&2; exit 1; }
java="$(bin/java-runtime)"
work="$(mktemp -d)"
source kodiak-bench/lib.sh
start_control_plane "$work"
api_put() { curl -sf -XPUT -H "Authorization: Bearer $token" -H 'Content-Type: application/x-yaml' "127.0.0.1:$api/$1" --data-binary @- >/dev/null; }

api_put meshes/default <<'YAML'
type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends: [{name: ca-1, type: builtin, mode: STRICT}]
YAML
api_put meshes/default/meshtrafficpermissions/allow-all <<'YAML'
type: MeshTrafficPermission
mesh: default
name: allow-all
spec:
  targetRef: {kind: Mesh}
  from: [{targetRef: {kind: Mesh}, default: {action: Allow}}]
YAML

app=$(free_port); out=$(free_port)
"$java" -cp kodiak-demo/target/kodiak-demo.jar io.kodiak.demo.DemoApp payload "$app" 1024 > "$work/app.log" 2>&1 &
pids+=($!)
agent() { # name service app-port outbound-yaml
  cat > "$work/$1.yaml" <<YAML
type: Dataplane
mesh: default
name: $1
networking:
  address: 127.0.0.1
  inbound: [{port: $(free_port), servicePort: $3, tags: {kuma.io/service: $2, kuma.io/protocol: http}}]
  outbound: [$4]
  admin: {port: $(free_port)}
YAML
  curl -sf -XPOST -H "Authorization: Bearer $token" "127.0.0.1:$api/tokens/dataplane" \
    -d "{\"mesh\":\"default\",\"name\":\"$1\"}" > "$work/$1.token"
  bin/kodiak-dp run --cp-address "https://127.0.0.1:$dp" \
    --ca-cert-file "$work/cp/cp-ca.pem" --dataplane-file "$work/$1.yaml" --dataplane-token-file "$work/$1.token" \
    --readiness-port 0 --metrics-port 0 --concurrency "$concurrency" > "$work/$1.log" 2>&1 &
  pids+=($!)
}
agent backend-1 backend "$app" ""
agent client-1 client "$(free_port)" "{port: $out, tags: {kuma.io/service: backend}}"
head -c 1024 /dev/zero | tr '\0' 'x' > "$work/body"
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$out/")" = 200 ] && break; sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$out/")" = 200 ] || { echo "the mesh never served; logs in $work" >&2; trap - EXIT; exit 1; }
curl -s "127.0.0.1:$(grep -o 'admin: {port: [0-9]*' "$work/client-1.yaml" | grep -o '[0-9]*$')/config_dump" \
  | grep -q 'tls_certificate' || { echo "the client's sidecar holds no certificate: not mTLS" >&2; exit 1; }

attack() { # port seconds -> vegeta JSON report
  echo "POST http://127.0.0.1:$1/" | "$vegeta" attack -rate="$rate/s" -duration="${2}s" -body "$work/body" \
    -header 'Content-Type: application/octet-stream' -keepalive=true | "$vegeta" report -type=json
}
attack "$app" 5 > /dev/null; attack "$out" 5 > /dev/null   # warm up the JIT, Envoy and connection pools
direct=$(attack "$app" "$seconds"); mesh=$(attack "$out" "$seconds")
python3 - "$direct" "$mesh" "$rate" "$seconds" <<'PY'
import json, sys
direct, mesh = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rate, seconds = sys.argv[3], sys.argv[4]
ms = lambda r, k: r["latencies"][k] / 1e6
def line(name, r):
    ok = r["success"] * 100
    print(f"{name:<26} p50 {ms(r,'50th'):6.3f} ms  p90 {ms(r,'90th'):6.3f} ms  p99 {ms(r,'99th'):6.3f} ms  max {ms(r,'max'):7.3f} ms  "
          f"({r['requests']} requests, {ok:.1f} % 200)")
print(f"B7 latency, {rate} requests/s open loop for {seconds} s each, 1 KiB request and answer (vegeta)")
line("direct to the server", direct)
line("through two sidecars, mTLS", mesh)
add = {k: ms(mesh, k) - ms(direct, k) for k in ("50th", "90th", "99th")}
print(f"{'added by the mesh':<26} p50 {add['50th']:+6.3f} ms  p90 {add['90th']:+6.3f} ms  p99 {add['99th']:+6.3f} ms  (target p99 <= +1.0 ms)")
PY
