#!/usr/bin/env python3
"""Reads the output of the issue 7 benchmarks (stdin) and prints one table: each figure, its
target, what was measured and whether it meets the target. Used by kodiak-bench/all.sh."""
import re
import sys

text = sys.stdin.read()
rows = []


def seconds(value, unit):
    return float(value) / 1000 if unit == "ms" else float(value)


def row(figure, target, measured, ok):
    rows.append((figure, target, measured, "meets" if ok else "MISSES"))


for m in re.finditer(r"^(B1 cold connect|B1 warm reconnect)\s+all (\d+) full in ([\d.]+) (ms|s)", text, re.M):
    n, took = int(m.group(2)), seconds(m.group(3), m.group(4))
    limit = 5 if n <= 1000 else 60
    row(f"{m.group(1)}, N = {n:,}", f"< {limit} s", f"all full in {took:.1f} s", took < limit)
for m in re.finditer(r"^B1 (?:cold connect|warm reconnect)\s+all (\d+) full in - \((\d+) never full\)", text, re.M):
    row(f"B1, N = {int(m.group(1)):,}", "everyone full", f"{m.group(2)} never full", False)

for m in re.finditer(r"^(B2 mesh-wide|B2 again \(warm\))\s+write .*? p99 ([\d.]+) (ms|s), .*? over (\d+) proxies", text, re.M):
    n, p99 = int(m.group(4)), seconds(m.group(2), m.group(3))
    limit = 0.25 if n <= 1000 else 2.0
    row(f"{m.group(1)}, N = {n:,}", f"p99 <= {limit * 1000:.0f} ms", f"p99 {p99 * 1000:.0f} ms", p99 <= limit)

fleets = [(m.start(), int(m.group(1))) for m in re.finditer(r"^# fleet: (\d+) proxies", text, re.M)]


def fleet_size(position):
    """The N of the fleet run a line belongs to (the last '# fleet:' header before it)."""
    sizes = [n for start, n in fleets if start < position]
    return sizes[-1] if sizes else 0


for m in re.finditer(r"^B3 endpoint churn .*? p99 ([\d.]+) (ms|s),.*?pushed to watchers: \{([^}]*)\}", text, re.M):
    n, p99 = fleet_size(m.start()), seconds(m.group(1), m.group(2))
    types = {t.split("=")[0] for t in m.group(3).split(", ") if t}
    eds_only = types <= {"ClusterLoadAssignment"}
    measured = f"p99 {p99 * 1000:.0f} ms, pushed {', '.join(sorted(types))}"
    if n <= 1000:
        row(f"B3 endpoint churn, N = {n:,}", "p99 <= 100 ms, EDS only", measured, p99 <= 0.1 and eds_only)
    else:
        row(f"B3 endpoint churn, N = {n:,}", "EDS only (no latency target)", measured, eds_only)

for m in re.finditer(r"^B4 memory\s+(\d+) proxies: live heap\s+(\d+) MiB, RSS\s+(\d+) MiB, ([\d.]+) MB live heap per proxy", text, re.M):
    per = float(m.group(4))
    row(f"B4 memory, N = {int(m.group(1)):,}", "<= 0.25 MB per proxy",
        f"{per:.3f} MB per proxy (live {m.group(2)} MiB, RSS {m.group(3)} MiB)", per <= 0.25)

for m in re.finditer(r"^(K1 one Pod at a time|K2 all at once)\s+p50 (\d+) ms, p99 (\d+) ms, max (\d+) ms over (\d+) Pods", text, re.M):
    p99 = int(m.group(3))
    row(f"{m.group(1)}: Pod Running -> endpoint in a caller's Envoy, {m.group(5)} Pods", "p99 < 1 s",
        f"p50 {m.group(2)} ms, p99 {p99} ms", p99 < 1000)

