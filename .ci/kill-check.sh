#!/usr/bin/env bash
# Kill test: a sweep killed with SIGKILL twice mid-run, then resumed, must end with exactly the
# records (and table) of an uninterrupted sweep; nothing written before a kill may be lost.
set -euo pipefail
bin=${1:-.build/release/continual}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
grid=(--benchmark split-builtin --scenario task,class --algorithms finetune,ewc,si --seeds 2
      --iterations 60 --train-per-task 400 --test-per-task 100 --hidden 64 --quiet --format json)
"$bin" compare "${grid[@]}" --output "$dir/clean" > /dev/null 2>&1
kills=0
for delay in 1.5 1.5; do
  "$bin" compare "${grid[@]}" --output "$dir/killed" > /dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  lines=$(wc -l < "$dir/killed/records.jsonl" 2>/dev/null || echo 0)
  echo "kill check: killed after ${delay}s with ${lines} records on disk"
done
"$bin" compare "${grid[@]}" --output "$dir/killed" > /dev/null 2>&1
python3 - "$dir" "$kills" <<'PY'
import json, sys
d, kills = sys.argv[1], int(sys.argv[2])
def load(path):
    rows = {}
    for line in open(path):
        r = json.loads(line)
        rows[r["run_id"]] = (r["accuracy_matrix"], r["loss_terms"])
    return rows
clean, resumed = load(f"{d}/clean/records.jsonl"), load(f"{d}/killed/records.jsonl")
assert len(clean) == 12 and clean == resumed, "the resumed sweep's records differ from the uninterrupted sweep's"
strip = lambda t: [{k: v for k, v in r.items() if not k.startswith("wall")} for r in t]
assert strip(json.load(open(f"{d}/clean/comparison.json"))) == strip(json.load(open(f"{d}/killed/comparison.json")))
assert kills >= 2, f"the sweep finished before it could be killed twice ({kills} kills); lengthen the grid"
print(f"kill check: {kills} SIGKILLs, resumed sweep equals the uninterrupted one (12 runs)")
PY
