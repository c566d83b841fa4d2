#!/usr/bin/env bash
# Slurm: Templates/cluster/slurm-array.sbatch on a real one-node Slurm cluster started on this
# machine. The grid of shard-check.sh is submitted through the template as an array of 3 slices;
# one slice's `continual` process is killed with SIGKILL mid-run (frozen first, so that the kill
# lands only while a task-boundary checkpoint is on disk), its array task fails, and it is requeued
# with `scontrol requeue`, which Slurm allows only because the template asks for --requeue
# (the cluster's JobRequeue=0). When every task has finished, the merged records and table must
# equal those of the same grid run in one process (wall times aside), the requeued slice must have
# continued a run from its checkpoint, and its log must hold both attempts.
#
# Needs root (apt-get, and slurmd starts jobs as their user). Installs slurmctld, slurmd,
# slurm-client and munge with apt-get when absent (running apt-get update only if the install
# fails without it). Daemons run in the foreground under a temporary folder on free ports, with a
# fresh munge key, and are stopped on exit, failure included; on failure their logs are printed.
# Usage: bash .ci/slurm-check.sh [path/to/continual]   (SLURM_CHECK=skip skips it, on a machine
# without root or apt-get; CI never sets it)
source "$(dirname "$0")/check-setup.sh" "slurm check" SLURM_CHECK
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-.build/release/continual}")
template=$repo/Templates/cluster/slurm-array.sbatch
SECONDS=0
[[ -x $bin ]] || die "no tool at $bin (swift build -c release --product continual)"
[[ $(id -u) == 0 ]] || die "needs root: apt-get installs Slurm and slurmd starts jobs as their user (SLURM_CHECK=skip skips this check)"
command -v apt-get > /dev/null || command -v slurmd > /dev/null \
  || die "no Slurm and no apt-get to install it with (SLURM_CHECK=skip skips this check)"

