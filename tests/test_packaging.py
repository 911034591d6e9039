"""Cheap checks of the packaging files (the real builds run in packaging/*.sh and CI)."""

from __future__ import annotations

import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import gongkai_desktop
from gongkai_desktop import paths

PACKAGING = Path(__file__).resolve().parent.parent / "packaging"


class Recorder:
    """Stands in for PyInstaller's spec globals (Analysis, EXE, …) and records the calls."""

    def __init__(self, kind: str, calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> None:
        self.kind, self.calls = kind, calls

    def __call__(self, *args: Any, **kwargs: Any) -> types.SimpleNamespace:
        self.calls.append((self.kind, args, kwargs))
        return types.SimpleNamespace(**{"binaries": [], "datas": [], "scripts": [], "pure": [],
                                        **kwargs})


@pytest.fixture
def spec(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """The spec executed with recording stand-ins; returns its globals (with ``calls``)."""
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda name: [name]  # type: ignore[attr-defined]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec adds the repository root
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    namespace: dict[str, Any] = {"SPECPATH": str(PACKAGING), "workpath": str(tmp_path),
                                 "__name__": "__spec__", "calls": calls}
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT"):
        namespace[kind] = Recorder(kind, calls)
    source = (PACKAGING / "gongkai_desktop.spec").read_text(encoding="utf-8")
    exec(compile(source, "gongkai_desktop.spec", "exec"), namespace)
    return namespace


def test_spec_builds_one_folder_windowed_app_named_from_the_package(spec: dict[str, Any]) -> None:
    exes = [kw for kind, _args, kw in spec["calls"] if kind == "EXE"]
    assert exes[0]["name"] == gongkai_desktop.APP_NAME
    assert exes[0]["console"] is False
    assert all(kw["upx"] is False and kw["exclude_binaries"] is True for kw in exes)
    collect = [kw for kind, _args, kw in spec["calls"] if kind == "COLLECT"]
    assert collect[0]["name"] == gongkai_desktop.APP_NAME and collect[0]["upx"] is False
    assert "version = " not in (PACKAGING / "gongkai_desktop.spec").read_text()
    # UTF-8 mode: Chinese output survives a pipe on a non-Chinese Windows code page.
    assert all(("X utf8", None, "OPTION") in args[2] for kind, args, _kw in spec["calls"]
               if kind == "EXE")


def test_spec_bundles_data_resources_and_qt_chinese(spec: dict[str, Any]) -> None:
    analysis = next(kw for kind, _a, kw in spec["calls"] if kind == "Analysis")
    targets = {dest for _src, dest in analysis["datas"]}
    assert {"data", "resources", "resources/translations"} <= targets
    assert any(src.endswith("qtbase_zh_CN.qm") for src, _dest in analysis["datas"])
    assert {"tkinter", "unittest", "PyQt5", "PySide6.QtQuick"} <= set(analysis["excludes"])


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqtga.so", False),
    ("PySide6/plugins/imageformats/qjpeg.dll", True),  # the Windows wheel's layout
    ("PySide6/plugins/tls/qschannelbackend.dll", False),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/translations/qtbase_zh_CN.qm", False),  # shipped in resources/translations
    ("PySide6/Qt/lib/libQt6Quick.so.6", False),
    ("libQt6Qml.so.6", False),
    ("PySide6/Qt6Quick.dll", False),
    ("PySide6/opengl32sw.dll", False),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("PySide6/Qt/lib/libQt6Pdf.so.6", True),
    ("resources/translations/qtbase_zh_CN.qm", True),
    ("data/seed.sqlite", True),
])
def test_spec_keeps_only_the_qt_parts_the_app_uses(spec: dict[str, Any], dest: str,
                                                   kept: bool) -> None:
    assert spec["keep"](dest) is kept


