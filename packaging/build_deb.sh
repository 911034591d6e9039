#!/usr/bin/env bash
# A .deb of the frozen one-folder app for Debian-family desktops (统信UOS, 银河麒麟,
# Deepin, Debian, Ubuntu), for this machine's architecture (amd64 here; the same command
# on an arm64 machine — 鲲鹏/飞腾 — makes the arm64 package, see packaging/README.md).
#
#   packaging/build_deb.sh        # builds dist/gongkai-desktop/ first when it is missing
#
# Output: dist/gongkai-desktop_<version>_<arch>.deb. No root needed (dpkg-deb
# --root-owner-group). What it installs:
#   /opt/gongkai-desktop/                      the one-folder app
#   /usr/bin/gongkai-desktop                   -> /opt/gongkai-desktop/gongkai-desktop
#   /usr/share/applications/gongkai-desktop.desktop   政务公开自查, .gkws/.gkbundle
#   /usr/share/mime/packages/gongkai-desktop.xml      the two file types
#   /usr/share/icons/hicolor/{48x48,128x128,256x256}/apps/gongkai-desktop.png
#   /usr/share/doc/gongkai-desktop/copyright
# postinst/postrm refresh the MIME, desktop and icon caches when those tools exist.
# Removing the package leaves the officers' data (~/.local/share/gongkai-desktop).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
APP=dist/gongkai-desktop
NAME=gongkai-desktop
PY=${GONGKAI_BUILD_VENV:-build/venv-frozen}/bin/python

[ -x "$APP/$NAME" ] || packaging/build_linux.sh
command -v dpkg-deb >/dev/null || { echo "build_deb: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }
start=$(date +%s)
VERSION=$("$APP/$NAME" --version | awk '{print $2}')
ARCH=$(dpkg --print-architecture)
STAGE=build/deb/${NAME}_${VERSION}_${ARCH}
OUTPUT=dist/${NAME}_${VERSION}_${ARCH}.deb
rm -rf "$STAGE" "$OUTPUT"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/mime/packages" "$STAGE/usr/share/doc/$NAME"

cp -a "$APP" "$STAGE/opt/$NAME"
ln -s "/opt/$NAME/$NAME" "$STAGE/usr/bin/$NAME"
install -m 644 packaging/deb/$NAME.desktop "$STAGE/usr/share/applications/$NAME.desktop"
install -m 644 packaging/deb/$NAME-mime.xml "$STAGE/usr/share/mime/packages/$NAME.xml"
for size in 48 128 256; do
  dir=$STAGE/usr/share/icons/hicolor/${size}x${size}/apps
  mkdir -p "$dir"
  "$PY" - "$ROOT/resources/icons/app.png" "$dir/$NAME.png" "$size" <<'PYEOF'
import sys
from PIL import Image
with Image.open(sys.argv[1]) as image:
    image.convert("RGBA").resize((int(sys.argv[3]),) * 2, Image.LANCZOS).save(sys.argv[2])
PYEOF
done
{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: $NAME"
  echo
  echo "Files: *"
  echo "License: MIT"
  echo
  echo "Files: opt/$NAME/_internal/resources/fonts/*"
  echo "License: see the licence files beside the fonts (SIL OFL 1.1, Apache-2.0)"
  echo
  echo "Files: opt/$NAME/_internal/PySide6/*"
  echo "License: LGPL-3.0 (Qt for Python)"
} >"$STAGE/usr/share/doc/$NAME/copyright"
install -m 755 packaging/deb/postinst packaging/deb/postrm "$STAGE/DEBIAN/"

# Permissions do not depend on the builder's umask.
find "$STAGE" -type d -exec chmod 755 {} +
find "$STAGE/opt" "$STAGE/usr/share" -type f -exec chmod 644 {} +
chmod 755 "$STAGE/opt/$NAME/$NAME"
find "$STAGE/opt" -type f \( -name "*.so" -o -name "*.so.*" \) -exec chmod 755 {} +

# The newest glibc symbol any shipped binary needs: dpkg refuses to install on an older
# system instead of leaving a program that cannot start.
# (objdump fails on the few non-ELF names matched: its exit status is not the answer.)
glibc=$(set +o pipefail; find "$STAGE/opt" -type f \( -name "*.so*" -o -name "$NAME" \) -print0 \
  | xargs -0 objdump -T 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' \
  | sort -V | tail -1)
[ -n "$glibc" ] || { echo "build_deb: no glibc version found in the binaries" >&2; exit 1; }
# Libraries the app takes from the desktop (packaging/gongkai_desktop.spec says why).
DEPENDS="libc6 (>= $glibc), libgl1, libegl1, libx11-6, libxcb1, libfontconfig1, libfreetype6, libdbus-1-3, libgssapi-krb5-2"
cat >"$STAGE/DEBIAN/control" <<CONTROL
Package: $NAME
Version: $VERSION
Architecture: $ARCH
Maintainer: gongkai-desktop <gongkai-desktop@localhost>
Installed-Size: $(du -sk "$STAGE/opt" "$STAGE/usr" | awk '{s+=$1} END {print s}')
Depends: $DEPENDS
Recommends: libcups2 | libcups2t64, shared-mime-info, desktop-file-utils
Section: utils
Priority: optional
Homepage: https://localhost/gongkai-desktop
Description: 政务公开自查 — offline government-transparency self-inspection
 An offline desktop application for the self-inspection of government
 transparency work in Chongqing (渝府办发〔2020〕89号): the task list,
 completion records, evidence files, the self-inspection report as PDF with
 an electronic signature, and data bundles exchanged between units.
 .
 The program is installed in /opt/gongkai-desktop; the command is
 gongkai-desktop. Officers' data stays in ~/.local/share/gongkai-desktop and
 is kept when the package is removed.
CONTROL

dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$OUTPUT" >/dev/null
echo "build_deb: $OUTPUT ($(du -m --apparent-size "$OUTPUT" | cut -f1) MB, needs glibc >= $glibc) in $(( $(date +%s) - start )) s"
