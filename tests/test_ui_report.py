"""The report in the window: editor, seal, generating (progress, cancel), preview, print, verify."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPageSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from gongkai_desktop.model import Status
from gongkai_desktop.report import build as report_build
from gongkai_desktop.report.report_draft import load_draft
from gongkai_desktop.report.sample import sample_seal
from gongkai_desktop.report.seal import get_seal, has_seal
from gongkai_desktop.signing.store import save_identity
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ui.common.operations import running_operations
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.report import report_actions, report_preview
from gongkai_desktop.ui.report import report_prompts as prompts
from gongkai_desktop.ui.report.report_editor import ReportEditor
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests import ui_fixtures
from tests.bundle_fixtures import PASSPHRASE, identity
from tests.ui_fixtures import Message, type_text

ui_app = ui_fixtures.ui_app
directory = ui_fixtures.directory
session = ui_fixtures.session
messages = ui_fixtures.messages

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")

TODAY = dt.date(2020, 9, 5)
TITLE = "重庆市万州区人民政府关于贯彻落实2020年政务公开工作要点任务分工情况的自查报告"


@pytest.fixture(autouse=True)
def _no_boxes(messages: list[Message]) -> None:
    """No message box may block a test, not even while the window closes after a failure."""


@pytest.fixture
def shots(artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_shot(widget: QWidget, folder: Path, name: str) -> Path:
    QApplication.processEvents()
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def window(session: Session, directory: UnitDirectory, qtbot,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(Session, "today", staticmethod(lambda: TODAY))
    w = MainWindow(session, directory=directory)
    report_actions.install(w)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    acts = report_actions.install(w)
    for child in (acts.preview, acts.editor):
        if child is not None:
            child.close()
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=10000)
    w.close()


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every prompt (kind, title); none answers unless a test says so."""
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(prompts, "ask_passphrase",
                        lambda p, title, label: seen.append(("passphrase", title)) or None)
    monkeypatch.setattr(prompts, "open_file_name",
                        lambda p, title, folder, flt: seen.append(("open", title)) or "")
    monkeypatch.setattr(prompts, "open_file_names",
                        lambda p, title, folder, flt: seen.append(("open", title)) or [])
    monkeypatch.setattr(prompts, "save_file_name",
                        lambda p, title, path, flt: seen.append(("save", title)) or "")
    monkeypatch.setattr(prompts, "ask_choice",
                        lambda p, title, text, choices: seen.append(("choice", title)) or -1)
    return seen


def answer(monkeypatch: pytest.MonkeyPatch, name: str, *values: object,
           seen: list[tuple[str, str]]) -> None:
    """Make prompt ``name`` answer ``values`` in turn (and record its title)."""
    queue = list(values)

    def prompt(_parent: QWidget, title: str, *_rest: object) -> object:
        seen.append((name, title))
        return queue.pop(0)

    monkeypatch.setattr(prompts, name, prompt)


def acts(window: MainWindow) -> report_actions.ReportActions:
    return report_actions.install(window)


def with_identity(session: Session) -> None:
    save_identity(session.ws, identity("重庆市万州区人民政府"))


# ---- the menu -----------------------------------------------------------------------------


def test_actions_are_in_the_menu(window: MainWindow) -> None:
    a = acts(window)
    assert acts(window) is a
    texts = [x.text() for x in window.actions_menu.actions() if not x.isSeparator()]
    for text in ("编写自查报告(&W)…", "生成并签名报告(&G)…", "验证报告(&V)…", "签名证书(&S)…"):
        assert text in texts
    window.set_session(None)
    assert not a.edit_action.isEnabled() and not a.generate_action.isEnabled()
    assert a.verify_action.isEnabled()  # checking a received report needs no workspace


# ---- the editor ---------------------------------------------------------------------------


