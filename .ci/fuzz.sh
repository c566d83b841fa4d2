#!/usr/bin/env bash
# Coverage-guided fuzzing of ContinualKit's readers (Tests/Fuzz, libFuzzer with AddressSanitizer).
#
#   .ci/fuzz.sh [SECONDS] [TARGET…]     each target for SECONDS (default 30), all targets by default
#   FUZZ_RUNS=10000000 .ci/fuzz.sh 600  the long campaign: each target until 10 million executions or
#                                       10 minutes, whichever comes first (Docs/Robustness.md has results)
#
# Each target runs on a copy of its committed seed corpus (Tests/Fuzz/Corpus/<target>) in
# .build/fuzz-run/, never on the committed files, with its dictionary (Tests/Fuzz/Dictionaries).
# Any crash, failed check, AddressSanitizer report, leak, timeout (an input taking over 10 s) or
# out-of-memory (one allocation over 256 MB, or 2 GB resident) fails the script; the input is kept
# in .build/fuzz-run/artifacts/ and shown in hex. Builds and runs are niced and use one process.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
shift || true
all_targets=(fuzz-idx fuzz-idx-dataset fuzz-cifar fuzz-safetensors fuzz-json fuzz-records fuzz-manifest fuzz-saved-model)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# The longest input tried: room to grow the seeds (two CIFAR records are 6 KB, a checkpoint and its
# tensor file 1.4 KB) without slowing every execution.
max_len() {
  case "$1" in
    fuzz-cifar) echo 8192 ;;
    *) echo 4096 ;;
  esac
}
dictionary() {
  case "$1" in
    fuzz-idx | fuzz-idx-dataset) echo idx ;;
    fuzz-cifar) echo cifar ;;
    fuzz-safetensors) echo safetensors ;;
    fuzz-json) echo json ;;
    fuzz-records) echo records ;;
    fuzz-manifest) echo manifest ;;
    fuzz-saved-model) echo saved-model ;;
  esac
}

scratch=.build/fuzz
build_start=$(date +%s)
for target in "${targets[@]}"; do
  nice -n 10 swift build -c release --package-path Tests/Fuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address --product "$target" 2>&1 | grep -v "Cannot export local symbol '__asan_extra_spill_area'" | tail -n 3
done
echo "fuzz: built ${#targets[@]} targets in $(($(date +%s) - build_start)) s"
bin="$(nice -n 10 swift build -c release --package-path Tests/Fuzz --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address --show-bin-path)"

work=.build/fuzz-run
rm -rf "$work"
mkdir -p "$work/artifacts"
runs_flag=()
[ -n "${FUZZ_RUNS:-}" ] && runs_flag=("-runs=$FUZZ_RUNS")
summary=()
failed=0
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  mkdir -p "$corpus"
  cp Tests/Fuzz/Corpus/"$target"/* "$corpus"/
  log="$work/$target.log"
  echo "fuzz: $target for ${seconds} s${FUZZ_RUNS:+ or $FUZZ_RUNS runs} (log: $log)"
  status=0
  # Swift's own crash backtracer would race with the sanitizer's report; libFuzzer prints the stack.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" nice -n 10 "$bin/$target" \
    -max_total_time="$seconds" "${runs_flag[@]}" -max_len="$(max_len "$target")" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=256 -dict="Tests/Fuzz/Dictionaries/$(dictionary "$target").dict" \
    -artifact_prefix="$work/artifacts/$target-" -print_final_stats=1 \
    "$corpus" >"$log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  coverage=$(grep -E '^#[0-9]+' "$log" | grep -o 'cov: [0-9]* ft: [0-9]*' | tail -n 1)
  line="$target: ${executions:-?} executions in ${elapsed:-?} s, ${coverage:-no coverage line}, corpus $(ls "$corpus" | wc -l) files"
  artifacts=$(ls "$work/artifacts" | grep "^$target-" || true)
  if [ "$status" -ne 0 ] || [ -n "$artifacts" ]; then
    failed=1
    line="$line: FAILED (exit $status)"
    echo "fuzz: $target FAILED; the end of its log:"
    grep -v '^#[0-9]' "$log" | tail -n 40
    for artifact in $artifacts; do
      echo "fuzz: input $work/artifacts/$artifact ($(wc -c <"$work/artifacts/$artifact") bytes), first 512 in hex:"
      od -A d -t x1 -N 512 "$work/artifacts/$artifact"
    done
  fi
  echo "fuzz: $line"
  summary+=("$line")
done

echo
echo "fuzz: summary (AddressSanitizer, libFuzzer, ${seconds} s per target${FUZZ_RUNS:+, at most $FUZZ_RUNS runs})"
printf '  %s\n' "${summary[@]}"
exit "$failed"
