"""Take the user guide's screenshots from the real window: ``python scripts/guide_screenshots.py``.

A 万州区 workspace on the bundled 2020 plan is filled in through the core (records,
evidence, a signing identity), the real main window opens on it at 1366 × 768
(offscreen), and each screen the guide shows is grabbed; then a 市政府办公厅
workspace imports the unit's bundle for the office's screens. The pictures go to
``resources/guide/images`` (or ``--out``), reduced to 256 colours so they stay small.
Run it again whenever the window changes; ``tests/test_guide.py`` runs it into a
temporary folder, so a screen the guide needs cannot silently break.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# A 1920×1080 screen: offscreen's default (800×800) would squeeze the windows.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen:configfile=" + str(
    Path(__file__).resolve().parent.parent / "tests" / "offscreen-screen.json"))

SCREEN = (1366, 768)
PASSPHRASE = "guide-示例口令"


def _png(widget: object, out: Path) -> Path:
    """Grab ``widget`` and save it with a 256-colour palette (a tenth of the size)."""
    from PIL import Image
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(widget, QWidget)
    for _ in range(3):
        QApplication.processEvents()
    raw = out.with_suffix(".raw.png")
    if not widget.grab().save(str(raw)):
        raise SystemExit(f"could not save {raw}")
    with Image.open(raw) as image:
        image.convert("RGB").quantize(256, dither=Image.Dither.NONE).save(out, optimize=True)
    raw.unlink()
    return out


def _wait(condition: Callable[[], bool], seconds: float = 20) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("timed out waiting for the window")
        QApplication.processEvents()
        time.sleep(0.01)


def _demo_files(folder: Path) -> list[Path]:
    """A "screenshot" of a government site's column and a notice PDF."""
    from PIL import Image, ImageDraw
    from reportlab.pdfgen import canvas

    shot = folder / "政务公开专栏截图.png"
    image = Image.new("RGB", (1200, 760), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1200, 90), fill="#b5121b")
    for row in range(8):
        draw.rectangle((60, 140 + row * 70, 1140, 180 + row * 70), fill="#eef1f5")
    image.save(shot)
    notice = folder / "关于做好政务公开工作的通知.pdf"
    pdf = canvas.Canvas(str(notice))
    pdf.drawString(72, 760, "Notice")
    pdf.showPage()
    pdf.save()
    return [shot, notice]


def _fill(ws: object, files: list[Path]) -> None:
    from gongkai_desktop.model import Status
    from gongkai_desktop.storage import Workspace

    assert isinstance(ws, Workspace)
    ws.update_record("1.1.1", status=Status.DONE, completed_on=dt.date(2020, 8, 20),
                     explanation="已在区政府门户网站开设“政策文件”专栏，集中公开现行有效的规范性文件。",
                     urls=["http://www.wz.gov.cn/zwgk_266/zfxxgkml/"], actor="张三")
    for path in files:
        ws.add_evidence_file("1.1.1", path, actor="张三")
    ws.add_evidence_link("1.1.1", "http://www.wz.gov.cn/zwgk_266/", title="政府信息公开专栏")
    ws.update_record("1.1.2", status=Status.IN_PROGRESS, explanation="正在梳理涉企政策。",
                     actor="张三")
    ws.update_record("1.2.1", status=Status.DONE, completed_on=dt.date(2020, 9, 10),
                     explanation="已按时公开。", actor="张三")


def take(out: Path) -> list[Path]:
    """All the guide's screenshots, written to ``out``; returns their paths."""
    from PySide6.QtWidgets import QApplication

    from gongkai_desktop.bundle.export import ExportOptions, export_bundle
    from gongkai_desktop.bundle.import_batch import import_bundles
    from gongkai_desktop.paths import seed_database
    from gongkai_desktop.plan.library import bundled_plan
    from gongkai_desktop.signing.identity import SigningIdentity
    from gongkai_desktop.signing.store import save_identity
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.app import configure_application
    from gongkai_desktop.ui.features import install_features
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.workspace.session import Session
    from gongkai_desktop.units import UnitDirectory

    assert seed_database().exists()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    configure_application(app)
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    directory = UnitDirectory.load()
    plan = bundled_plan()
    with tempfile.TemporaryDirectory(prefix="gongkai-guide-") as temp:
        work = Path(temp)
        os.environ["GONGKAI_DATA_DIR"] = str(work / "data")
        unit = directory.find("万州区")
        ws = Workspace.create(work / "万州区.gkws", plan, unit, officer="张三", contact="李四",
                              phone="023-58123456", actor="张三")
        _fill(ws, _demo_files(work))
        key = SigningIdentity.generate(unit.full_name, "张三", PASSPHRASE)
        save_identity(ws, key)
        session = Session(ws, directory)
        window = MainWindow(session, directory=directory)
        install_features(window)  # 报告与数据, as the real start-up adds it
        window.resize(*SCREEN)
        window.show()
        window.ensure_built()
        window.select_measure("1.1.1")
        shots.append(_png(window, out / "main_window.png"))

        panel = window.ensure_panel()
        panel.tabs.setCurrentWidget(panel.evidence)  # type: ignore[union-attr]
        thumbnails = panel.evidence.model  # type: ignore[union-attr]
        thumbnails.load_thumbnails()
        _wait(lambda: not thumbnails.thumbnails_pending())
        shots.append(_png(window, out / "evidence.png"))

        from gongkai_desktop.ui.bundles import bundle_actions
        from gongkai_desktop.ui.report import report_actions

        editor = report_actions.install(window).open_editor()
        _wait(lambda: editor.isVisible())
        shots.append(_png(editor, out / "report_editor.png"))
        editor.close()

        bundles = bundle_actions.install(window)
        bundles.export_action.trigger()
        _wait(lambda: bundles.export_dialog is not None)
        dialog = bundles.export_dialog
        assert dialog is not None
        _wait(lambda: dialog.isVisible())
        shots.append(_png(dialog, out / "bundle_export.png"))
        dialog.close()
        bundle = export_bundle(ws, work / "万州区.gkbundle", key,
                               ExportOptions(), actor="张三").files[0]
        window.close()
        session.close()

        office_unit = directory.find("市政府办公厅")
        office = Workspace.create(work / "市政府办公厅.gkws", plan, office_unit,
                                  officer="王五", actor="王五")
        office_session = Session(office, directory)
        office_window = MainWindow(office_session, directory=directory)
        install_features(office_window)
        office_window.resize(*SCREEN)
        office_window.show()
        office_window.ensure_built()
        office_bundles = bundle_actions.install(office_window)
        importer = office_bundles.open_import_dialog([bundle])
        assert importer is not None
        _wait(lambda: bool(importer.model.rows)
              and all(r.status() != "待核验" for r in importer.model.rows))
        shots.append(_png(importer, out / "bundle_import.png"))
        importer.close()
        import_bundles(office, [bundle], accept_keys=[key.fingerprint()], actor="王五")

        from gongkai_desktop.ui.supervisor.consolidation_view import ConsolidationWindow

        view = ConsolidationWindow(office_session)
        view.resize(*SCREEN)
        view.show()
        view.reload()
        _wait(lambda: view.consolidation is not None)
        shots.append(_png(view, out / "consolidation.png"))
        view.close()
        office_window.close()
        office_session.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "resources" / "guide" / "images")
    args = parser.parse_args(argv)
    for path in take(args.out):
        print(f"{path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
