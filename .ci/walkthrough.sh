#!/usr/bin/env bash
# Walk-through test of "write your own algorithm": in a temporary copy of the package, scaffold one
# throw-away algorithm of each kind with the new-algorithm plugin, lint and build the result, check
# `continual list` shows them, run them through `continual compare` (via the compare plugin) on the
# built-in dataset, check the table contains them, check the plugins' errors, and run the generated tests.
#
#   bash .ci/walkthrough.sh             # run from anywhere; never touches the real checkout
#   WALKTHROUGH_KEEP=1 bash .ci/walkthrough.sh      # keep the temporary copy for inspection
#   bash .ci/walkthrough.sh --in-place  # CI: in this (clean) checkout, on top of `swift test -c release`
#
# A copy lives at another path, so SwiftPM rebuilds the whole package there (twice: `swift build`
# and `swift test` compile with different flags), about 350 s on 2 cores. `--in-place` scaffolds in
# this checkout instead, so `swift test -c release --filter Walk…` compiles only the new targets and
# what imports them, and the tool it links is the one the checks use; the compare plugin, whose
# release build would recompile every module, is left to the package walk-through. It refuses a
# checkout with uncommitted changes and restores every file it wrote when it exits, however it exits.
#
# Call it under the shared CPU lock; it takes no lock itself.
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$(pwd)
start=$(date +%s)
step() { echo; echo "-- walkthrough: $* ($(( $(date +%s) - start ))s)"; }
fail() { echo "walkthrough FAILED: $*" >&2; exit 1; }

in_place=0
case "${1:-}" in
  --in-place) in_place=1 ;;
  "") ;;
  *) fail "unknown argument '$1' (the only one is --in-place)" ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ck-walkthrough.XXXXXX")
if ((in_place)); then
  [[ -z "$(git status --porcelain)" ]] || fail "--in-place needs a checkout without uncommitted changes: $(git status --short | head -3)"
  package=$source_dir
  restore() {  # put back every tracked file and remove every untracked one the walk-through wrote
    git -C "$source_dir" checkout -q -- .
    git -C "$source_dir" clean -fdq -- Sources Tests Docs
    rm -rf "$tmp"
  }
  trap restore EXIT
else
  if [[ "${WALKTHROUGH_KEEP:-0}" == 1 ]]; then echo "keeping $tmp"; else trap 'rm -rf "$tmp"' EXIT; fi
  package="$tmp/ContinualKit"
  mkdir -p "$package"
  step "copy the package (git ls-files: tracked and untracked, not ignored) to $package"
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$package"
fi
cd "$package"

# name kind command-line-name
algorithms=("WalkRegulariser regulariser walk-regulariser" "WalkEstimator estimator walk-estimator" "WalkHead head walk-head")

step "scaffold with the new-algorithm plugin"
for entry in "${algorithms[@]}"; do
  read -r name kind _ <<<"$entry"
  swift package --allow-writing-to-package-directory new-algorithm "$name" --kind "$kind" | tee "$tmp/new-$name.log"
  grep -q "Next steps" "$tmp/new-$name.log" || fail "new-algorithm $name printed no next steps"
  [[ -f "Sources/Algorithms/$name/$name.swift" && -f "Tests/Algorithms/${name}Tests/${name}Tests.swift" && -f "Docs/$name.md" ]] ||
    fail "new-algorithm $name did not write its files"
done
# The plugin keeps the list on one line while it fits, else one entry a line.
tr -d ' \n' < Package.swift | grep -Eq '"WalkRegulariser","WalkEstimator","WalkHead",?\]' ||
  fail "Package.swift's algorithms list: $(grep -A16 'let algorithms' Package.swift)"
grep -q '^import WalkHead$' Sources/ContinualCommand/BuiltInAlgorithms.swift || fail "BuiltInAlgorithms.swift does not import WalkHead"
grep -q 'WalkHead.self,' Sources/ContinualCommand/BuiltInAlgorithms.swift || fail "BuiltInAlgorithms.swift does not register WalkHead"
grep -q '^@_exported import WalkHead$' Sources/ContinualKit/ContinualKit.swift || fail "ContinualKit.swift does not re-export WalkHead"

