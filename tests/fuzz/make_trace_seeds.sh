#!/usr/bin/env bash
# Writes the `trace` target's seeds: simulator traces of short runs, made by `sim` itself (tools/fuzz corpus
# calls this). Each run lasts about a second, so its trace stays a small seed yet holds every kind of line:
# sends, receipts, drops, timers, state changes, faults, checker verdicts and a summary. The last seed is
# the head of a full shipped scenario's trace, cut at a line boundary, as a crashed run leaves it.
# Usage: tests/fuzz/make_trace_seeds.sh SIM SOURCE_DIR OUT_DIR
set -euo pipefail
sim=$1 source_dir=$2 out=$3
max_seed_bytes=65536
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# Short runs of the shipped scenarios' faults: the quiet period is too short for every liveness check, so
# some runs fail, and their traces carry violation lines too.
common='"seed": 3, "duration_ms": 800, "catalog": { "images": 20 }, "checks": { "quiet_period_ms": 200 }'
cat >"$work/crash_restart.json" <<JSON
{ "name": "crash_restart", $common, "cluster": { "edges": 3, "clients": 1 },
  "workload": { "rate_per_s": 10, "stop_ms": 600 },
  "faults": [ { "at_ms": 300, "kind": "crash", "node": "leader" }, { "at_ms": 500, "kind": "restart", "node": "edge-3" } ] }
JSON
cat >"$work/partition_heal.json" <<JSON
{ "name": "partition_heal", $common, "cluster": { "edges": 2, "clients": 1 },
  "network": { "latency": { "distribution": "lognormal", "mean_ms": 1.0, "stddev_ms": 0.3 }, "loss_probability": 0.05 },
  "workload": { "rate_per_s": 10, "stop_ms": 600 },
  "faults": [ { "at_ms": 200, "kind": "partition", "groups": [["edge-1", "canonical", "client-1"], ["edge-2"]] },
              { "at_ms": 500, "kind": "heal" } ] }
JSON
cat >"$work/forged_pause.json" <<JSON
{ "name": "forged_pause", $common, "cluster": { "edges": 3, "clients": 1 },
  "workload": { "rate_per_s": 10, "stop_ms": 600 },
  "faults": [ { "at_ms": 200, "kind": "forge", "node": "edge-1", "as": "edge-3", "message": "coordinator_max_epoch" },
              { "at_ms": 300, "kind": "pause", "node": "edge-2" }, { "at_ms": 450, "kind": "resume", "node": "edge-2" } ] }
JSON

for scenario in "$work"/*.json; do
  name=$(basename "$scenario" .json)
  # A failed check exits 1 and still writes the trace, which is what is wanted here.
  "$sim" "$scenario" --trace "$out/$name.jsonl" >/dev/null || [ $? -eq 1 ]
done

# The head of a full run, whole lines only.
"$sim" "$source_dir/scenarios/leader_crash.json" --trace "$work/leader_crash.jsonl" >/dev/null
head -c $((max_seed_bytes / 4)) "$work/leader_crash.jsonl" | sed '$d' >"$out/leader_crash_cut.jsonl"

for seed in "$out"/*.jsonl; do
  size=$(stat -c %s "$seed")
  if [ "$size" -gt "$max_seed_bytes" ]; then
    echo "make_trace_seeds: $seed has $size bytes, over the $max_seed_bytes-byte limit" >&2
    exit 1
  fi
done
echo "trace       $(ls "$out" | wc -l) seeds"
