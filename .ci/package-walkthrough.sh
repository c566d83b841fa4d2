#!/usr/bin/env bash
# Walk-through of "your own package is the first-class path" (issue #28's "Done when"), as a user does
# it, in an empty folder outside this repository, never touching the checkout:
#
#   1. start a package from the template (Templates/Package copied into the empty folder) and point its
#      ContinualKit dependency at this checkout, by path;
#   2. `swift package new-algorithm Mine` (ContinualKit's plugin, a product of the dependency) writes
#      Sources/Mine, Tests/MineTests and Docs/Mine.md into that package and registers Mine in its
#      Package.swift and in its executable's main.swift; its errors for a taken name are checked;
#   3. build once (`swift build -c release --build-tests`: the framework, the tool and the tests) and
#      test without building again (`swift test -c release --skip-build`);
#   4. `my-continual list` shows mine beside the built-in algorithms, and the package's own benchmark,
#      network and preset;
#   5. `my-continual compare` makes one table with mine, ewc+mine, the template's my-penalty and ewc, on
#      the built-in data and on the package's own benchmark (split-stripes); the package's preset runs
#      with its network; `swift package compare` runs the same tool without rebuilding the framework;
#   6. one line of Mine changes: the rebuild and the tests take seconds, and the next compare retrains
#      the runs the old build made and says so (results follow the code).
#
# The framework is compiled once (step 3); steps 5 and 6 recompile only the package's own targets.
# Each step's time is printed; the template's README quotes them.
#
#   bash .ci/package-walkthrough.sh          # from anywhere; PACKAGE_WALKTHROUGH_KEEP=1 keeps the folder
set -euo pipefail
cd "$(dirname "$0")/.."
kit=$(pwd)
start=$(date +%s)
last=$start
step() {
  local now
  now=$(date +%s)
  echo; echo "-- package walk-through: $* (at $((now - start)) s; previous step $((now - last)) s)"
  last=$now
}
fail() { echo "package walk-through FAILED: $*" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ck-package.XXXXXX")
if [[ "${PACKAGE_WALKTHROUGH_KEEP:-0}" == 1 ]]; then echo "keeping $tmp"; else trap 'rm -rf "$tmp"' EXIT; fi
lab="$tmp/MyContinualLab"

step "an empty folder, the template copied in, ContinualKit named by path"
mkdir "$lab"
cp -R "$kit/Templates/Package/." "$lab/"
cd "$lab"
# The template names a clone beside it (../ContinualKit); here, this checkout.
sed -i.bak "s#path: \"../ContinualKit\"#path: \"$kit\"#" Package.swift && rm Package.swift.bak
grep -q "path: \"$kit\"" Package.swift || fail "could not point Package.swift at $kit"

step "swift package new-algorithm Mine, from ContinualKit's plugin"
swift package --allow-writing-to-package-directory new-algorithm Mine | tee "$tmp/new.log"
grep -q "Next steps" "$tmp/new.log" || fail "new-algorithm printed no next steps"
for file in Sources/Mine/Mine.swift Sources/Mine/MinePenalty.swift Tests/MineTests/MineTests.swift Docs/Mine.md; do
  [[ -f "$file" ]] || fail "new-algorithm did not write $file"
done
grep -q 'let algorithms: \[String\] = \["MyPenalty", "Mine"\]' Package.swift ||
  fail "Mine is not in Package.swift's list"
grep -q '^import Mine$' Sources/my-continual/main.swift || fail "main.swift does not import Mine"
grep -q 'Mine.self' Sources/my-continual/main.swift || fail "main.swift does not register Mine"
if grep -rq "testable" Tests; then fail "a test of the package uses @testable (it would rebuild the framework)"; fi
[[ ! -e "$kit/Sources/Algorithms/Mine" ]] || fail "new-algorithm wrote into ContinualKit's checkout"
if swift package --allow-writing-to-package-directory new-algorithm Mine > "$tmp/err.log" 2>&1; then
  fail "new-algorithm Mine succeeded twice"
fi
grep -q "already exists" "$tmp/err.log" || { cat "$tmp/err.log"; fail "no 'already exists' for a second Mine"; }
if swift package --allow-writing-to-package-directory new-algorithm EWC > "$tmp/err.log" 2>&1; then
  fail "new-algorithm EWC succeeded beside ContinualKit's EWC"
fi
grep -q "already exists" "$tmp/err.log" || { cat "$tmp/err.log"; fail "no 'already exists' for EWC"; }
swift format lint --strict --configuration "$kit/.swift-format" -r Sources Tests Package.swift ||
  fail "the package does not pass swift format lint"

step "build once: the framework, my-continual and the tests (swift build -c release --build-tests)"
swift build -c release --build-tests > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "the build failed"; }
grep -vE "^\[[0-9]+/[0-9]+\] " "$tmp/build.log" || true
[[ -x .build/release/my-continual ]] || fail "the build made no .build/release/my-continual"

