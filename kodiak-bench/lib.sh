# Shared by the bench scripts (sourced after setting $work): cleanup on exit, free loopback
# ports and a real control plane.

# Processes to stop and the work directory to remove when the script exits (for any reason).
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_control_plane WORK: bin/kodiak-cp on loopback with its data in WORK/cp and its log in
# WORK/cp.log; sets api, dp (ports), cp_pid and token (the admin token) and adds the pid to pids.
# Stops the script with the log's tail if the control plane exits before it answers.
start_control_plane() {
  local work="$1"
  api=$(free_port); dp=$(free_port)
  KODIAK_DATA_DIR="$work/cp" KODIAK_API_SERVER_HTTP_PORT=$api KODIAK_DP_SERVER_PORT=$dp \
    KODIAK_API_SERVER_HTTP_INTERFACE=127.0.0.1 KODIAK_DP_SERVER_INTERFACE=127.0.0.1 KODIAK_DIAGNOSTICS_PORT=${KODIAK_DIAGNOSTICS_PORT:-0} \
    KODIAK_API_SERVER_HTTPS_PORT=$(free_port) bin/kodiak-cp run > "$work/cp.log" 2>&1 &
  cp_pid=$!
  pids+=("$cp_pid")
  until curl -sf "127.0.0.1:$api/" >/dev/null; do
    kill -0 "$cp_pid" 2>/dev/null || { echo "the control plane exited:" >&2; tail -5 "$work/cp.log" >&2; exit 1; }
    sleep 0.02
  done
  token=$(cat "$work/cp/admin-token")
}
