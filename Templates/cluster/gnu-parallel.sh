#!/bin/bash
# A ContinualKit sweep over the cores of one machine (or many, with parallel's --sshlogin) with
# GNU parallel: N processes, each running one slice of the grid, then one merged table.
#   bash Templates/cluster/gnu-parallel.sh 4
set -euo pipefail
N=${1:-4}
swift build -c release --product continual
export CONTINUAL_THREADS=1   # one thread per process; N processes share the cores
seq 1 "$N" | parallel --line-buffer \
  .build/release/continual compare --benchmark split-builtin --scenario task,class \
  --algorithms finetune,ewc,si,mas --seeds 3 --shard {}/"$N" --quiet --output results/parallel/shard-{}
.build/release/continual report results/parallel/shard-*/records.jsonl --output results/parallel
