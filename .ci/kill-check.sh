#!/usr/bin/env bash
# Kill test: a sweep killed with SIGKILL twice mid-run, then resumed, must end with exactly the
# records (and table) of an uninterrupted sweep; nothing written before a kill may be lost. Each
# kill lands inside a run, right after it saved a new task-boundary checkpoint, so the resumed
# sweep must continue runs from their checkpoints (records say `resumed_after_task`).
source "$(dirname "$0")/sweep-check-setup.sh"
grid+=(--iterations 60 --train-per-task 400 --hidden 64 --quiet)
t0=$(date +%s.%N)
"$bin" compare "${grid[@]}" --output "$dir/clean" > /dev/null 2>&1
t1=$(date +%s.%N)
kills=0
killed_in=none
for round in 1 2; do
  touch "$dir/marker"
  sleep 0.01
  "$bin" compare "${grid[@]}" --output "$dir/killed" > /dev/null 2>&1 &
  pid=$!
  # Wait (at most 60 s) for a checkpoint of another run than the last kill's, written after this
  # round started, then kill at once.
  for _ in $(seq 1 6000); do
    fresh=$(find "$dir/killed/checkpoints" -name manifest.json -newer "$dir/marker" -not -path "*/$killed_in/*" 2>/dev/null | head -1 || true)
    if [ -n "$fresh" ]; then killed_in=$(basename "$(dirname "$fresh")"); break; fi
    sleep 0.01
  done
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  lines=0
  if [ -f "$dir/killed/records.jsonl" ]; then lines=$(wc -l < "$dir/killed/records.jsonl"); fi
  echo "kill check: round $round killed mid-run with ${lines} records and $(find "$dir/killed/checkpoints" -name manifest.json 2>/dev/null | wc -l || true) checkpoint(s) on disk"
done
t2=$(date +%s.%N)
"$bin" compare "${grid[@]}" --output "$dir/killed" > /dev/null 2>&1
t3=$(date +%s.%N)
python3 - "$dir" "$kills" "$t0" "$t1" "$t2" "$t3" <<'PY'
import json, os, sys
d, kills = sys.argv[1], int(sys.argv[2])
t0, t1, t2, t3 = map(float, sys.argv[3:7])
def load(path):
    rows = {}
    for line in open(path):
        r = json.loads(line)
        rows[r["run_id"]] = r
    return rows
clean, resumed = load(f"{d}/clean/records.jsonl"), load(f"{d}/killed/records.jsonl")
same = lambda a, b: (a["accuracy_matrix"], a["loss_terms"]) == (b["accuracy_matrix"], b["loss_terms"])
assert len(clean) == 12 and clean.keys() == resumed.keys() and all(same(clean[k], resumed[k]) for k in clean), \
    "the resumed sweep's records differ from the uninterrupted sweep's"
strip = lambda t: [{k: v for k, v in r.items() if not k.startswith("wall")} for r in t]
assert strip(json.load(open(f"{d}/clean/comparison.json"))) == strip(json.load(open(f"{d}/killed/comparison.json")))
assert kills >= 2, f"the sweep finished before it could be killed twice ({kills} kills)"
continued = [r for r in resumed.values() if (r.get("notes") or {}).get("resumed_after_task")]
assert len(continued) >= 2, f"only {len(continued)} runs continued from a checkpoint; each kill should leave one"
assert not os.path.exists(f"{d}/killed/checkpoints"), "checkpoints of finished runs were left behind"
print(f"kill check: {kills} SIGKILLs, {len(continued)} runs continued from task-boundary checkpoints, "
      f"resumed sweep equals the uninterrupted one (12 runs); "
      f"uninterrupted {t1 - t0:.1f} s, killed + resumed {t3 - t1:.1f} s in total")
PY
