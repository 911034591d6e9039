#!/usr/bin/env bash
# CI: builds the Linux one-folder app with packaging/gongkai_desktop.spec, runs the
# frozen binary's --self-test offscreen and checks the bundle's size (≤ 200 MB, or
# $GONGKAI_BUNDLE_LIMIT_MB). When the build has the main window, it also starts the
# frozen window offscreen on a workspace made by the frozen command line, and waits
# for its first paint: that proves the kept Qt plugins are enough.
#
#   packaging/ci_frozen_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT_MB=${GONGKAI_BUNDLE_LIMIT_MB:-200}
APP=dist/gongkai-desktop
EXE=$APP/gongkai-desktop
start=$(date +%s)

packaging/build_linux.sh

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export QT_QPA_PLATFORM=offscreen GONGKAI_DATA_DIR=$scratch/userdata

echo "== frozen --self-test"
"$EXE" --self-test -platform offscreen

if [ -f gongkai_desktop/ui/main_window.py ]; then
  echo "== frozen window (offscreen)"
  "$EXE" init "$scratch/万州区.gkws" --unit 万州区 >/dev/null
  GONGKAI_REPORT_SHOWN=1 "$EXE" -platform offscreen "$scratch/万州区.gkws" >"$scratch/gui.log" 2>&1 &
  gui=$!
  shown=""
  for _ in $(seq 1 120); do  # up to 60 s
    if grep -q "GONGKAI_WINDOW_SHOWN" "$scratch/gui.log"; then shown=yes; break; fi
    kill -0 "$gui" 2>/dev/null || break
    sleep 0.5
  done
  kill "$gui" 2>/dev/null || true
  wait "$gui" 2>/dev/null || true
  if [ -z "$shown" ]; then
    echo "ci_frozen_check: the frozen window did not show; its output:" >&2
    cat "$scratch/gui.log" >&2
    exit 1
  fi
  echo "window shown after $(grep -o 'GONGKAI_WINDOW_SHOWN [0-9]*' "$scratch/gui.log" | cut -d' ' -f2) ms"
else
  echo "== frozen window: skipped (no main window in this build yet)"
fi

size=$(du -sm "$APP" | cut -f1)
echo "ci_frozen_check: bundle ${size} MB (limit ${LIMIT_MB} MB), $(( $(date +%s) - start )) s in all"
if [ "$size" -gt "$LIMIT_MB" ]; then
  echo "ci_frozen_check: the bundle is larger than ${LIMIT_MB} MB" >&2
  exit 1
fi