for m in re.finditer(r"^K3 a MeshTimeout applied with kubectl -> the caller's Envoy\s+p50 (\d+) ms, p99 (\d+) ms", text, re.M):
    row("K3 policy applied with kubectl -> Envoy", "as fast as REST (B2 p99 <= 250 ms at 1,000)",
        f"p50 {m.group(1)} ms, p99 {m.group(2)} ms (one proxy)", int(m.group(2)) <= 250)

for m in re.finditer(r"^H1 durable writes through one replica\s+(\d+) writes in ([\d.]+) s: (\d+) writes/s \((\d+) concurrent clients, (\d+) failed\)", text, re.M):
    rate, failed = int(m.group(3)), int(m.group(5))
    row("H1 durable writes/s through one replica (PostgreSQL)", ">= 2,000/s, none failed",
        f"{rate:,}/s ({m.group(4)} clients, {failed} failed)", rate >= 2000 and failed == 0)
for m in re.finditer(r"^H2 write on replica A -> Envoy held by replica B\s+p50 (\d+) ms, p99 (\d+) ms", text, re.M):
    row("H2 write on replica A -> Envoy on replica B", "p99 < 100 ms",
        f"p50 {m.group(1)} ms, p99 {m.group(2)} ms", int(m.group(2)) < 100)
for m in re.finditer(r"^(H3 leader killed -> the survivor runs the singleton work|H4 leader killed -> its proxies ACK a config from the survivor)\s+p50 (\d+) ms, p99 (\d+) ms, max (\d+) ms over (\d+)", text, re.M):
    row(m.group(1).split("  ")[0], "< 5 s (every round)",
        f"p50 {m.group(2)} ms, max {m.group(4)} ms over {m.group(5)} kills", int(m.group(4)) < 5000)

jmh = {(k, int(c)): float(v) for k, c, v in
       re.findall(r"^GenerationJmh\.(changed|unchanged)\s+(\d+)\s+avgt\s+\d+\s+([\d.]+)", text, re.M)}
for clusters in sorted({c for _, c in jmh}):
    if ("changed", clusters) in jmh and clusters == 150:
        us = jmh[("changed", clusters)]
        row("B5 full build, ~400 resources", "<= 2 ms", f"{us / 1000:.2f} ms", us <= 2000)
    if ("unchanged", clusters) in jmh and clusters == 150:
        us = jmh[("unchanged", clusters)]
        row("B5 unchanged path, same proxy", "<= 0.2 ms", f"{us:.1f} us", us <= 200)

for m in re.finditer(r"^B6 idle\s+(\d+) s: cp ([\d.]+) CPU-s \(([\d.]+) % of one core\), (\d+) responses pushed", text, re.M):
    share, pushed = float(m.group(3)), int(m.group(4))
    row(f"B6 idle {m.group(1)} s, N = {fleet_size(m.start()):,}", "<= 2 % of a core, 0 pushed", f"{share:.2f} % of a core, {pushed} pushed",
        share <= 2 and pushed == 0)

for m in re.finditer(r"^added by the mesh\s+p50 ([+\-\d.]+) ms\s+p90 ([+\-\d.]+) ms\s+p99 ([+\-\d.]+) ms", text, re.M):
    p99 = float(m.group(3))
    row("B7 two mTLS sidecars, added", "p99 <= +1.0 ms", f"p50 {m.group(1)} ms, p99 {m.group(3)} ms", p99 <= 1.0)

rates = [float(r) for r in re.findall(r"^B10 certificates\s+(\d+) workload certificates/s on one thread", text, re.M)]
if rates:
    row("B10 certificates/s, one thread", ">= 5,000/s", f"{max(rates):,.0f}/s (best CA key type)", max(rates) >= 5000)

if not rows:
    sys.exit("no benchmark figures found in the input")
widths = [max(len(r[i]) for r in rows + [("figure", "target", "measured", "verdict")]) for i in range(4)]
line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
print(line(("figure", "target", "measured", "verdict")))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows:
    print(line(r))
