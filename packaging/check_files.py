"""Compares a built one-folder app with the committed list of its files.

    python packaging/check_files.py dist/gongkai-desktop packaging/expected-files-linux.txt
    python packaging/check_files.py --write dist/gongkai-desktop packaging/expected-files-linux.txt

What goes into the frozen app is decided by the spec and the lock file, never by what the
build machine happens to have installed: a machine with GTK 3 (or any other extra system
package) must build exactly the same file list. Files under ``_internal/data`` and
``_internal/resources`` come from the repository itself and are not listed (other changes
add to them freely). After a deliberate change (a new dependency, a new Qt plugin) the list
is written again with ``--write`` (``GONGKAI_UPDATE_FILE_LIST=1 packaging/build_linux.sh``,
or ``packaging/build_windows_wine.sh`` for ``expected-files-windows.txt``) and the
difference is reviewed in the commit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FROM_THE_REPOSITORY = ("_internal/data/", "_internal/resources/")


def built_files(app: Path) -> list[str]:
    """Every file and symlink of the app, relative and with forward slashes, sorted."""
    found = []
    for path in app.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(app).as_posix()
        if not rel.startswith(FROM_THE_REPOSITORY):
            found.append(rel)
    return sorted(found)


def read_list(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return sorted(line for line in lines if line and not line.startswith("#"))


def compare(built: list[str], expected: list[str]) -> tuple[list[str], list[str]]:
    """(unexpected, missing)."""
    built_set, expected_set = set(built), set(expected)
    return sorted(built_set - expected_set), sorted(expected_set - built_set)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", type=Path)
    parser.add_argument("expected", type=Path)
    parser.add_argument("--write", action="store_true", help="write the list instead")
    args = parser.parse_args(argv)
    built = built_files(args.app)
    if not built:
        print(f"check_files: nothing built in {args.app}", file=sys.stderr)
        return 1
    if args.write:
        header = ("# Files of the frozen app (packaging/check_files.py); _internal/data and "
                  "_internal/resources are not listed.\n"
                  "# Refresh after a deliberate change: GONGKAI_UPDATE_FILE_LIST=1 "
                  "packaging/build_linux.sh (or build_windows_wine.sh for Windows)\n")
        args.expected.write_text(header + "".join(f"{f}\n" for f in built), encoding="utf-8")
        print(f"check_files: {len(built)} files written to {args.expected}")
        return 0
    unexpected, missing = compare(built, read_list(args.expected))
    for name in unexpected:
        print(f"check_files: not in the list: {name}", file=sys.stderr)
    for name in missing:
        print(f"check_files: missing from the build: {name}", file=sys.stderr)
    if unexpected or missing:
        print(f"check_files: the build differs from {args.expected} ({len(unexpected)} extra, "
              f"{len(missing)} missing). If the change is deliberate, refresh the list with "
              "GONGKAI_UPDATE_FILE_LIST=1 packaging/build_linux.sh and review its diff.",
              file=sys.stderr)
        return 1
    print(f"check_files: {len(built)} files, as in {args.expected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
