#!/usr/bin/env bash
# --jobs check: a sweep trained by two worker processes gives the records of one process, and a
# worker SIGKILLed mid-run stops the sweep with an error naming it; repeating the command resumes
# the killed run from its checkpoint and ends with the same records and table.
source "$(dirname "$0")/sweep-check-setup.sh"
grid+=(--iterations 60 --train-per-task 400 --hidden 64 --threads 1)
"$bin" compare "${grid[@]}" --quiet --output "$dir/one" > /dev/null 2>&1
"$bin" compare "${grid[@]}" --jobs 2 --output "$dir/two" > "$dir/two.out" 2> "$dir/two.err"
grep -q '^\[job 2\] ' "$dir/two.err" || { echo "jobs check: no progress line of job 2"; exit 1; }
"$bin" compare "${grid[@]}" --jobs 2 --output "$dir/killed" > /dev/null 2> "$dir/killed.err" &
parent=$!
# Once a run has a checkpoint, SIGKILL every worker: whichever holds that run dies mid-run, so the
# repeated sweep must continue it from the checkpoint.
workers=""
for _ in $(seq 1 6000); do
  if find "$dir/killed/checkpoints" -name manifest.json 2>/dev/null | grep -q .; then
    workers=$(pgrep -P "$parent" || true)
    [ -n "$workers" ] && break
  fi
  sleep 0.01
done
[ -n "$workers" ] && kill -9 $workers
status=0
wait "$parent" || status=$?
[ "$status" -ne 0 ] || { echo "jobs check: the sweep finished before a worker could be killed"; exit 1; }
grep -q "stopped with signal" "$dir/killed.err" || { echo "jobs check: the killed worker was not named"; cat "$dir/killed.err"; exit 1; }
"$bin" compare "${grid[@]}" --jobs 2 --output "$dir/killed" > /dev/null 2>&1
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
def load(path):
    return {r["run_id"]: r for r in map(json.loads, open(path))}
one, two, killed = (load(f"{d}/{name}/records.jsonl") for name in ("one", "two", "killed"))
same = lambda a, b: (a["accuracy_matrix"], a["loss_terms"]) == (b["accuracy_matrix"], b["loss_terms"])
assert len(one) == 12 and one.keys() == two.keys() == killed.keys(), "the sweeps planned different runs"
assert all(same(one[k], two[k]) for k in one), "two jobs gave other records than one process"
assert all(same(one[k], killed[k]) for k in one), "the killed and resumed sweep gave other records"
continued = [r for r in killed.values() if (r.get("notes") or {}).get("resumed_after_task")]
assert continued, "no run continued from the killed worker's checkpoint"
strip = lambda t: [{k: v for k, v in r.items() if not k.startswith("wall")} for r in t]
assert strip(json.load(open(f"{d}/one/comparison.json"))) == strip(json.load(open(f"{d}/two/comparison.json")))
print(f"jobs check: 2 workers equal 1 process (12 runs); a killed worker was named, "
      f"and the repeated sweep resumed {len(continued)} run(s) from checkpoints to the same records")
PY