step "the plugin rejects an existing name, an invalid name and an unknown option"
expect_error() {  # expect_error PATTERN ARGS…: the plugin fails and says PATTERN
  local pattern=$1; shift
  if swift package --allow-writing-to-package-directory new-algorithm "$@" >"$tmp/err.log" 2>&1; then
    cat "$tmp/err.log"; fail "new-algorithm $* succeeded"
  fi
  grep -q "$pattern" "$tmp/err.log" || { cat "$tmp/err.log"; fail "new-algorithm $*: no '$pattern' in its error"; }
}
expect_error "already exists" WalkRegulariser
expect_error "already exists" EWC
expect_error "invalid name" lower-case
expect_error "invalid name" AbcdefghijAbcdefghijAbcde
expect_error "did you mean '--kind'" Other --knd head
expect_error "did you mean 'estimator'" Other --kind estimater

step "lint the generated and edited files"
swift format lint --strict -r Sources/Algorithms/Walk* Tests/Algorithms/Walk* Sources/ContinualCommand/BuiltInAlgorithms.swift \
  Sources/ContinualKit/ContinualKit.swift Package.swift

compare_args=(--benchmark permuted-builtin --algorithms walk-regulariser,walk-estimator,walk-head,ewc --seeds 1
  --iterations 20 --tasks 3 --train-per-task 500 --test-per-task 200 --quiet --format markdown,csv --output "$tmp/results")
run_generated_tests() {
  swift test -c release --filter 'WalkRegulariserTests|WalkEstimatorTests|WalkHeadTests' 2>&1 | tee "$tmp/test.log" |
    grep -vE "^\[[0-9]+/[0-9]+\]"
  grep -qE "Test run with [0-9]+ tests.* passed" "$tmp/test.log" || fail "the generated tests did not pass"
}

if ((in_place)); then
  step "the generated tests (this builds the new targets and relinks the tool on top of the test build)"
  run_generated_tests
else
  step "build the command-line tool in release"
  swift build -c release --product continual
fi
list=$(.build/release/continual list)
for entry in "${algorithms[@]}"; do
  read -r _ _ cli <<<"$entry"
  grep -q "$cli" <<<"$list" || fail "continual list does not show $cli"
done

if ((in_place)); then
  step "continual compare on the built-in dataset"
  .build/release/continual compare "${compare_args[@]}" > /dev/null
else
  step "swift package compare on the built-in dataset"
  swift package compare "${compare_args[@]}"
fi
cat "$tmp/results/comparison.md"
for entry in "${algorithms[@]}"; do
  read -r _ _ cli <<<"$entry"
  grep -E "\| $cli +\| +[0-9]" "$tmp/results/comparison.md" >/dev/null || fail "the table has no row with numbers for $cli"
done

if ((in_place)); then
  step "an invalid setting of a scaffolded algorithm is an error naming it"
  if .build/release/continual compare --algorithms walk-regulariser --set walk-regulariser.lambda=-1 --quiet \
    >"$tmp/err.log" 2>&1; then
    cat "$tmp/err.log"; fail "an invalid setting succeeded"
  fi
  grep -q "walk-regulariser.lambda" "$tmp/err.log" || { cat "$tmp/err.log"; fail "the error does not name the setting"; }
else
  step "swift package compare surfaces the tool's errors"
  if swift package compare --no-such-option >"$tmp/err.log" 2>&1; then cat "$tmp/err.log"; fail "compare --no-such-option succeeded"; fi
  grep -q "no-such-option" "$tmp/err.log" && grep -q "exited with status" "$tmp/err.log" ||
    { cat "$tmp/err.log"; fail "compare's error is unclear"; }
  if swift package compare --algorithms walk-regulariser --set walk-regulariser.lambda=-1 --quiet >"$tmp/err.log" 2>&1; then
    cat "$tmp/err.log"; fail "an invalid setting succeeded"
  fi
  grep -q "walk-regulariser.lambda" "$tmp/err.log" || { cat "$tmp/err.log"; fail "compare's error does not name the setting"; }
  step "the generated tests"
  run_generated_tests
fi

step "done"
