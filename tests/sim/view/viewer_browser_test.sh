#!/usr/bin/env bash
# The viewer page in a real browser. The page of scenarios/leader_crash.json is loaded in headless Chromium;
# after rendering, the page's script writes what it drew into #viewer-status (lanes, arrows, fault bands) and
# the count of script errors that its window.onerror hook saw, and --dump-dom shows that element. The test
# requires a lane per node, arrows, a fault band (the leader's crash) and no script error, then saves a
# screenshot in the build directory and requires a real PNG that is more than a blank page.
#
# Usage: viewer_browser_test.sh SIM_BINARY SOURCE_DIR OUTPUT_DIR. Exit 77 (SKIP for ctest) without Chromium.
set -euo pipefail

sim=$1
source_dir=$2
output_dir=$3

browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then
    browser=$(command -v "$candidate")
    break
  fi
done
if [ -z "$browser" ]; then
  echo "SKIP: no chromium on PATH; tools/install-deps installs Debian's chromium package"
  exit 77
fi

# Its own directory and browser profile, named by this process, so parallel runs never share either.
work=$(mktemp -d "${TMPDIR:-/tmp}/viewer_browser_test_$$_XXXXXX")
trap 'rm -rf "$work"' EXIT
page="$work/leader_crash.html"
"$sim" "$source_dir/scenarios/leader_crash.json" --html "$page" >"$work/sim.out"

flags=(--headless --disable-gpu --no-sandbox --hide-scrollbars --mute-audio --no-first-run
       --user-data-dir="$work/profile" --virtual-time-budget=10000)
timeout 180 "$browser" "${flags[@]}" --window-size=1600,1000 --dump-dom "file://$page" \
  >"$work/dom.html" 2>"$work/chromium-dom.log" || {
  echo "FAIL: chromium --dump-dom failed"; cat "$work/chromium-dom.log"; exit 1; }

status=$(grep -o '<div id="viewer-status"[^>]*>[^<]*' "$work/dom.html" || true)
echo "viewer status: $status"
attribute() { sed -n "s/.*$1=\"\\([^\"]*\\)\".*/\\1/p" <<<"$status"; }
lanes=$(attribute data-lanes)
arrows=$(attribute data-arrows)
bands=$(attribute data-bands)
errors=$(attribute data-errors)
failed=0
check() {
  if ! eval "$1"; then echo "FAIL: $2 ($1)"; failed=1; fi
}
check '[ -n "$status" ]' "the page has a #viewer-status element"
check '[ "${errors:-x}" = 0 ]' "no script error"
check '[ "${lanes:-0}" -eq 6 ]' "one lane per node: 3 edges, the canonical, 2 clients"
check '[ "${arrows:-0}" -gt 0 ]' "message arrows are drawn"
check '[ "${bands:-0}" -ge 1 ]' "the leader's crash is drawn as a fault band"

screenshot="$output_dir/viewer_leader_crash.png"
rm -f "$screenshot"
timeout 180 "$browser" "${flags[@]}" --window-size=1600,1000 --screenshot="$screenshot" "file://$page" \
  >"$work/chromium-shot.log" 2>&1 || { echo "FAIL: chromium --screenshot failed"; cat "$work/chromium-shot.log"; exit 1; }
size=$(stat -c %s "$screenshot" 2>/dev/null || echo 0)
signature=$(head -c 8 "$screenshot" 2>/dev/null | od -An -tx1 | tr -d ' \n')
check '[ "$signature" = 89504e470d0a1a0a ]' "the screenshot is a PNG"
# A blank 1600x1000 page compresses to a few kilobytes; the diagram's lines and text take far more.
check '[ "$size" -gt 40000 ]' "the screenshot is more than a blank page (size $size bytes)"
echo "screenshot: $screenshot ($size bytes)"
if [ "$failed" -ne 0 ]; then
  echo "chromium said:"; cat "$work/chromium-dom.log"
  exit 1
fi
echo "viewer browser test passed"
