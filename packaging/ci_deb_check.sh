#!/usr/bin/env bash
# CI (as root): builds the .deb from the frozen app, installs it with dpkg -i, runs the
# installed program (--self-test offscreen, `gongkai-desktop --version` from the PATH),
# validates the desktop entry and the file types, removes the package with dpkg -r and
# checks that nothing of it is left while the officer's data stays.
#
#   packaging/ci_deb_check.sh      # after packaging/ci_frozen_check.sh (reuses its build)
#   GONGKAI_DEB_REUSE=1 packaging/ci_deb_check.sh   # tries the .deb already in dist/
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=gongkai-desktop
start=$(date +%s)
die() { echo "ci_deb_check: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (dpkg -i); build only: packaging/build_deb.sh"

if ! command -v desktop-file-validate >/dev/null || ! command -v update-mime-database >/dev/null; then
  echo "== apt-get install desktop-file-utils shared-mime-info"
  apt-get -o DPkg::Lock::Timeout=120 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq \
    --no-install-recommends desktop-file-utils shared-mime-info >/dev/null
fi

if [ "${GONGKAI_DEB_REUSE:-}" = 1 ] && ls dist/${NAME}_*.deb >/dev/null 2>&1; then
  echo "== the .deb in dist/ (GONGKAI_DEB_REUSE=1)"
else
  echo "== build the .deb"
  packaging/build_deb.sh
fi
DEB=$(ls -t dist/${NAME}_*_"$(dpkg --print-architecture)".deb | head -1)

scratch=$(mktemp -d)
installed=""
cleanup() {
  if [ -n "$installed" ]; then dpkg -r "$NAME" >/dev/null 2>&1 || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

echo "== dpkg -i $DEB"
dpkg -i "$DEB"
installed=yes
[ -x /opt/$NAME/$NAME ] || die "/opt/$NAME/$NAME is missing"
[ "$(readlink -f /usr/bin/$NAME)" = /opt/$NAME/$NAME ] || die "/usr/bin/$NAME does not lead to /opt/$NAME"

echo "== installed program"
export HOME=$scratch/home QT_QPA_PLATFORM=offscreen  # user data in a throwaway home
mkdir -p "$HOME"
version=$(cd / && $NAME --version)  # from the PATH, as a user types it
echo "   $version"
[[ "$version" == "$NAME "* ]] || die "unexpected --version output: $version"
/opt/$NAME/$NAME --self-test -platform offscreen
mkdir -p "$HOME/.local/share/$NAME"
echo "officer's data" >"$HOME/.local/share/$NAME/keep-me.txt"

echo "== desktop entry and file types"
desktop-file-validate /usr/share/applications/$NAME.desktop
grep -q "^Name\[zh_CN\]=政务公开自查$" /usr/share/applications/$NAME.desktop || die "no Chinese name"
grep -q "application/x-gongkai-workspace:\*\.gkws" /usr/share/mime/globs2 || die ".gkws is not a known file type"
grep -q "application/x-gongkai-bundle:\*\.gkbundle" /usr/share/mime/globs2 || die ".gkbundle is not a known file type"
if [ -f /usr/share/applications/mimeinfo.cache ]; then
  grep -q "application/x-gongkai-workspace=.*$NAME.desktop" /usr/share/applications/mimeinfo.cache \
    || die ".gkws does not open with $NAME.desktop"
fi
[ -f /usr/share/icons/hicolor/256x256/apps/$NAME.png ] || die "no icon"

echo "== dpkg -r"
dpkg -r "$NAME"
installed=""
[ ! -e /opt/$NAME ] || die "files left under /opt/$NAME: $(find /opt/$NAME | head -5)"
for f in /usr/bin/$NAME /usr/share/applications/$NAME.desktop /usr/share/mime/packages/$NAME.xml \
         /usr/share/icons/hicolor/256x256/apps/$NAME.png; do
  [ ! -e "$f" ] && [ ! -L "$f" ] || die "left after removal: $f"
done
if grep -q "gkws" /usr/share/mime/globs2; then die "the .gkws file type is still registered"; fi
[ -f "$HOME/.local/share/$NAME/keep-me.txt" ] || die "removal touched the officer's data"
echo "ci_deb_check: $(basename "$DEB") $(du -m --apparent-size "$DEB" | cut -f1) MB installed, self-tested, removed cleanly; $(( $(date +%s) - start )) s in all"