def test_editor_shows_the_defaults_and_saves_typing(window: MainWindow, session: Session,
                                                    qtbot, shots: Path) -> None:
    acts(window).edit_action.trigger()
    editor = acts(window).editor
    assert isinstance(editor, ReportEditor) and editor.isVisible()
    assert editor.title_edit.text() == TITLE
    assert editor.addressee_edit.text() == "市政府办公厅"
    assert "（渝府办发〔2020〕89号）" in editor.opening_edit.toPlainText()
    assert [editor.tabs.tabText(i) for i in range(editor.tabs.count())] == [
        "一、工作开展情况", "二、存在的问题", "三、下一步工作打算"]
    assert editor.section_edits[0].toPlainText().startswith("（一）围绕")
    assert editor.today_check.isChecked() and not editor.date_edit.isEnabled()
    editor.resize(980, 820)
    save_shot(editor, shots, "report-editor")

    editor.section_edits[1].setFocus()
    editor.section_edits[1].selectAll()
    type_text(editor.section_edits[1], "一是人员不足。")
    assert editor.status.text() == "正在编辑…"
    qtbot.waitUntil(lambda: not editor.dirty, timeout=3000)  # saved after typing stops
    assert editor.status.text() == "所有修改已自动保存到工作区"
    assert load_draft(session.ws, session.directory).sections[1].body == "一是人员不足。"


def test_drafts_come_back_after_reopening(window: MainWindow, session: Session,
                                          directory: UnitDirectory, qtbot) -> None:
    editor = acts(window).open_editor()
    assert editor is not None
    editor.title_edit.setText("万州区政务公开自查报告")
    editor.title_edit.textEdited.emit("万州区政务公开自查报告")
    editor.section_edits[2].setPlainText("下一步将加强培训。")
    editor.today_check.setChecked(False)
    editor.close()  # closing saves
    path = session.path
    window.set_session(None)  # the window closes the workspace
    again = Session(Workspace.open(path), directory)
    window.set_session(again)
    editor = acts(window).open_editor()
    assert editor is not None and editor.session is again
    assert editor.title_edit.text() == "万州区政务公开自查报告"
    assert editor.section_edits[2].toPlainText() == "下一步将加强培训。"
    assert not editor.today_check.isChecked()
    assert editor.date_edit.date().toPython() == TODAY


