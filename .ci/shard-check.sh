#!/usr/bin/env bash
# Sharding: a grid run as 3 separate processes (--shard i/3) must give exactly the records (and so
# the table) of the same grid run in one process. Wall times differ; everything else must not.
source "$(dirname "$0")/sweep-check-setup.sh"
grid+=(--iterations 30 --train-per-task 300 --hidden 32 --quiet)
"$bin" compare "${grid[@]}" --output "$dir/whole" > /dev/null 2>&1
pids=()
for i in 1 2 3; do "$bin" compare "${grid[@]}" --shard "$i/3" --output "$dir/shard-$i" > /dev/null 2>&1 & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid"; done  # a failing shard fails the check
"$bin" report "$dir"/shard-*/records.jsonl --output "$dir/merged" --format json > /dev/null 2>&1
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
def load(paths):
    rows = {}
    for p in paths:
        for line in open(p):
            r = json.loads(line)
            rows[r["run_id"]] = (r["accuracy_matrix"], r["average_accuracy"], r["bwt"], r["loss_terms"])
    return rows
import glob
whole = load([f"{d}/whole/records.jsonl"])
shards = load(glob.glob(f"{d}/shard-*/records.jsonl"))
assert len(whole) == 12, f"expected 12 runs, got {len(whole)}"
assert whole == shards, "sharded runs differ from the single-process runs"
t1 = [{k: v for k, v in row.items() if not k.startswith("wall")} for row in json.load(open(f"{d}/whole/comparison.json"))]
t2 = [{k: v for k, v in row.items() if not k.startswith("wall")} for row in json.load(open(f"{d}/merged/comparison.json"))]
assert t1 == t2, "the merged table differs from the single-process table"
print("shard check: 12 runs in 3 shards equal one process's runs and table")
PY
