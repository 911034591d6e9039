#!/usr/bin/env bash
# Builds the one-folder Linux app into dist/gongkai-desktop/ in a build venv installed
# from packaging/requirements-lock.txt (exact versions, sha256-checked): the frozen app is
# the same on every machine whatever is in the developer's .venv.
#
#   packaging/build_linux.sh            # then: dist/gongkai-desktop/gongkai-desktop
#
# The build venv ($GONGKAI_BUILD_VENV, default build/venv-frozen) is made again only when
# the lock file changes. After PyInstaller the list of built files is compared with
# packaging/expected-files-linux.txt (packaging/check_files.py): a build machine with
# extra system packages (GTK 3, …) must not put anything else into the app.
# GONGKAI_UPDATE_FILE_LIST=1 writes the list instead (after a deliberate change).
# Prints the build time and the bundle's size. Build files go to build/ and dist/
# (both git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=packaging/requirements-lock.txt
VENV=${GONGKAI_BUILD_VENV:-build/venv-frozen}
PY=$VENV/bin/python
# PyInstaller reads shared-library dependencies with ldd/objdump and strips with strip.
if ! command -v objdump >/dev/null || ! command -v strip >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils >/dev/null
  else
    echo "build_linux: please install binutils (objdump, strip)" >&2
    exit 1
  fi
fi

stamp=$VENV/.lock-$(sha256sum "$LOCK" | cut -c1-16)
if [ ! -f "$stamp" ]; then
  start=$(date +%s)
  echo "build_linux: build venv $VENV from $LOCK"
  "${PYTHON:-python3}" -m venv --clear "$VENV"
  # --no-deps: nothing outside the lock; --require-hashes: nothing but the locked files.
  "$PY" -m pip install -q --disable-pip-version-check --no-deps --require-hashes -r "$LOCK" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  "$PY" -m pip check >/dev/null || { "$PY" -m pip check >&2; exit 1; }
  touch "$stamp"
  echo "build_linux: build venv ready in $(( $(date +%s) - start )) s"
fi

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/gongkai_desktop.spec
took=$(( $(date +%s) - start ))

app=dist/gongkai-desktop
size_mb=$(du -sm "$app" | cut -f1)
echo "build_linux: $app built in ${took} s, ${size_mb} MB ($(find "$app" -type f | wc -l) files)"
if [ "${GONGKAI_UPDATE_FILE_LIST:-}" = 1 ]; then
  "$PY" packaging/check_files.py --write "$app" packaging/expected-files-linux.txt
else
  "$PY" packaging/check_files.py "$app" packaging/expected-files-linux.txt
fi