def test_generate_draft_from_the_data_asks_before_replacing(
        window: MainWindow, session: Session, asked: list[tuple[str, str]], qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    editor = acts(window).open_editor()
    assert editor is not None
    measure = next(iter(session.roles))
    session.ws.update_record(measure, status=Status.DONE, explanation="已公开权责清单56项。")
    editor.section_edits[0].setPlainText("我自己写的内容。")
    assert editor.flush()
    answer(monkeypatch, "ask_choice", 1, seen=asked)  # 保留现有内容
    assert not editor.draft_work_section()
    assert editor.section_edits[0].toPlainText() == "我自己写的内容。"
    answer(monkeypatch, "ask_choice", 0, seen=asked)  # 替换
    assert editor.draft_work_section()
    text = editor.section_edits[0].toPlainText()
    assert "已公开权责清单56项" in text and text.startswith("（一）")
    assert [t for k, t in asked if k == "ask_choice"] == ["替换已修改的内容"] * 2
    assert load_draft(session.ws, session.directory).sections[0].body == text
    editor.section_edits[0].undo()  # the old text comes back with Ctrl+Z
    assert editor.section_edits[0].toPlainText() == "我自己写的内容。"


def test_seal_is_chosen_shown_and_hostile_images_refused(
        window: MainWindow, session: Session, tmp_path: Path, asked: list[tuple[str, str]],
        messages: list[Message], monkeypatch: pytest.MonkeyPatch, shots: Path) -> None:
    editor = acts(window).open_editor()
    assert editor is not None
    assert editor.seal_preview.text() == "未设置\n印章"
    seal = tmp_path / "印章.png"
    seal.write_bytes(sample_seal(400))
    answer(monkeypatch, "open_file_name", str(seal), seen=asked)
    assert editor.choose_seal()
    assert get_seal(session.ws) == sample_seal(400)
    pixmap = editor.seal_preview.pixmap()
    assert not pixmap.isNull() and pixmap.hasAlphaChannel()
    assert messages == []  # transparent: nothing to warn about
    save_shot(editor, shots, "report-editor-seal")

    bomb = tmp_path / "炸弹.png"
    from tests.test_report_collect import png_header

    bomb.write_bytes(png_header(60000, 60000))
    fake = tmp_path / "假的.png"
    fake.write_bytes(b"this is not an image")
    huge = tmp_path / "大.png"
    with huge.open("wb") as f:
        f.truncate(5 * 1024 * 1024)
    answer(monkeypatch, "open_file_name", str(bomb), str(fake), str(huge), seen=asked)
    assert not editor.choose_seal() and not editor.choose_seal() and not editor.choose_seal()
    assert [m.title for m in messages] == ["没有更换印章"] * 3
    assert "尺寸过大" in messages[0].text
    assert "必须是 PNG 格式" in messages[1].text
    assert "不能超过 2 MB" in messages[2].text
    assert get_seal(session.ws) == sample_seal(400)  # the old seal stays

    answer(monkeypatch, "ask_choice", 0, seen=asked)
    assert editor.remove_seal()
    assert not has_seal(session.ws) and editor.seal_preview.text() == "未设置\n印章"


# ---- generating ---------------------------------------------------------------------------


def test_generate_unsigned_then_preview(window: MainWindow, session: Session, qtbot,
                                        tmp_path: Path, asked: list[tuple[str, str]],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    answer(monkeypatch, "ask_choice", 1, seen=asked)  # 生成不签名的报告
    answer(monkeypatch, "save_file_name", str(tmp_path / "报告"), seen=asked)
    acts(window).generate_action.trigger()
    qtbot.waitUntil(lambda: acts(window).preview is not None, timeout=15000)
    out = tmp_path / "报告.pdf"
    assert out.is_file()
    assert [k for k, _ in asked] == ["ask_choice", "save_file_name"]
    preview = acts(window).preview
    assert preview is not None and preview.isVisible()
    assert preview.document.status() == QPdfDocument.Status.Ready
    result = acts(window).last_result
    assert result is not None and not result.signed
    assert preview.page_count() == result.pages
    assert f"共 {result.pages} 页 · 未签名" in preview.info.text()


def test_generate_signed_asks_again_for_a_wrong_passphrase(
        window: MainWindow, session: Session, qtbot, tmp_path: Path,
        asked: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch,
        messages: list[Message]) -> None:
    with_identity(session)
    labels: list[str] = []
    queue = ["错误的密码", PASSPHRASE]

    def passphrase(_p: QWidget, title: str, label: str) -> str:
        labels.append(label)
        return queue.pop(0)

    monkeypatch.setattr(prompts, "ask_passphrase", passphrase)
    answer(monkeypatch, "save_file_name", str(tmp_path / "签名报告.pdf"), seen=asked)
    acts(window).generate_report()
    qtbot.waitUntil(lambda: acts(window).preview is not None, timeout=15000)
    assert labels[0].startswith("请输入签名密码") and "签署人：张三" in labels[0]
    assert labels[1].startswith("签名密码不正确")
    result = acts(window).last_result
    assert result is not None and result.signed and result.signer == "张三"
    pdfsig = subprocess.run(["pdfsig", str(tmp_path / "签名报告.pdf")],
                            capture_output=True, text=True).stdout
    assert "Signature is Valid." in pdfsig
    assert "已签名（签署人：张三）" in acts(window).preview.info.text()  # type: ignore[union-attr]
    assert messages == []


def test_no_identity_offers_to_create_one(window: MainWindow, session: Session, qtbot,
                                          asked: list[tuple[str, str]],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    answer(monkeypatch, "ask_choice", 0, seen=asked)  # 生成证书…
    assert acts(window).generate_report() is None
    dialog = acts(window).create_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    dialog.reject()
    assert [k for k, _ in asked] == ["ask_choice"]


def test_cancelled_generation_leaves_no_file(window: MainWindow, session: Session, qtbot,
                                             tmp_path: Path, messages: list[Message],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    go = threading.Event()
    real = report_build.build_report

    def held(*args: object, **kwargs: object) -> object:
        go.wait(10)  # the officer presses 取消 before any page is made
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(report_build, "build_report", held)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "报告.pdf"
    op = acts(window).build_to(out, sign=False, passphrase=None)
    assert op is not None
    assert op.dialog.labelText() == "正在生成自查报告…"
    cancel = op.dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "取消"
    cancel.click()
    go.set()
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=10000)
    assert list(folder.iterdir()) == []  # not even a hidden temporary file
    assert messages == [] and acts(window).preview is None


def test_generation_runs_off_the_ui_thread_with_progress(
        window: MainWindow, session: Session, qtbot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[bool] = []
    values: list[tuple[int, int]] = []
    real = report_build.build_report

    def watched(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(report_build, "build_report", watched)
    op = acts(window).build_to(tmp_path / "r.pdf", sign=False, passphrase=None)
    assert op is not None
    op.worker.progressed.connect(lambda done, total: values.append((done, total)))
    qtbot.waitUntil(lambda: acts(window).preview is not None, timeout=15000)
    assert threads == [False]
    assert values and values[-1] == (100, 100)
    assert len(set(values)) > 5  # the progress dialog moves along


# ---- preview and print --------------------------------------------------------------------


def ink(widget: QWidget) -> int:
    """How many sampled pixels of ``widget`` are dark (text on a rendered page)."""
    QApplication.processEvents()
    image = widget.grab().toImage()
    return sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
               if image.pixelColor(x, y).lightness() < 90)


@pytest.fixture
def report_pdf(session: Session, directory: UnitDirectory, tmp_path: Path) -> Path:
    from gongkai_desktop.report.seal import set_seal

    set_seal(session.ws, sample_seal(500))
    first = next(iter(session.roles))
    session.ws.update_record(first, status=Status.DONE, explanation="已公开权责清单56项。")
    with_identity(session)
    out = tmp_path / "预览.pdf"
    report_build.build_report(session.ws, directory, out, sign=True, passphrase=PASSPHRASE,
                              today=TODAY)
    return out


def test_preview_shows_pages_and_prints_a4(window: MainWindow, report_pdf: Path, qtbot,
                                          tmp_path: Path, shots: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    preview = acts(window).show_preview(report_pdf)
    assert preview is not None
    preview.resize(900, 1000)
    qtbot.waitExposed(preview)
    pages = preview.page_count()
    assert pages > 3 and preview.page_total.text() == f"/ {pages} 页"
    assert not preview.prev_button.isEnabled()
    # QtPdf renders pages in the background: wait until the first page shows its text.
    qtbot.waitUntil(lambda: ink(preview.view) > 2000, timeout=10000)
    save_shot(preview, shots, "report-preview")
    assert preview.info.text() == f"共 {pages} 页"
    preview.go_to(pages - 1)
    assert preview.page_spin.value() == pages and not preview.next_button.isEnabled()
    preview.whole_page_button.click()
    qtbot.waitUntil(lambda: ink(preview.view) > 500, timeout=10000)
    save_shot(preview, shots, "report-preview-last-page")

    printed = tmp_path / "打印.pdf"
    seen: list[QPrinter] = []

    def dialog(_parent: QWidget, printer: QPrinter) -> bool:
        seen.append(printer)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return True

    monkeypatch.setattr(report_preview, "exec_print_dialog", dialog)
    preview.print_button.click()
    assert seen and seen[0].pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
    assert preview.printed_pages == pages
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(pages), str(printed)],
                          capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {pages}" in info
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info)
    assert len(sizes) == pages  # every sheet is A4 (附件1 landscape, the rest portrait)
    portrait = [(w, h) for w, h in sizes if float(w) < float(h)]
    assert portrait and len(portrait) < pages
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "3", "-l", "3", str(printed),
                    str(shots / "report-printed-page")], check=True)


def test_cancelled_print_dialog_prints_nothing(window: MainWindow, report_pdf: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    preview = acts(window).show_preview(report_pdf)
    assert preview is not None
    monkeypatch.setattr(report_preview, "exec_print_dialog", lambda p, printer: False)
    assert preview.print_report() == 0


def test_preview_of_a_broken_file_says_so(window: MainWindow, tmp_path: Path,
                                          messages: list[Message]) -> None:
    broken = tmp_path / "坏.pdf"
    broken.write_bytes(b"%PDF-1.7 nothing")
    assert acts(window).show_preview(broken) is None
    assert "文件已损坏或不是有效的PDF" in messages[0].text


# ---- verifying ----------------------------------------------------------------------------


def certs(cert: Path | list[Path] | None) -> list[Path]:
    return [] if cert is None else [cert] if isinstance(cert, Path) else cert


def verify(window: MainWindow, qtbot, pdf: Path, cert: Path | list[Path] | None,
           monkeypatch: pytest.MonkeyPatch, asked: list[tuple[str, str]],
           messages: list[Message]) -> Message:
    """验证报告 as an officer does it: choose the PDF (checked at once, no certificate
    asked), then, when given, add the certificates (checked again). What the dialog
    shows comes back as a Message: its verdict line, its lines, the colour as an icon."""
    from PySide6.QtWidgets import QMessageBox

    a = acts(window)
    if a.verify_dialog is not None:
        a.verify_dialog.close()
        QApplication.processEvents()
    answer(monkeypatch, "open_file_name", str(pdf), seen=asked)
    a.verify_action.trigger()
    dialog = a.verify_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.check is not None and not dialog.busy, timeout=10000)
    if certs(cert):
        dialog.check = None
        dialog.add_certs(certs(cert))
        qtbot.waitUntil(lambda: dialog.check is not None and not dialog.busy, timeout=10000)
    check = dialog.check
    assert check is not None and dialog.result_text.toPlainText() == "\n".join(check.lines)
    word = dialog.verdict_label.text().split("　")[0]
    icon = QMessageBox.Icon.Information if check.passed else QMessageBox.Icon.Warning
    return Message(f"报告{word}", dialog.result_text.toPlainText(), icon)


def test_verify_action_says_intact_or_altered(window: MainWindow, report_pdf: Path, qtbot,
                                              tmp_path: Path, asked: list[tuple[str, str]],
                                              messages: list[Message],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    shown = verify(window, qtbot, report_pdf, None, monkeypatch, asked, messages)
    assert shown.title == "报告完好"
    assert "完整性：完好" in shown.text and "签名人：张三" in shown.text
    assert "单位：重庆市万州区人民政府" in shown.text

    cer = tmp_path / "万州区.cer"
    identity("重庆市万州区人民政府").export_cer(cer)
    shown = verify(window, qtbot, report_pdf, cer, monkeypatch, asked, messages)
    assert shown.title == "报告完好" and "结论：核验通过" in shown.text
    assert "核对的证书：万州区.cer" in shown.text

    data = bytearray(report_pdf.read_bytes())
    at = data.index(b"/Title")  # inside the signed range
    data[at + 2] ^= 0x01
    altered = tmp_path / "改过.pdf"
    altered.write_bytes(bytes(data))
    shown = verify(window, qtbot, altered, cer, monkeypatch, asked, messages)
    assert shown.title == "报告已被修改"
    assert "完整性：已被修改" in shown.text and "结论：核验未通过" in shown.text


def cli_lines(capsys: pytest.CaptureFixture[str], *args: object) -> list[str]:
    from gongkai_desktop.cli import main

    capsys.readouterr()
    main(["verify", *map(str, args)])
    return capsys.readouterr().out.splitlines()


def test_verify_shows_the_lines_verify_prints(window: MainWindow, report_pdf: Path, qtbot,
                                              tmp_path: Path, asked: list[tuple[str, str]],
                                              messages: list[Message],
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from tests import pdf_attacks

    cer = tmp_path / "万州区.cer"
    identity("重庆市万州区人民政府").export_cer(cer)
    shown = verify(window, qtbot, report_pdf, cer, monkeypatch, asked, messages)
    assert shown.text.splitlines() == cli_lines(capsys, report_pdf, "--cert", cer)
    assert shown.icon == QMessageBox.Icon.Information

    # An unsigned field whose appearance covers page 1, added after signing.
    forged = tmp_path / "加了字段.pdf"
    pdf_attacks.add_unsigned_signature_field(report_pdf, forged)
    shown = verify(window, qtbot, forged, cer, monkeypatch, asked, messages)
    assert shown.title == "报告已被修改" and shown.icon == QMessageBox.Icon.Warning
    assert "第1页的签名字段（未签名）" in shown.text
    assert shown.text.splitlines() == cli_lines(capsys, forged, "--cert", cer)

    # The office countersigns: with only the unit's certificate, the office is not trusted.
    from gongkai_desktop.signing import sign_pdf

    office = identity("重庆市人民政府办公厅", "李四")
    twice = tmp_path / "会签.pdf"
    sign_pdf(report_pdf, twice, office, signer_name="李四", unit_name="重庆市人民政府办公厅")
    shown = verify(window, qtbot, twice, cer, monkeypatch, asked, messages)
    assert "  签名人：李四" in shown.text.splitlines()
    assert "证书：不受信任——与所给的证书都不一致，无法确认签名人身份" in shown.text
    assert shown.text.splitlines() == cli_lines(capsys, twice, "--cert", cer)
    # Both certificates chosen: both signers trusted, as `verify --cert A --cert B`.
    office_cer = tmp_path / "办公厅.cer"
    office.export_cer(office_cer)
    shown = verify(window, qtbot, twice, [cer, office_cer], monkeypatch, asked, messages)
    assert shown.title == "报告完好" and shown.icon == QMessageBox.Icon.Information
    assert "核对的证书：万州区.cer、办公厅.cer" in shown.text
    assert shown.text.splitlines()[-1] == "结论：核验通过"
    assert shown.text.splitlines() == cli_lines(capsys, twice, "--cert", cer,
                                                "--cert", office_cer)


def test_expiring_certificate_offers_renewal_before_signing(
        window: MainWindow, session: Session, asked: list[tuple[str, str]],
        messages: list[Message], monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai_desktop.signing.store import load_identity
    from tests.pdf_attacks import identity_expiring_in

    a = acts(window)
    old = identity_expiring_in(5, PASSPHRASE)
    save_identity(session.ws, old)
    labels: list[str] = []
    monkeypatch.setattr(prompts, "ask_passphrase",
                        lambda p, title, label: labels.append(label) or None)
    answer(monkeypatch, "ask_choice", 1, seen=asked)  # 仍用当前证书签名
    assert a.ask_signing_passphrase(window, session) is None
    assert ("ask_choice", "签名证书即将过期") in asked
    assert "注意：证书将于" in labels[-1] and "还剩" in labels[-1]

    # 续期…: the signing-certificate dialog renews (after its confirmation and the passphrase).
    answer(monkeypatch, "ask_choice", 0, 0, seen=asked)
    monkeypatch.setattr(prompts, "ask_passphrase", lambda p, title, label: PASSPHRASE)
    assert a.ask_signing_passphrase(window, session) is None
    renewed = load_identity(session.ws, PASSPHRASE)
    assert renewed.fingerprint() != old.fingerprint() and renewed.signer == old.signer
    assert messages[-1].title == "已续期签名证书"
    assert a.signing_dialog is not None
    a.signing_dialog.close()

    # Expired: 续期 or 取消 only, and no passphrase is asked.
    save_identity(session.ws, identity_expiring_in(-3, PASSPHRASE))
    choices: list[list[str]] = []
    monkeypatch.setattr(prompts, "ask_choice",
                        lambda p, title, text, options: choices.append(list(options)) or 1)
    monkeypatch.setattr(prompts, "ask_passphrase",
                        lambda p, title, label: labels.append(label) or None)
    count = len(labels)
    assert a.ask_signing_passphrase(window, session) is None
    assert choices == [["续期…", "取消"]] and len(labels) == count


def test_verify_dialog_reports_an_unsigned_pdf_without_asking_for_a_certificate(
        window: MainWindow, tmp_path: Path, qtbot, asked: list[tuple[str, str]],
        messages: list[Message], monkeypatch: pytest.MonkeyPatch, artifacts_dir: Path) -> None:
    from reportlab.pdfgen import canvas

    plain = tmp_path / "未签名.pdf"
    pdf = canvas.Canvas(str(plain))
    pdf.drawString(72, 720, "no signature")
    pdf.save()
    answer(monkeypatch, "open_file_name", str(plain), seen=asked)
    acts(window).verify_action.trigger()
    dialog = acts(window).verify_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=10000)
    assert asked == [("open_file_name", "选择要验证的报告")]  # no certificate asked for
    assert dialog.verdict_label.text().startswith("没有签名")
    assert "文件没有电子签名" in dialog.result_text.toPlainText()
    assert dialog.no_cert.isChecked() and not dialog.cert_view.isEnabled()
    area = dialog.screen().availableGeometry()
    assert dialog.width() <= area.width() and dialog.height() <= area.height()
    assert messages == []
    save_shot(dialog, artifacts_dir, "verify_dialog_unsigned")
    dialog.close()


def test_verify_with_no_file_chosen_does_nothing(window: MainWindow,
                                                 asked: list[tuple[str, str]],
                                                 messages: list[Message]) -> None:
    assert acts(window).verify_report() is None
    assert asked == [("open", "选择要验证的报告")] and messages == []


def test_zz_no_top_level_widget_leaks(qtbot, ui_app) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    QApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert [type(w).__name__ for w in QApplication.topLevelWidgets()] == []
