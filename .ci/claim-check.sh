#!/usr/bin/env bash
# Shared folder: three `continual compare` processes on one --output (no --shard), one of them
# killed with SIGKILL while it trains a run it claimed. The other two must train every run exactly
# once between them, take over the killed process's run (the kernel freed its claim), and each end
# with the whole table: the records equal one process's records on its own.
source "$(dirname "$0")/sweep-check-setup.sh"
grid+=(--iterations 60 --train-per-task 400 --hidden 64)
"$bin" compare "${grid[@]}" --quiet --output "$dir/alone" > /dev/null 2>&1
"$bin" compare "${grid[@]}" --output "$dir/shared" > "$dir/victim.out" 2> "$dir/victim.err" &
victim=$!
# Kill the first process once it holds a claim and has saved a checkpoint of that run.
for _ in $(seq 1 6000); do
  if ls "$dir/shared/claims/"*.lock > /dev/null 2>&1 && find "$dir/shared/checkpoints" -name manifest.json 2>/dev/null | grep -q .; then break; fi
  sleep 0.01
done
pids=()
for i in 1 2; do "$bin" compare "${grid[@]}" --output "$dir/shared" > "$dir/worker-$i.out" 2> "$dir/worker-$i.err" & pids+=($!); done
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
for pid in "${pids[@]}"; do wait "$pid"; done  # a failing worker fails the check
python3 - "$dir" <<'PY'
import json, os, sys
d = sys.argv[1]
def load(path):
    return [json.loads(line) for line in open(path) if line.strip()]
alone = {r["run_id"]: r for r in load(f"{d}/alone/records.jsonl")}
shared = load(f"{d}/shared/records.jsonl")
ids = [r["run_id"] for r in shared]
assert len(ids) == len(set(ids)) == 12, f"{len(ids)} records for {len(set(ids))} runs: a run was trained twice or lost"
same = lambda a, b: (a["accuracy_matrix"], a["loss_terms"]) == (b["accuracy_matrix"], b["loss_terms"])
assert all(same(r, alone[r["run_id"]]) for r in shared), "the shared folder's records differ from one process's"
for i in (1, 2):
    table = [line for line in open(f"{d}/worker-{i}.out") if line.startswith("| split-builtin")]
    assert len(table) == 12, f"worker {i} printed {len(table)} table rows, not 12 (the first table has 6 rows, the per-task one 6)"
    assert all("|   2 |" in row for row in table[:6]), f"worker {i}: a row without n = 2"
assert not os.path.exists(f"{d}/shared/claims"), "claims were left behind"
assert not os.path.exists(f"{d}/shared/checkpoints"), "checkpoints were left behind"
held = sum(open(f"{d}/worker-{i}.err").read().count("claimed by process") for i in (1, 2))
resumed = [r for r in shared if (r.get("notes") or {}).get("resumed_after_task")]
print(f"claim check: 3 processes on one folder, one killed mid-run; 12 runs trained once each "
      f"({held} passed over while claimed, {len(resumed)} resumed from the killed process's checkpoint), "
      f"both survivors printed the whole table, equal to one process's records")
PY
