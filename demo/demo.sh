#!/usr/bin/env bash
# make demo: the control plane, an HTTP frontend that calls a backend, each with an Envoy sidecar
# configured by Kodiak. Prints what to try; Ctrl-C stops everything.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java="$(bin/java-runtime)"
work="$(mktemp -d /tmp/kodiak-demo.XXXXXX)"
pids=()

stop() {
  trap - INT TERM EXIT
  echo; echo "stopping the demo..."
  for (( i=${#pids[@]}-1; i>=0; i-- )); do kill "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  echo "stopped."
}
trap stop INT TERM EXIT

for port in 5681 5678 5680 20001 20002 10001 18080 18081 9911 9912 5670 5671 9411; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use (is 'make run' or another demo running?); stop it first" >&2; exit 1
  fi
done

KODIAK_DATA_DIR="$work/cp" bin/kodiak-cp run > "$work/cp.log" 2>&1 & pids+=($!)
until curl -sf localhost:5681/ >/dev/null; do sleep 0.1; done

# zero trust: mTLS STRICT from the builtin CA, and one permission: frontend -> backend
token="$(cat "$work/cp/admin-token")"
curl -sf -XPUT -H "Authorization: Bearer $token" localhost:5681/meshes/default -d \
  '{"type":"Mesh","name":"default","mtls":{"enabledBackend":"ca-1","backends":[{"name":"ca-1","type":"builtin","mode":"STRICT"}]}}' >/dev/null
curl -sf -XPUT -H "Authorization: Bearer $token" localhost:5681/meshes/default/meshtrafficpermissions/frontend-to-backend -d \
  '{"type":"MeshTrafficPermission","mesh":"default","name":"frontend-to-backend","spec":{"targetRef":{"kind":"MeshService","name":"backend"},"from":[{"targetRef":{"kind":"MeshService","name":"frontend"},"default":{"action":"Allow"}}]}}' >/dev/null
curl -sf -XPUT -H "Authorization: Bearer $token" localhost:5681/meshes/default/meshtrafficpermissions/anyone-to-frontend -d \
  '{"type":"MeshTrafficPermission","mesh":"default","name":"anyone-to-frontend","spec":{"targetRef":{"kind":"MeshService","name":"frontend"},"from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Allow"}}]}}' >/dev/null

# observability: traces to a Zipkin-API receiver, access logs to a file, Prometheus metrics
curl -sf -XPUT -H "Authorization: Bearer $token" localhost:5681/meshes/default/meshtraces/demo-traces -d \
  '{"type":"MeshTrace","mesh":"default","name":"demo-traces","spec":{"targetRef":{"kind":"Mesh"},"default":{"backends":[{"type":"Zipkin","zipkin":{"url":"http://127.0.0.1:9411/api/v2/spans"}}]}}}' >/dev/null
curl -sf -XPUT -H "Authorization: Bearer $token" localhost:5681/meshes/default/meshaccesslogs/demo-logs -d \
  "{\"type\":\"MeshAccessLog\",\"mesh\":\"default\",\"name\":\"demo-logs\",\"spec\":{\"targetRef\":{\"kind\":\"Mesh\"},\"to\":[{\"targetRef\":{\"kind\":\"Mesh\"},\"default\":{\"backends\":[{\"type\":\"File\",\"file\":{\"path\":\"$work/access.log\"}}]}}],\"from\":[{\"targetRef\":{\"kind\":\"Mesh\"},\"default\":{\"backends\":[{\"type\":\"File\",\"file\":{\"path\":\"$work/access.log\"}}]}}]}}" >/dev/null
curl -sf -XPUT -H "Authorization: Bearer $token" localhost:5681/meshes/default/meshmetrics/demo-metrics -d \
  '{"type":"MeshMetric","mesh":"default","name":"demo-metrics","spec":{"targetRef":{"kind":"Mesh"},"default":{"backends":[{"type":"Prometheus","prometheus":{"port":5670,"path":"/metrics"}}]}}}' >/dev/null
"$java" -cp kodiak-demo/target/kodiak-demo.jar io.kodiak.demo.DemoApp spans 9411 "$work/traces.jsonl" > "$work/spans.log" 2>&1 & pids+=($!)

"$java" -cp kodiak-demo/target/kodiak-demo.jar io.kodiak.demo.DemoApp backend 18080 backend-1 > "$work/backend.log" 2>&1 & pids+=($!)
"$java" -cp kodiak-demo/target/kodiak-demo.jar io.kodiak.demo.DemoApp frontend 18081 http://127.0.0.1:10001/ \
  > "$work/frontend.log" 2>&1 & pids+=($!)

sed "s/NAME/backend-1/" > "$work/backend.yaml" <<'YAML'
type: Dataplane
mesh: default
name: NAME
networking:
  address: 127.0.0.1
  inbound:
    - port: 20001
      servicePort: 18080
      tags: {kuma.io/service: backend, kuma.io/protocol: http}
  admin: {port: 9911}
YAML
cat > "$work/frontend.yaml" <<'YAML'
type: Dataplane
mesh: default
name: frontend-1
networking:
  address: 127.0.0.1
  inbound:
    - port: 20002
      servicePort: 18081
      tags: {kuma.io/service: frontend, kuma.io/protocol: http}
  outbound:
    - port: 10001
      tags: {kuma.io/service: backend}
  admin: {port: 9912}
YAML
# each proxy proves who it is with a dataplane token bound to its name
for dp in backend-1 frontend-1; do
  curl -sf -XPOST -H "Authorization: Bearer $token" localhost:5681/tokens/dataplane \
    -d "{\"mesh\":\"default\",\"name\":\"$dp\"}" > "$work/$dp.token"
done
bin/kodiak-dp run --cp-address https://127.0.0.1:5678 --ca-cert-file "$work/cp/cp-ca.pem" \
  --dataplane-file "$work/backend.yaml" --readiness-port 0 --metrics-port 5671 \
  --dataplane-token-file "$work/backend-1.token" > "$work/dp-backend.log" 2>&1 & pids+=($!)
bin/kodiak-dp run --cp-address https://127.0.0.1:5678 --ca-cert-file "$work/cp/cp-ca.pem" \
  --dataplane-file "$work/frontend.yaml" --readiness-port 0 --metrics-port 5670 \
  --dataplane-token-file "$work/frontend-1.token" > "$work/dp-frontend.log" 2>&1 & pids+=($!)

printf "waiting for the sidecars"
until [ "$(curl -s -o /dev/null -w '%{http_code}' localhost:10001/)" = 200 ]; do printf "."; sleep 0.2; done
echo " ready."
cat <<TXT

Kodiak demo is running (logs in $work):
  control plane   REST API http://localhost:5681   dp-server :5678
  frontend        app :18081, sidecar inbound :20002, outbound to backend on 127.0.0.1:10001
  backend         app :18080, sidecar inbound :20001

The mesh runs mTLS STRICT (builtin CA); a MeshTrafficPermission lets frontend call backend.

Try:
  curl localhost:10001/                     # frontend's sidecar -> mutual TLS -> backend's sidecar -> backend
  curl localhost:20001/                     # plaintext to the backend's sidecar: refused (STRICT)
  # deny it: let only some other service call the backend, and the frontend gets 403
  curl -XPUT -H "Authorization: Bearer \$(cat $work/cp/admin-token)" \\
    localhost:5681/meshes/default/meshtrafficpermissions/frontend-to-backend \\
    -d '{"type":"MeshTrafficPermission","mesh":"default","name":"frontend-to-backend","spec":{"targetRef":{"kind":"MeshService","name":"backend"},"from":[{"targetRef":{"kind":"MeshService","name":"someone-else"},"default":{"action":"Allow"}}]}}'
  curl -i localhost:10001/                  # HTTP/1.1 403 Forbidden (RBAC: access denied)
  bin/kodiakctl --config-file $work/ctl get dataplanes
  bin/kodiakctl --config-file $work/ctl inspect dataplanes
  bin/kodiakctl --config-file $work/ctl inspect dataplane frontend-1 --type config
  bin/kodiakctl --config-file $work/ctl inspect dataplane frontend-1 --type rules

Observability (MeshMetric, MeshAccessLog, MeshTrace are applied):
  curl localhost:5670/metrics               # the frontend sidecar's Prometheus metrics (backend's: :5671)
  curl localhost:5680/metrics               # the control plane's own metrics (xDS, store, JVM)
  tail -f $work/access.log                  # one line per request, from both sidecars
  tail -f $work/traces.jsonl                # spans (frontend client, backend server), ~5 s after a request

Press Ctrl-C to stop everything.
TXT
cat > "$work/ctl" <<CFG
contexts: [{name: demo, controlPlane: demo}]
controlPlanes: [{name: demo, coordinates: {apiServer: {url: "http://localhost:5681", authType: tokens, authConf: {tokenFile: "$work/cp/admin-token"}}}}]
currentContext: demo
CFG
curl -s localhost:10001/
wait
