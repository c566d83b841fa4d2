#!/usr/bin/env bash
# Headless browser: the HTML report of a small class-IL sweep is opened in Chromium's headless shell,
# which must lay out one confusion-matrix figure per class-IL row, with a visible, filled cell for
# every (true, predicted) class pair, raise no script error, and match the records: one figure per
# record with a `confusion_matrix`, as many cells as that matrix has entries. The HTML tests check
# the markup; this checks that a browser renders it.
#
# Installs Debian's chromium-headless-shell with apt-get when no Chromium is found (needs root;
# apt-get update runs only if the install fails without it).
# Usage: bash .ci/browser-check.sh [path/to/continual]   (BROWSER_CHECK=skip skips it, on a machine
# without root or apt-get; CI never sets it)
source "$(dirname "$0")/check-setup.sh" "browser check" BROWSER_CHECK
bin=$(realpath "${1:-.build/release/continual}")
[[ -x $bin ]] || die "no tool at $bin (swift build -c release --product continual)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

browser=$(command -v chromium-headless-shell || command -v chromium || true)
if [[ -z $browser ]]; then
  [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null \
    || die "no Chromium, and no root with apt-get to install it (BROWSER_CHECK=skip skips this check)"
  install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium-headless-shell; }
  if ! install > "$dir/apt.out" 2>&1; then
    apt-get update -q >> "$dir/apt.out" 2>&1 || true
    install >> "$dir/apt.out" 2>&1 || { cat "$dir/apt.out"; die "could not install chromium-headless-shell"; }
  fi
  browser=$(command -v chromium-headless-shell)
fi
say "$("$browser" --version 2>/dev/null || echo "$browser")"

"$bin" compare --benchmark split-builtin --scenario class,task --algorithms finetune,er --seeds 1 \
  --iterations 60 --test-per-task 100 --format html,json --quiet --output "$dir/run" > "$dir/compare.out" 2>&1 \
  || { cat "$dir/compare.out"; die "compare failed"; }
report=$(find "$dir/run" -maxdepth 1 -name '*.html' | head -n 1)
[[ -n $report ]] || die "compare --format html wrote no .html file into $dir/run"

# The probe records script errors from the first moment, then measures each figure once laid out.
python3 - "$report" "$dir/probe.html" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
catch = ("<script>window.probeErrors = []; window.addEventListener('error', "
         "e => window.probeErrors.push(String(e.message)));</script>")
measure = """<script>window.addEventListener('load', () => {
  const figures = [...document.querySelectorAll('svg.confusion')].map(svg => {
    const box = svg.getBoundingClientRect();
    const cells = [...svg.querySelectorAll('rect.cell')];
    const shown = cells.filter(cell => {
      const b = cell.getBoundingClientRect(), fill = getComputedStyle(cell).fill;
      return b.width > 0 && b.height > 0 && fill && fill !== 'none';
    });
    return {title: svg.querySelector('title').textContent, width: box.width, height: box.height,
            cells: cells.length, shown: shown.length};
  });
  const probe = document.createElement('pre');
  probe.id = 'probe';
  probe.textContent = JSON.stringify({figures, errors: window.probeErrors});
  document.body.appendChild(probe);
});</script>"""
assert "<head>" in page and "</body>" in page, "the report has no <head> or </body>"
page = page.replace("<head>", "<head>" + catch, 1).replace("</body>", measure + "</body>", 1)
open(sys.argv[2], "w", encoding="utf-8").write(page)
PY
"$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 --window-size=1280,2000 \
  --dump-dom "file://$dir/probe.html" > "$dir/dom.html" 2> "$dir/browser.err" \
  || { cat "$dir/browser.err"; die "the browser did not load the report"; }

python3 - "$dir/dom.html" "$dir/run/records.jsonl" <<'PY'
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
assert found, "the probe did not run: no <pre id=probe> in the rendered page"
probe = json.loads(html.unescape(found.group(1)))
assert not probe["errors"], f"script errors in the report: {probe['errors']}"
records = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
matrices = [r["confusion_matrix"] for r in records if r.get("confusion_matrix")]
figures = probe["figures"]
assert matrices, "no record has a confusion_matrix"
assert len(figures) == len(matrices), f"{len(figures)} confusion figures for {len(matrices)} matrices"
entries = sorted(len(m) * len(m) for m in matrices)
assert sorted(f["cells"] for f in figures) == entries, f"cells {[f['cells'] for f in figures]}, entries {entries}"
for f in figures:
    assert f["width"] > 0 and f["height"] > 0, f"figure '{f['title']}' has no size: {f}"
    assert f["shown"] == f["cells"], f"figure '{f['title']}': {f['shown']} of {f['cells']} cells rendered"
print(f"browser check: {len(figures)} confusion matrices rendered, "
      + ", ".join(f"{f['cells']} cells in {f['width']:.0f}×{f['height']:.0f} px" for f in figures))
PY
say "passed"
