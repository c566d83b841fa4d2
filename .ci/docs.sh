#!/usr/bin/env bash
# Documentation checks, after a release build (`swift build -c release` or `swift test -c release`):
#
# 1. every code listing a guide introduces with its file name (a line "`path/to/File.swift`:" right
#    before a ```swift block) equals that file, which the tests compile and run;
# 2. every line of a guide's "As `continual list` prints them" block is printed by `continual list`;
# 3. the DocC catalog of each public module (Docs/<Module>.docc) builds with --warnings-as-errors,
#    from symbol graphs extracted from the release build's modules (no rebuild, no package plugin).
#
# Output: .build/docs/<Module>.doccarchive. Usage: bash .ci/docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."

modules=(ContinualEngine ContinualData ContinualCore ContinualReport ContinualCommand ContinualTesting)
out=.build/docs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() {
  echo "docs: $*" >&2
  failed=1
}

# 1. Listings that name their file are that file, byte for byte.
while IFS= read -r -d '' page; do
  awk -v dir="$work" -v page="$page" '
    /^`[^`]+\.swift`:$/ { path = substr($0, 2, length($0) - 3); next }
    path != "" && /^```swift$/ { n++; file = dir "/listing-" n; print page "\t" path "\t" file > (dir "/index"); capture = 1; next }
    capture && /^```$/ { capture = 0; path = ""; close(file); next }
    capture { print > file; next }
    path != "" && NF > 0 { path = "" }
  ' "$page"
  if [[ -f "$work/index" ]]; then
    while IFS=$'\t' read -r where path listing; do
      if [[ ! -f "$path" ]]; then
        fail "$where shows $path, which does not exist"
      elif ! diff -u "$path" "$listing" > "$work/diff"; then
        fail "$where: the listing of $path differs from the file (- file, + listing):"
        cat "$work/diff" >&2
      fi
    done < "$work/index"
    rm -f "$work/index" "$work"/listing-*
  fi
done < <(find Docs -name '*.md' -print0 | sort -z)

# 1b. A doc-comment example that says it is tested in a file ("/// … tested in `Tests/…swift`:" or
#     "/// Tested in `…`:", then a ```swift block) appears in that file: its lines, without the
#     comment marker and indentation, are consecutive lines of the file.
python3 - <<'PY' || failed=1
import pathlib, re, sys
bad = 0
for source in sorted(pathlib.Path("Sources").rglob("*.swift")):
    lines = source.read_text().split("\n")
    for i, line in enumerate(lines):
        m = re.search(r"[Tt]ested in `([^`]+\.swift)`:?$", line)
        if not m or not line.strip().startswith("///"):
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip() in ("///", ""):
            j += 1
        if j >= len(lines) or lines[j].strip() != "/// ```swift":
            print(f"docs: {source}:{i + 1} names {m.group(1)} but no ```swift block follows", file=sys.stderr); bad = 1; continue
        k = j + 1
        snippet = []
        while k < len(lines) and lines[k].strip() != "/// ```":
            snippet.append(lines[k].strip()[3:].strip()); k += 1
        target = pathlib.Path(m.group(1))
        if not target.exists():
            print(f"docs: {source}:{i + 1} names {target}, which does not exist", file=sys.stderr); bad = 1; continue
        body = [l.strip() for l in target.read_text().split("\n")]
        if not any(body[n:n + len(snippet)] == snippet for n in range(len(body))):
            print(f"docs: {source}:{i + 1}: the example is not in {target} as written", file=sys.stderr); bad = 1
sys.exit(bad)
PY

# The regulariser article promises a complete example in under 60 lines.
example=Tests/Algorithms/EWCTests/GuideExample/L2ToAnchor.swift
if (($(wc -l < "$example") >= 60)); then fail "$example has $(wc -l < "$example") lines; the article promises fewer than 60"; fi

# 2. Options and defaults in the algorithm guides are what `continual list` prints.
bin=$(swift build -c release --show-bin-path)
if [[ ! -x "$bin/continual" || ! -f "$bin/Modules/ContinualCore.swiftmodule" ]]; then
  echo "docs: no release build in $bin; building it"
  swift build -c release
fi
"$bin/continual" list > "$work/list"
while IFS= read -r -d '' page; do
  awk '
    /As `continual list` prints them/ { armed = 1; next }
    armed && /^```/ { if (inside) { inside = 0; armed = 0 } else { inside = 1 }; next }
    inside && NF > 0 { print }
  ' "$page" > "$work/claimed"
  while IFS= read -r line; do
    grep -Fxq -- "$line" "$work/list" || fail "$page: \`continual list\` does not print: $line"
  done < "$work/claimed"
done < <(find Docs -maxdepth 1 -name '*.md' -print0 | sort -z)

# 3. Symbol graphs from the built modules, then every catalog with warnings as errors.
triple=$(swift -print-target-info | sed -n 's/.*"triple": *"\([^"]*\)".*/\1/p' | head -n 1)
extract=(swift-symbolgraph-extract)
docc=(docc)
if [[ "$(uname)" == Darwin ]]; then
  extract=(xcrun swift-symbolgraph-extract -sdk "$(xcrun --show-sdk-path)")
  docc=(xcrun docc)
fi
flags=(-target "$triple" -I "$bin/Modules" -I Sources/CZlib -minimum-access-level public)
if [[ -f "$bin/_ContinualKernels.build/module.modulemap" ]]; then
  flags+=(-Xcc "-fmodule-map-file=$bin/_ContinualKernels.build/module.modulemap")
fi
rm -rf "$out"
mkdir -p "$out"
for module in "${modules[@]}"; do
  mkdir -p "$work/graphs/$module"
  "${extract[@]}" -module-name "$module" "${flags[@]}" -output-dir "$work/graphs/$module"
  if ! "${docc[@]}" convert "Docs/$module.docc" --additional-symbol-graph-dir "$work/graphs/$module" \
    --output-path "$out/$module.doccarchive" --fallback-display-name "$module" \
    --fallback-bundle-identifier "org.continualkit.$module" --warnings-as-errors > "$work/docc.log" 2>&1; then
    fail "Docs/$module.docc does not build without warnings:"
    cat "$work/docc.log" >&2
  fi
done

if ((failed)); then exit 1; fi
echo "docs: listings match their files, option blocks match \`continual list\`, ${#modules[@]} catalogs built in $out"
