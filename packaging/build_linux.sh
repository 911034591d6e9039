#!/usr/bin/env bash
# Builds the one-folder Linux app into dist/gongkai-desktop/ with the repository's
# venv and PyInstaller (installed into .venv from the `build` extra when missing).
#
#   packaging/build_linux.sh            # then: dist/gongkai-desktop/gongkai-desktop
#
# Prints the build time and the bundle's size. Build files go to build/ and dist/
# (both git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "build_linux: no .venv — run scripts/bootstrap.sh first" >&2
  exit 1
fi
# PyInstaller reads shared-library dependencies with ldd/objdump and strips with strip.
if ! command -v objdump >/dev/null || ! command -v strip >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils >/dev/null
  else
    echo "build_linux: please install binutils (objdump, strip)" >&2
    exit 1
  fi
fi
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "build_linux: installing PyInstaller into .venv (pyproject extra 'build')"
  "$PY" -m pip install -q --disable-pip-version-check "pyinstaller>=6.5"
fi

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/gongkai_desktop.spec
took=$(( $(date +%s) - start ))

app=dist/gongkai-desktop
size_mb=$(du -sm "$app" | cut -f1)
echo "build_linux: $app built in ${took} s, ${size_mb} MB ($(find "$app" -type f | wc -l) files)"
