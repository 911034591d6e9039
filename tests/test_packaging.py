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
                                    "build_windows_wine.sh"])
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
