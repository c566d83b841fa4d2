# Sourced by the sweep checks (shard, kill, claim, jobs): strict mode; $bin, the tool (the check's
# first argument); $dir, a scratch folder removed on exit; $grid, the small grid they all run
# (2 scenarios × 3 algorithms × 2 seeds on the built-in data), to which each check appends its size.
set -euo pipefail
bin=${1:-.build/release/continual}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
grid=(--benchmark split-builtin --scenario task,class --algorithms finetune,ewc,si --seeds 2
      --test-per-task 100 --format json)
