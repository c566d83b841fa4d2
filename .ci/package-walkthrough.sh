#!/usr/bin/env bash
# Walk-through of "ContinualKit as a dependency" (Templates/Package), as a user would do it: copy the
# template into a new folder outside this repository, point its dependency at this checkout, build
# it, run its tests (ContinualTesting's conformance checks, a run stacked with EWC), and run its own
# `continual` command: `list` shows the new algorithm, `compare` puts it, alone and stacked with
# EWC, in one table beside EWC, SI and MAS.
#
#   bash .ci/package-walkthrough.sh          # from anywhere; never touches the checkout
set -euo pipefail
cd "$(dirname "$0")/.."
kit=$(pwd)
fail() { echo "package walk-through FAILED: $*" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ck-package.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -R Templates/Package "$tmp/MyContinualLab"
cd "$tmp/MyContinualLab"
# The template names a clone beside it; here, this checkout.
sed -i.bak "s#path: \"../ContinualKit\"#path: \"$kit\"#" Package.swift && rm Package.swift.bak
grep -q "path: \"$kit\"" Package.swift || fail "could not point Package.swift at $kit"

swift build -c release
swift test -c release 2>&1 | tee "$tmp/test.log"
grep -q "Test conformance() passed" "$tmp/test.log" || fail "the conformance test did not pass"
grep -q "Test stacksWithEWC() passed" "$tmp/test.log" || fail "the test stacked with EWC did not pass"

bin=.build/release/my-continual
"$bin" list > "$tmp/list"
grep -q "^  my-penalty " "$tmp/list" || fail "my-continual list does not show my-penalty"
grep -q "^  ewc " "$tmp/list" || fail "my-continual list does not show the built-in ewc"
# Output goes to files before grep: `grep -q` stops reading at the first match, and under pipefail
# the writer's SIGPIPE would fail the step.
"$bin" compare --help > "$tmp/help"
grep -q -- "--algorithms" "$tmp/help" || fail "my-continual compare --help shows no options"

"$bin" compare --benchmark split-builtin --scenario task --algorithms ewc,si,mas,my-penalty,ewc+my-penalty \
  --seeds 1 --iterations 30 --train-per-task 600 --test-per-task 200 --output "$tmp/out" --quiet > "$tmp/table.md"
cat "$tmp/table.md"
for row in ewc si mas my-penalty ewc+my-penalty; do
  grep -q "| task     | $row " "$tmp/table.md" || fail "the table has no $row row"
done
# The stacked run trained with both terms: its record's loss terms name both.
grep '"algorithm":"ewc+my-penalty"' "$tmp/out/records.jsonl" > "$tmp/stacked" || fail "no ewc+my-penalty record"
grep -q '"my-penalty":' "$tmp/stacked" || fail "ewc+my-penalty's record has no my-penalty loss term"
grep -q '"ewc":' "$tmp/stacked" || fail "ewc+my-penalty's record has no ewc loss term"
echo "package walk-through: passed"