dir=$(mktemp -d /tmp/slurm-check.XXXXXX)
chmod 755 "$dir"
mkdir -p "$dir/log"
pids=()
job=
made_policy=
cleanup() {
  status=$?
  set +e
  if [[ -n $made_policy ]]; then rm -f "$made_policy"; fi
  if [[ -n $job ]]; then
    scancel "$job" 2> /dev/null
    for _ in $(seq 1 50); do [[ -z $(squeue -h -j "$job" 2> /dev/null) ]] && break; sleep 0.2; done
  fi
  if ((status != 0)); then
    for log in "$dir"/log/*.out "$dir"/log/*.log "$dir"/work/results/sweep/slurm-*.log; do
      [[ -f $log ]] || continue
      echo "----- $log (last 40 lines)" >&2
      tail -n 40 "$log" >&2
    done
  fi
  # Stop the daemons this script started, slurmd first, then slurmctld, then munged.
  for ((k = ${#pids[@]} - 1; k >= 0; k--)); do
    kill "${pids[k]}" 2> /dev/null
    for _ in $(seq 1 50); do kill -0 "${pids[k]}" 2> /dev/null || break; sleep 0.1; done
    kill -9 "${pids[k]}" 2> /dev/null
    wait "${pids[k]}" 2> /dev/null
  done
  rm -rf "$dir"
  exit "$status"
}
trap cleanup EXIT

# 1. Install Slurm and munge (Debian 12: Slurm 22.05) unless present. The packages' init scripts
#    are kept from starting system daemons (a policy-rc.d, for the install only) unless something
#    already prevents it.
if ! command -v slurmctld > /dev/null || ! command -v slurmd > /dev/null \
  || ! command -v sbatch > /dev/null || ! command -v munged > /dev/null; then
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    made_policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' > "$made_policy"
    chmod 755 "$made_policy"
  fi
  packages=(slurmctld slurmd slurm-client munge)
  install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"; }
  if ! install > "$dir/log/apt.out" 2>&1; then
    say "apt-get install failed without an update; running apt-get update"
    apt-get update -q >> "$dir/log/apt.out" 2>&1 || true
    install >> "$dir/log/apt.out" 2>&1 || die "could not install ${packages[*]} with apt-get"
  fi
  if [[ -n $made_policy ]]; then
    rm -f "$made_policy"
    made_policy=
  fi
  say "installed ${packages[*]} in ${SECONDS} s"
fi
say "$(slurmctld -V), munge $(munged --version 2>&1 | head -1 | awk '{print $1}' | sed 's/munge-//')"

# 2. Configure: one node with this machine's CPUs and 90 % of its memory (as slurmd -C measures
#    them), process tracking without cgroups, a private munge socket and free ports.
mkdir -p "$dir"/{munge,key,state,spool,work/results/sweep}
chmod 700 "$dir/key"
head -c 1024 /dev/urandom > "$dir/key/munge.key"
chmod 400 "$dir/key/munge.key"
read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
host=$(hostname -s)
node=$(slurmd -C | head -1)
cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<< "$node")
memory=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<< "$node")
topology=$(grep -o -E '(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=[0-9]+' <<< "$node" | tr '\n' ' ')
[[ -n $cpus && -n $memory ]] || die "slurmd -C did not report CPUs and memory: $node"
export SLURM_CONF=$dir/slurm.conf
cat > "$SLURM_CONF" << EOF
ClusterName=ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
# cred_expire is also how long a requeued job waits before it may start again (default 120 s)
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=5
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
# Jobs are not requeueable unless they ask (the template's --requeue is what is tested)
JobRequeue=0
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 $topology RealMemory=$((memory * 9 / 10)) State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

# 3. Start munged, slurmctld and slurmd, and wait (at most 30 s) for the node to be idle.
munged --foreground --force --socket="$dir/munge/munge.socket" --key-file="$dir/key/munge.key" \
  --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/seed" \
  --log-file="$dir/log/munged.log" > "$dir/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [[ -S $dir/munge/munge.socket ]] && break; sleep 0.1; done
munge -S "$dir/munge/munge.socket" -n | unmunge -S "$dir/munge/munge.socket" > /dev/null \
  || die "munged does not answer on its socket"
slurmctld -D -i > "$dir/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$host" > "$dir/log/slurmd.out" 2>&1 &
pids+=($!)
state=
for _ in $(seq 1 300); do
  state=$(sinfo -h -n "$host" -o %T 2> /dev/null || true)
  [[ $state == idle ]] && break
  for k in "${!pids[@]}"; do
    kill -0 "${pids[k]}" 2> /dev/null || die "$(sed -n "$((k + 1))p" <<< $'munged\nslurmctld\nslurmd') exited at start-up"
  done
  sleep 0.1
done
[[ $state == idle ]] || die "the node did not become idle in 30 s (state: ${state:-none})"
t_up=$SECONDS
say "one-node cluster up ($host: $cpus CPUs, $((memory * 9 / 10)) MB; ports $ctld_port, $slurmd_port)"

# 4. The reference: the grid in one process.
# shellcheck disable=SC2054  # commas separate values inside options
grid=(--benchmark split-builtin --scenario task,class --algorithms finetune,ewc,si --seeds 2
      --iterations 30 --train-per-task 300 --test-per-task 100 --hidden 32 --quiet --format json)
"$bin" compare "${grid[@]}" --output "$dir/whole" > "$dir/log/whole.out" 2>&1 \
  || { cat "$dir/log/whole.out" >&2; die "the single-process grid failed"; }

# 5. The same grid through the template, as a job array of 3 slices on 1 CPU each (2 at a time on
#    2 CPUs), from a submission folder laid out as a user's (results/sweep holds logs and slices).
cd "$dir/work"
job=$(CONTINUAL_BIN=$bin sbatch --parsable --array=1-3 --cpus-per-task=1 --mem=1G \
  "$template" "${grid[@]}") || die "sbatch refused the template"
job=${job%%;*}
say "submitted array job $job (3 slices)"

# 6. Kill slice 2 mid-run: find its process through Slurm, wait for a task-boundary checkpoint of
#    a run that has no record yet, freeze the process (SIGSTOP), and kill it (SIGKILL) only if such
#    a checkpoint is still there — else the run had just finished (its record is written first, its
#    checkpoint removed next): let it go on and wait for the next one.
victim=2
task_id=
for _ in $(seq 1 600); do
  task_id=$(squeue -h -j "${job}_${victim}" -t RUNNING -o %A 2> /dev/null || true)
  [[ -n $task_id ]] && break
  sleep 0.1
done
[[ -n $task_id ]] || die "array task ${job}_${victim} did not start in 60 s"
pid=
for _ in $(seq 1 200); do
  for p in $(scontrol listpids "$task_id" 2> /dev/null | awk 'NR > 1 { print $1 }'); do
    [[ $(cat "/proc/$p/comm" 2> /dev/null) == continual ]] && pid=$p
  done
  [[ -n $pid ]] && break
  sleep 0.05
done
[[ -n $pid ]] || die "no continual process in array task ${job}_${victim} (job $task_id)"
killed=$(python3 - "$dir/work/results/sweep/shard-$victim" "$pid" << 'PY'
import glob, json, os, signal, sys, time
folder, pid = sys.argv[1], int(sys.argv[2])
def alive():
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
def unfinished():
    runs = {os.path.basename(os.path.dirname(m)) for m in glob.glob(f"{folder}/checkpoints/*/manifest.json")}
    try:
        for line in open(f"{folder}/records.jsonl"):
            try:
                runs.discard(json.loads(line)["run_id"])
            except (ValueError, KeyError):
                pass
    except FileNotFoundError:
        pass
    return sorted(runs)
deadline = time.time() + 60
while time.time() < deadline and alive():
    if unfinished():
        try:
            os.kill(pid, signal.SIGSTOP)
        except ProcessLookupError:
            break
        runs = unfinished()
        if runs:
            os.kill(pid, signal.SIGKILL)
            print(runs[0])
            sys.exit(0)
        os.kill(pid, signal.SIGCONT)
    time.sleep(0.002)
sys.exit(1)
PY
) || die "slice $victim ended without being caught with a checkpoint on disk"
say "killed slice $victim (pid $pid) with SIGKILL while run $killed had a checkpoint on disk"
state=
for _ in $(seq 1 100); do
  state=$(scontrol -o show job "$task_id" | sed -n 's/.* JobState=\([A-Z_]*\).*/\1/p')
  [[ $state == FAILED ]] && break
  sleep 0.1
