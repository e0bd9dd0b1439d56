#!/usr/bin/env bash
# Interleaved side-by-side runs of the `profile` workloads, reported as
# median and best times and as ratios of this runtime to raw tokio.
#
#   benches/scripts/ratios.sh [ROUNDS] [THREADS]
#
# ROUNDS (default 9) rounds each run every workload once, in turn, so machine
# drift hits both sides alike. THREADS (default 2) worker threads; 0 means a
# current-thread runtime. Ratios are time ratios: below 1.00 this runtime is
# faster.
set -euo pipefail
rounds=${1:-9}
threads=${2:-2}
cd "$(dirname "$0")/../.."
cargo build -q --release -p benches --bin profile
bin=target/release/profile
flag=()
[ "$threads" != 0 ] && flag=(--threads "$threads")
workloads=(tell-actor tell-raw tell-actor-unbounded tell-raw-unbounded ask-actor ask-raw spawn-actor spawn-raw pool-actor pool-raw pipeline-actor pipeline-raw)
for _ in $(seq "$rounds"); do
  for w in "${workloads[@]}"; do
    case $w in ask-*|spawn-*) n=100000 ;; *) n=1000000 ;; esac
    printf '%s %s\n' "$w" "$("$bin" "$w" "$n" "${flag[@]}" 2>&1 >/dev/null | sed 's/elapsed //')"
  done
done | python3 -c '
import re, statistics, sys
runs = {}
for line in sys.stdin:
    name, t = line.split()
    value = float(re.sub("[^0-9.]", "", t))
    scale = {"ns": 1e-6, "µs": 1e-3, "ms": 1.0}.get(re.sub("[0-9.]", "", t), 1e3)
    runs.setdefault(name, []).append(value * scale)
print("%-24s %10s %10s" % ("workload", "median ms", "best ms"))
for name, times in runs.items():
    print(f"{name:24} {statistics.median(times):10.1f} {min(times):10.1f}")
print()
for name, times in runs.items():
    raw = name.replace("actor", "raw")
    if "actor" in name and raw in runs:
        med = statistics.median(times) / statistics.median(runs[raw])
        best = min(times) / min(runs[raw])
        print(f"{name:24} time ratio to raw: median {med:.2f}, best {best:.2f}")
'