@pytest.mark.skipif(sys.platform == "win32", reason="the Linux system-library rule")
@pytest.mark.parametrize(("dest", "src", "kept"), [
    # A build machine with GTK 3 must not ship it (the gtk3 theme is never kept either).
    ("libgtk-3.so.0", "/usr/lib/x86_64-linux-gnu/libgtk-3.so.0", False),
    ("libgdk-3.so.0", "/lib/x86_64-linux-gnu/libgdk-3.so.0", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so",
     "/venv/site-packages/PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    # Left to the desktop: CUPS and its TLS stack, X11 core, fontconfig, D-Bus, readline.
    ("libcups.so.2", "/lib/x86_64-linux-gnu/libcups.so.2", False),
    ("libgnutls.so.30", "/lib/x86_64-linux-gnu/libgnutls.so.30", False),
    ("libX11.so.6", "/lib/x86_64-linux-gnu/libX11.so.6", False),
    ("libfontconfig.so.1", "/lib/x86_64-linux-gnu/libfontconfig.so.1", False),
    ("libdbus-1.so.3", "/lib/x86_64-linux-gnu/libdbus-1.so.3", False),
    ("libreadline.so.8", "/lib/x86_64-linux-gnu/libreadline.so.8", False),
    # Shipped by name: Qt's X11 helpers that older desktops lack, Python's own libraries.
    ("libxcb-cursor.so.0", "/lib/x86_64-linux-gnu/libxcb-cursor.so.0", True),
    ("libsqlite3.so.0", "/lib/x86_64-linux-gnu/libsqlite3.so.0", True),
    ("libpython3.11.so.1.0", "/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0", True),
    ("libpython3.11.so.1.0", "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", True),
    # Libraries that come with wheels are not system libraries.
    ("libjpeg-6dc8d115.so.62.4.0", "pillow.libs/libjpeg-6dc8d115.so.62.4.0", True),
    ("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", "", False),
    ("PySide6/Qt/lib/libQt6OpenGL.so.6", "", False),
])
def test_spec_decides_which_system_libraries_ship(spec: dict[str, Any], dest: str, src: str,
                                                  kept: bool) -> None:
    assert spec["keep"](dest, src) is kept


def test_spec_leaves_out_build_tools_and_unused_bindings(spec: dict[str, Any]) -> None:
    analysis = next(kw for kind, _a, kw in spec["calls"] if kind == "Analysis")
    assert {"setuptools", "distutils", "pkg_resources", "lxml.html",
            "PySide6.QtNetwork"} <= set(analysis["excludes"])
    # pyHanko's PDF writer imports lxml.etree when it signs: lxml itself stays.
    assert "lxml" not in analysis["excludes"]
    assert "lxml.etree" not in analysis["excludes"]


# ---- the built file list (packaging/check_files.py) ---------------------------------------


@pytest.fixture
def check_files() -> types.ModuleType:
    import importlib.util

    loader = importlib.util.spec_from_file_location("check_files", PACKAGING / "check_files.py")
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


def _fake_app(root: Path, files: list[str]) -> Path:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    return root


def test_file_list_check_names_extra_and_missing_files(check_files: types.ModuleType,
                                                       tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    app = _fake_app(tmp_path / "app", ["gongkai-desktop", "_internal/libQt6Core.so.6",
                                       "_internal/resources/fonts/a.ttf", "_internal/data/x"])
    listed = tmp_path / "expected.txt"
    assert check_files.main(["--write", str(app), str(listed)]) == 0
    text = listed.read_text(encoding="utf-8")
    assert "_internal/libQt6Core.so.6" in text and "resources" not in text.split("\n", 2)[2]
    assert check_files.main([str(app), str(listed)]) == 0
    # A build machine with GTK 3 adds a library; another build lost a plugin.
    _fake_app(app, ["_internal/libgtk-3.so.0"])
    (app / "_internal/libQt6Core.so.6").unlink()
    capsys.readouterr()
    assert check_files.main([str(app), str(listed)]) == 1
    err = capsys.readouterr().err
    assert "not in the list: _internal/libgtk-3.so.0" in err
    assert "missing from the build: _internal/libQt6Core.so.6" in err
    assert "GONGKAI_UPDATE_FILE_LIST=1" in err
    # Files from the repository (data, resources) may change without a new list.
    _fake_app(app, ["_internal/resources/icons/new.png"])


def test_committed_file_list_has_the_app_and_no_machine_extras(
        check_files: types.ModuleType) -> None:
    listed = check_files.read_list(PACKAGING / "expected-files-linux.txt")
    assert "gongkai-desktop" in listed
    assert "_internal/PySide6/Qt/plugins/platforms/libqxcb.so" in listed
    assert not [name for name in listed if "gtk" in name.lower() or "libcups.so" in name]
    assert not [name for name in listed if name.startswith(check_files.FROM_THE_REPOSITORY)]


def test_frozen_size_limit_is_180_mb() -> None:
    assert "LIMIT_MB=${GONGKAI_BUNDLE_LIMIT_MB:-180}" in (
        PACKAGING / "ci_frozen_check.sh").read_text(encoding="utf-8")


# ---- the lock file ------------------------------------------------------------------------


def lock_entries() -> dict[str, tuple[str, str, int]]:
    """name -> (version, marker, number of hashes) from packaging/requirements-lock.txt."""
    text = (PACKAGING / "requirements-lock.txt").read_text(encoding="utf-8")
    entries: dict[str, tuple[str, str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z])", text):
        head = block.split("\\", 1)[0].strip()
        if not head or head.startswith("#"):
            continue
        requirement, _, marker = head.partition(";")
        name, _, version = requirement.strip().partition("==")
        entries[name.lower()] = (version, marker.strip(), block.count("--hash=sha256:"))
    return entries


def test_lock_pins_every_dependency_and_the_build_tool_with_hashes() -> None:
    entries = lock_entries()
    assert {"pyside6-essentials", "pyside6-pdf", "pyhanko", "lxml", "pyinstaller"} <= set(entries)
    for name, (version, _marker, hashes) in entries.items():
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), name
        assert hashes >= 1, f"{name} has no hash"
    # Universal: the Windows-only build dependencies are there, with their markers.
    assert "win32" in entries["pefile"][1] and "win32" in entries["pywin32-ctypes"][1]
    # Every file of a version is hashed (Linux, Windows and macOS wheels), not just one.
    assert entries["pyside6-essentials"][2] >= 3


def test_windows_version_resource_comes_from_the_package(spec: dict[str, Any]) -> None:
    text = Path(spec["version_file"]("gongkai-desktop", "描述")).read_text(encoding="utf-8")
    compile(text, "win-version-info.txt", "eval")  # PyInstaller evaluates it
    numbers = ", ".join(gongkai_desktop.__version__.split("."))
    assert f"filevers=({numbers}, 0)" in text
    assert f"'ProductVersion', '{gongkai_desktop.__version__}'" in text
    assert gongkai_desktop.APP_TITLE in text


def nsis() -> str:
    return (PACKAGING / "installer.nsi").read_text(encoding="utf-8")


def test_installer_is_64_bit_per_user_and_chinese() -> None:
    text = nsis()
    assert re.search(r"^Target amd64-unicode$", text, re.M)
    assert re.search(r"^RequestExecutionLevel user$", text, re.M)
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\${APP_NAME}"' in text
    assert '!insertmacro MUI_LANGUAGE "SimpChinese"' in text
    assert "HKLM" not in text  # nothing that needs administrator rights
    assert f'!define APP_NAME "{gongkai_desktop.APP_NAME}"' in text
    assert '!error "VERSION is required' in text  # the version is given by the build


def test_installer_associates_bundles_and_workspaces_with_the_file_path() -> None:
    text = nsis()
    assert '"Software\\Classes\\${EXT}"' in text
    assert '!insertmacro Associate ".gkbundle"' in text
    assert '!insertmacro Associate ".gkws"' in text
    assert """'"$INSTDIR\\${APP_EXE}" "%1"'""" in text


def test_uninstaller_keeps_the_officers_data_unless_asked() -> None:
    text = nsis()
    section = re.search(r'^Section /o "un\.删除我的数据.*?"', text, re.M)
    assert section, "the data section must exist and be unticked (/o)"
    # It removes the folder platformdirs gives the program on Windows.
    assert '!define USER_DATA_DIR "$LOCALAPPDATA\\${APP_NAME}"' in text


@pytest.mark.skipif(sys.platform == "win32", reason="the shell scripts run on Linux")
@pytest.mark.parametrize("script", ["build_linux.sh", "ci_frozen_check.sh",
                                    "build_windows_wine.sh", "update_lock.sh", "build_deb.sh",
                                    "ci_deb_check.sh", "deb/postinst", "deb/postrm"])
def test_shell_scripts_parse(script: str) -> None:
    done = subprocess.run(["bash", "-n", str(PACKAGING / script)], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def test_icon_has_the_sizes_windows_uses() -> None:
    root = PACKAGING.parent / "resources" / "icons"
    with Image.open(root / "app.ico") as ico:
        sizes = ico.info["sizes"]
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes
    with Image.open(root / "app.png") as png:
        assert png.size == (256, 256)


# ---- portable mode ----------------------------------------------------------------


@pytest.fixture
def frozen_exe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "gongkai-desktop"
    folder.mkdir()
    exe = folder / "gongkai-desktop.exe"
    exe.touch()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.delenv("GONGKAI_DATA_DIR", raising=False)
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_dir",
                        lambda *a, **k: str(tmp_path / "per-user"))
    return exe


def test_portable_marker_keeps_data_in_userdata_beside_the_exe(frozen_exe: Path) -> None:
    (frozen_exe.parent / "portable.txt").write_text("", encoding="utf-8")
    assert paths.user_data_dir() == frozen_exe.parent / "userdata"
    # Never the bundled data/ folder's name: a one-folder build may have it right there.
    assert paths.PORTABLE_DATA_FOLDER != "data"


def test_without_marker_data_goes_to_the_per_user_folder(frozen_exe: Path) -> None:
    assert paths.user_data_dir() == frozen_exe.parent.parent / "per-user"
    assert not (frozen_exe.parent / "userdata").exists()


def test_marker_is_ignored_when_not_frozen(frozen_exe: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", False)
    (frozen_exe.parent / "portable.txt").write_text("", encoding="utf-8")
    assert paths.user_data_dir() == frozen_exe.parent.parent / "per-user"


# ---- the running-program mutex (app ↔ installer) -----------------------------------------


def test_installer_looks_for_the_mutex_the_window_holds() -> None:
    from gongkai_desktop.ui import app

    assert app.RUNNING_MUTEX == "Local\\gongkai-desktop-running"
    assert f'!define RUNNING_MUTEX "{app.RUNNING_MUTEX}"' in nsis()


@pytest.mark.skipif(sys.platform == "win32", reason="the mutex exists on Windows only")
def test_no_mutex_outside_windows() -> None:
    from gongkai_desktop.ui import app

    app.hold_running_mutex()
    assert app._running_mutex == []


# ---- the .deb ------------------------------------------------------------------------------


def test_desktop_entry_has_the_chinese_name_and_both_file_types() -> None:
    text = (PACKAGING / "deb" / "gongkai-desktop.desktop").read_text(encoding="utf-8")
    assert "Name[zh_CN]=政务公开自查" in text
    assert "Icon=gongkai-desktop" in text
    assert "Exec=/usr/bin/gongkai-desktop %f" in text  # one file, as the window expects
    assert "MimeType=application/x-gongkai-workspace;application/x-gongkai-bundle;" in text


def test_mime_types_glob_the_two_suffixes() -> None:
    import xml.etree.ElementTree as ET

    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(PACKAGING / "deb" / "gongkai-desktop-mime.xml").getroot()
    globs = {t.get("type"): [g.get("pattern") for g in t.findall("m:glob", ns)]
             for t in root.findall("m:mime-type", ns)}
    assert globs == {"application/x-gongkai-workspace": ["*.gkws"],
                     "application/x-gongkai-bundle": ["*.gkbundle"]}


def test_maintainer_scripts_only_run_cache_tools_that_exist() -> None:
    for script in ("postinst", "postrm"):
        text = (PACKAGING / "deb" / script).read_text(encoding="utf-8")
        for tool in ("update-mime-database", "update-desktop-database", "gtk-update-icon-cache"):
            assert f"command -v {tool} >/dev/null" in text
        assert ".local/share" not in text.replace("(~/.local/share/gongkai-desktop)", "")


def test_ci_builds_installs_and_removes_the_deb() -> None:
    run = (PACKAGING.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "packaging/ci_deb_check.sh" in run
    check = (PACKAGING / "ci_deb_check.sh").read_text(encoding="utf-8")
    for step in ("dpkg -i", "--self-test", "$NAME --version", "desktop-file-validate",
                 "dpkg -r", "files left under /opt/$NAME"):
        assert step in check


# ---- installer checks: Windows version, 32-bit launcher, running program, folder ----------


def nsh() -> str:
    return (PACKAGING / "installer_common.nsh").read_text(encoding="utf-8")


def test_installer_refuses_windows_before_10_1809_with_a_chinese_message() -> None:
    text = nsh()
    assert "!define MIN_WINDOWS_BUILD 17763" in text  # Windows 10 1809
    assert "需要 64 位 Windows 10 1809 或更高版本" in text
    macro = text[text.index("!macro RequireWindows"):text.index("!macroend")]
    for check in ("${IfNot} ${RunningX64}", "${OrIfNot} ${AtLeastWin10}",
                  "${OrIfNot} ${AtLeastBuild} ${MIN_WINDOWS_BUILD}",
                  "SetErrorLevel ${EXIT_TOO_OLD}", "Quit"):
        assert check in macro
    assert "/SD IDOK" in macro  # a silent install does not hang on the message
    on_init = nsis()[nsis().index("Function .onInit"):]
    assert on_init.index("!insertmacro RequireWindows") < on_init.index("FunctionEnd")


def test_users_get_a_32_bit_launcher_that_runs_the_64_bit_installer() -> None:
    text = (PACKAGING / "installer_x86.nsi").read_text(encoding="utf-8")
    assert re.search(r"^Target x86-unicode$", text, re.M)
    assert re.search(r"^RequestExecutionLevel user$", text, re.M)
    assert '!include "installer_common.nsh"' in text
    on_init = text[text.index("Function .onInit"):]
    # The Windows check comes first: on 32-bit Windows the 64-bit installer cannot start.
    assert on_init.index("!insertmacro RequireWindows") < on_init.index("ExecWait")
    assert "${GetParameters} $R0" in on_init and "$R0' $R1" in on_init  # /S, /D= passed on
    assert "SetErrorLevel $R1" in on_init  # and its exit code passed back
    assert "HKCU" not in text and "WriteReg" not in text  # writes nothing itself


def test_installer_and_uninstaller_wait_for_the_running_program() -> None:
    text = nsis()
    assert 'OpenMutexW(i 0x00100000, i 0, w "${RUNNING_MUTEX}")' in text
    assert "MB_RETRYCANCEL" in text and "/SD IDCANCEL IDRETRY retry" in text
    assert "SetErrorLevel ${EXIT_RUNNING}" in text
    on_init = text[text.index("Function .onInit"):text.index("; ---- uninstall")]
    assert "Call WaitUntilClosed" in on_init
    un_init = text[text.index("Function un.onInit"):]
    assert "Call un.WaitUntilClosed" in un_init
    program = text[text.index('Section "!${APP_TITLE}'):]
    assert program.index("Call WaitUntilClosed") < program.index('RMDir /r "$INSTDIR\\_internal"')


def test_install_folder_must_be_per_user_and_writable() -> None:
    text = nsis()
    assert "!define MUI_PAGE_CUSTOMFUNCTION_LEAVE DirectoryLeave" in text
    check = text[text.index("Function CheckInstallDir"):]
    check = check[:check.index("FunctionEnd")]
    for rejected in ("$PROGRAMFILES64", "$PROGRAMFILES32", "$WINDIR"):
        assert f'!insertmacro RejectUnder "{rejected}"' in check
    assert "FileOpen $R8" in check  # a test write
    # A silent install with /D= has no directory page: the section checks again.
    program = text[text.index('Section "!${APP_TITLE}'):]
    assert program.index("Call CheckInstallDir") < program.index("File /r")
    assert "SetErrorLevel ${EXIT_BAD_FOLDER}" in program


def test_uninstaller_deletes_no_registry_key_the_program_never_wrote() -> None:
    text = nsis()
    written = set(re.findall(r'WriteReg\w+ HKCU "([^"]+)"', text))
    deleted = set(re.findall(r'DeleteRegKey (?:/ifempty )?HKCU "([^"]+)"', text))
    # The settings are an INI file in the data folder (ui/common/settings.py),
    # not HKCU\Software\gongkai.
    assert "SETTINGS_KEY" not in text
    assert deleted <= written | {"Software\\Classes\\${EXT}\\OpenWithProgids",
                                 "Software\\Classes\\${EXT}"}


def test_exit_codes_are_documented_once() -> None:
    text = nsh()
    for code, name in ((3, "EXIT_TOO_OLD"), (4, "EXIT_RUNNING"), (5, "EXIT_BAD_FOLDER")):
        assert f"!define {name} {code}" in text
        assert re.search(rf"^;\s+{code}\s", text, re.M)
