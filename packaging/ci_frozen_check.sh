#!/usr/bin/env bash
# CI: builds the Linux one-folder app with packaging/gongkai_desktop.spec (from the lock
# file; the built file list must match packaging/expected-files-linux.txt), runs the
# frozen binary's --self-test offscreen and checks the bundle's size (≤ 180 MB, or
# $GONGKAI_BUNDLE_LIMIT_MB). It also starts the frozen window on a workspace made by the
# frozen command line, offscreen and on a real X server (Xvfb, the xcb platform plugin),
# and waits for its first paint: that proves the kept Qt plugins and libraries are enough.
#
#   packaging/ci_frozen_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT_MB=${GONGKAI_BUNDLE_LIMIT_MB:-180}
APP=dist/gongkai-desktop
EXE=$APP/gongkai-desktop
start=$(date +%s)

packaging/build_linux.sh

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export QT_QPA_PLATFORM=offscreen GONGKAI_DATA_DIR=$scratch/userdata

echo "== frozen --self-test"
"$EXE" --self-test -platform offscreen

# Starts the frozen window with the given arguments and waits for its first paint.
window_shows() {
  local log=$scratch/gui-$1.log; shift
  GONGKAI_REPORT_SHOWN=1 "$@" >"$log" 2>&1 &
  local gui=$! shown=""
  for _ in $(seq 1 120); do  # up to 60 s
    if grep -q "GONGKAI_WINDOW_SHOWN" "$log"; then shown=yes; break; fi
    kill -0 "$gui" 2>/dev/null || break
    sleep 0.5
  done
  kill "$gui" 2>/dev/null || true
  wait "$gui" 2>/dev/null || true
  if [ -z "$shown" ]; then
    echo "ci_frozen_check: the frozen window did not show; its output:" >&2
    cat "$log" >&2
    return 1
  fi
  echo "   window shown after $(grep -o 'GONGKAI_WINDOW_SHOWN [0-9]*' "$log" | cut -d' ' -f2) ms"
}

"$EXE" init "$scratch/万州区.gkws" --unit 万州区 >/dev/null
echo "== frozen window (offscreen)"
window_shows offscreen "$EXE" -platform offscreen "$scratch/万州区.gkws"
if command -v xvfb-run >/dev/null; then
  echo "== frozen window (Xvfb, xcb platform plugin)"
  # QT_DEBUG_PLUGINS names the missing library if the xcb plugin cannot load.
  QT_QPA_PLATFORM=xcb QT_DEBUG_PLUGINS=1 window_shows xcb \
    xvfb-run -a -s "-screen 0 1280x800x24" "$EXE" "$scratch/万州区.gkws"
else
  echo "== frozen window (Xvfb): skipped, xvfb-run is not installed (scripts/bootstrap.sh)"
fi

size=$(du -sm "$APP" | cut -f1)
echo "ci_frozen_check: bundle ${size} MB (limit ${LIMIT_MB} MB), $(( $(date +%s) - start )) s in all"
if [ "$size" -gt "$LIMIT_MB" ]; then
  echo "ci_frozen_check: the bundle is larger than ${LIMIT_MB} MB" >&2
  exit 1
fi
