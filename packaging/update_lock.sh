#!/usr/bin/env bash
# Refreshes packaging/requirements-lock.txt: exact versions and sha256 hashes of the app's
# dependencies and of its build tool (PyInstaller), from pyproject.toml (`dependencies` and
# the `build` extra), for CPython 3.11 on Linux AND Windows (and macOS) at once.
#
#   packaging/update_lock.sh              # keeps the current pins, adds what is missing
#   packaging/update_lock.sh --upgrade    # newest versions allowed by pyproject.toml
#   packaging/update_lock.sh --upgrade-package pyside6-essentials
#
# Why uv and not pip-compile: pip-compile resolves for the machine it runs on, so the
# Windows-only dependencies (pefile and pywin32-ctypes for PyInstaller) would be missing
# from a lock made on Linux. `uv pip compile --universal` resolves for every platform and
# writes environment markers; `--generate-hashes` records the hash of every file of each
# pinned version on the index (manylinux, win_amd64, macOS wheels and the sdist), so the
# same file installs with `pip install --require-hashes` on Linux and on Windows.
# uv runs from a throwaway venv ($GONGKAI_LOCK_TOOLS, default /tmp/gongkai-lock-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${GONGKAI_LOCK_TOOLS:-/tmp/gongkai-lock-tools}
if [ ! -x "$TOOLS/bin/uv" ]; then
  "${PYTHON:-python3}" -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q --disable-pip-version-check uv
fi
"$TOOLS/bin/uv" pip compile pyproject.toml --extra build --universal --python-version 3.11 \
  --generate-hashes --no-annotate --custom-compile-command "packaging/update_lock.sh" \
  --output-file packaging/requirements-lock.txt --quiet "$@"
echo "update_lock: $(grep -c '^[A-Za-z]' packaging/requirements-lock.txt) packages pinned in packaging/requirements-lock.txt"