step "the tests, not built again (swift test -c release --skip-build)"
swift test -c release --skip-build 2>&1 | tee "$tmp/test.log" | grep -E "✘|passed after|failed" || true
grep -qE "Test run with [0-9]+ tests.* passed" "$tmp/test.log" || fail "the package's tests did not pass"
for test in "MyPenaltyTests" "MineTests"; do
  grep -q "Suite $test passed" "$tmp/test.log" || fail "$test did not pass"
done

bin=.build/release/my-continual
step "my-continual list"
"$bin" list > "$tmp/list"
for row in mine my-penalty ewc split-stripes narrow stripes-quick; do
  grep -q "^  $row " "$tmp/list" || fail "my-continual list does not show $row"
done

step "my-continual compare: mine, ewc+mine, my-penalty and ewc on the built-in data and the package's own benchmark"
compare=(compare --benchmark split-builtin,split-stripes --scenario task --algorithms ewc,mine,ewc+mine,my-penalty
  --seeds 1 --iterations 30 --train-per-task 600 --test-per-task 200 --output "$tmp/out" --format markdown)
"$bin" "${compare[@]}" --quiet > "$tmp/table.md"
cat "$tmp/table.md"
for benchmark in split-builtin split-stripes; do
  for row in ewc mine ewc+mine my-penalty; do
    grep -qE "\| $benchmark +\| task +\| ${row//+/\\+} +\| +[0-9]" "$tmp/table.md" ||
      fail "the table has no row with numbers for $row on $benchmark"
  done
done
# The stacked run trained with both terms: its record's loss terms name both.
grep '"algorithm":"ewc+mine"' "$tmp/out/records.jsonl" > "$tmp/stacked" || fail "no ewc+mine record"
grep -q '"mine":' "$tmp/stacked" && grep -q '"ewc":' "$tmp/stacked" || fail "ewc+mine's record lacks a loss term"
grep -q '"build":"exe ' "$tmp/stacked" || fail "the record does not say which build made it"

step "the package's preset, with its network, on its benchmark"
"$bin" compare --preset stripes-quick --seeds 1 --output "$tmp/preset" --format markdown --quiet > "$tmp/preset.md"
grep -qE "\| split-stripes +\| task +\| ewc\\+my-penalty +\| +[0-9]" "$tmp/preset.md" || fail "the preset made no table"
grep -q '"network":"narrow"' "$tmp/preset/records.jsonl" || fail "the preset's records do not name the network narrow"

step "swift package compare: the same tool, no rebuild of the framework"
swift package compare --benchmark split-builtin --scenario task --algorithms mine --seeds 1 --iterations 10 \
  --train-per-task 200 --test-per-task 100 --output "$tmp/plugin" --format markdown --quiet > "$tmp/plugin.log" 2>&1 ||
  { cat "$tmp/plugin.log"; fail "swift package compare failed"; }
grep -qE "\| mine +\| +[0-9]" "$tmp/plugin/comparison.md" ||
  { cat "$tmp/plugin.log"; fail "swift package compare: no mine row"; }
if grep -q "Compiling ContinualEngine" "$tmp/plugin.log"; then fail "swift package compare rebuilt the framework"; fi

step "edit one line of Mine, rebuild (swift build -c release --build-tests)"
sed -i.bak 's#return total.map { $0 \* (strength / 2) }#return total.map { $0 * (strength / 4) }#' \
  Sources/Mine/MinePenalty.swift
rm Sources/Mine/MinePenalty.swift.bak
grep -q 'strength / 4' Sources/Mine/MinePenalty.swift || fail "could not edit Sources/Mine/MinePenalty.swift"
swift build -c release --build-tests > "$tmp/rebuild.log" 2>&1 || { cat "$tmp/rebuild.log"; fail "the rebuild failed"; }
grep -vE "^\[[0-9]+/[0-9]+\]" "$tmp/rebuild.log" || true
if grep -q "Compiling ContinualEngine" "$tmp/rebuild.log"; then fail "the rebuild recompiled the framework"; fi

step "the tests again (swift test -c release --skip-build)"
# The hand-computed case expects λ/2: the edited penalty fails it, as it should.
if swift test -c release --skip-build --filter MineTests > "$tmp/test2.log" 2>&1; then
  fail "MineTests passed with the penalty halved"
fi
grep -q "penaltyAwayFromTheAnchor" "$tmp/test2.log" || { cat "$tmp/test2.log"; fail "another test failed"; }

step "compare again: the runs the old build made are retrained, and it says so"
"$bin" "${compare[@]}" --quiet > "$tmp/table2.md" 2> "$tmp/compare2.log"
cat "$tmp/compare2.log"
grep -q "8 run(s) of ewc, ewc+mine, mine, my-penalty have records made by another build" "$tmp/compare2.log" ||
  fail "compare did not say it retrains the old build's runs"
[[ $(grep -c '"run_id"' "$tmp/out/records.jsonl") == 16 ]] || fail "compare did not retrain the eight runs"
"$bin" "${compare[@]}" --quiet > /dev/null 2> "$tmp/compare3.log"
if grep -q "another build" "$tmp/compare3.log"; then fail "a third compare with the same build retrained again"; fi
step "passed"