done
[[ $state == FAILED ]] || die "the killed task is $state, not FAILED"
scontrol requeue "$task_id" || die "scontrol requeue refused the killed task: is --requeue in the template?"
say "array task ${job}_${victim} FAILED and was requeued"

# 7. Wait (at most 120 s) for every array task.
for _ in $(seq 1 1200); do
  [[ -z $(squeue -h -j "$job" 2> /dev/null) ]] && break
  sleep 0.1
done
[[ -z $(squeue -h -j "$job") ]] || die "the array job did not finish in 120 s: $(squeue -h -j "$job")"
t_done=$SECONDS
scontrol -o show job "$job" > "$dir/log/jobs.txt"
"$bin" report results/sweep/shard-*/records.jsonl --output "$dir/merged" --format json > /dev/null 2>&1 \
  || die "continual report could not merge the slices' records"

# 8. Compare: Slurm's view of the tasks, the requeued slice's log and records, then every record
#    and the merged table against the single-process ones.
python3 - "$dir" "$victim" "$killed" << 'PY' || die "the array job's result is wrong (above)"
import glob, json, re, sys
def excepthook(kind, value, tb):
    print(f"slurm check: {value}" if kind is AssertionError else f"slurm check: {kind.__name__}: {value}", file=sys.stderr)
sys.excepthook = excepthook
d, victim, killed = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tasks = {}
for line in open(f"{d}/log/jobs.txt"):
    f = dict(re.findall(r"(\w+)=(\S*)", line))
    tasks[int(f["ArrayTaskId"])] = f
assert sorted(tasks) == [1, 2, 3], f"array tasks {sorted(tasks)}, expected 1-3"
for i, f in tasks.items():
    assert f["JobState"] == "COMPLETED" and f["ExitCode"] == "0:0", \
        f"array task {i}: {f['JobState']} exit {f['ExitCode']}"
    assert f["Requeue"] == "1", f"array task {i} is not requeueable (the template's --requeue)"
    expected = 1 if i == victim else 0
    assert f["Restarts"] == str(expected), f"array task {i} restarted {f['Restarts']} times, expected {expected}"
log = open(glob.glob(f"{d}/work/results/sweep/slurm-*_{victim}.log")[0]).read()
starts = re.findall(rf"continualkit: slice {victim}/3 .*restart (\d+)", log)
assert starts == ["0", "1"], f"the requeued slice's log shows starts {starts}, expected restart 0 then 1 (--open-mode=append)"
def load(paths):
    rows = {}
    for p in paths:
        for line in open(p):
            r = json.loads(line)
            assert r["run_id"] not in rows, f"run {r['run_id']} recorded twice"
            rows[r["run_id"]] = r
    return rows
whole = load([f"{d}/whole/records.jsonl"])
sliced = load(glob.glob(f"{d}/work/results/sweep/shard-*/records.jsonl"))
resumed = [r for r in load([f"{d}/work/results/sweep/shard-{victim}/records.jsonl"]).values()
           if (r.get("notes") or {}).get("resumed_after_task")]
assert killed in sliced, f"the killed run {killed} has no record"
after = (sliced[killed].get("notes") or {}).get("resumed_after_task")
assert after, f"the killed run {killed} did not continue from its checkpoint after the requeue"
assert len(whole) == 12, f"expected 12 runs, got {len(whole)}"
assert whole.keys() == sliced.keys(), "the array job ran other runs than the single process"
# Every field of a record must agree except when and how fast it ran, and the resume note.
volatile = {"wall_seconds", "finished_at", "peak_rss_bytes"}
def key(r):
    r = {k: v for k, v in r.items() if k not in volatile}
    notes = {k: v for k, v in (r.pop("notes", None) or {}).items() if k != "resumed_after_task"}
    return r, notes
for k in whole:
    a, b = key(whole[k]), key(sliced[k])
    fields = sorted(f for f in a[0].keys() | b[0].keys() if a[0].get(f) != b[0].get(f)) + (["notes"] if a[1] != b[1] else [])
    assert not fields, f"run {k} differs between the array job and the single process in {', '.join(fields)}"
strip = lambda t: [{k: v for k, v in row.items() if not k.startswith("wall")} for row in t]
assert strip(json.load(open(f"{d}/whole/comparison.json"))) == strip(json.load(open(f"{d}/merged/comparison.json"))), \
    "the merged table differs from the single-process table"
print(f"slurm check: 12 runs in 3 array tasks (slice {victim} killed in run {killed}, requeued, "
      f"continued after task {after}; {len(resumed)} run(s) resumed) equal one process's records and table")
PY
say "install and start ${t_up} s, reference and array job $((t_done - t_up)) s, total ${SECONDS} s"
