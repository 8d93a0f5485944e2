#!/usr/bin/env bash
# Runs a benchmark profile and prints the issue 7 table at the end (figure, target, measured,
# verdict). quick (make bench): everything up to 1,000 proxies, under 10 minutes on 2 cores.
# full (make bench-full): 10,000 proxies, memory up to 10,000, the full JMH profile, capacity
# per resource kind (issue 11).
# The whole output is kept in kodiak-bench/target/bench-PROFILE.log.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
profile="${1:-quick}"
log="kodiak-bench/target/bench-$profile.log"
mkdir -p kodiak-bench/target
run() { echo "== $*"; "$@"; }
{
  case "$profile" in
    quick)
      run kodiak-bench/foundation.sh
      run kodiak-bench/datapath.sh
      run kodiak-bench/generation.sh
      run kodiak-bench/jmh.sh quick
      run kodiak-bench/fleet.sh 1000 5 30
      run kodiak-bench/memory.sh 0 1000
      run kodiak-bench/latency.sh 1000 30
      run kodiak-bench/kubernetes.sh 100
      run kodiak-bench/replicas.sh 20000 3
      ;;
    full)
      run kodiak-bench/jmh.sh full
      KODIAK_CP_MAX_HEAP=3g run kodiak-bench/fleet.sh 10000 5 300
      KODIAK_CP_MAX_HEAP=3g run kodiak-bench/memory.sh 0 1000 5000 10000
      # Capacity per resource kind at a small heap, so it takes minutes (scale by heap size).
      KODIAK_CP_MAX_HEAP=192m run kodiak-bench/capacity.sh 150000
      ;;
    *) echo "usage: all.sh quick|full" >&2; exit 2 ;;
  esac
} 2>&1 | tee "$log"
echo
echo "# issue 7 targets ($profile profile; all output in $log)"
python3 kodiak-bench/table.py < "$log"
