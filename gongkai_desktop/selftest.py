"""`gongkai-desktop --self-test`: the whole job once, headless, in a temporary folder.

Run after installing (or by CI on the frozen build) to show the program works on
this machine: the bundled plan and units load, a 万州区 workspace is filled in
with evidence, and — where this build has them — a report is rendered, signed
and verified, and a bundle goes to a supervisor's workspace.

One line per step (``[通过] 创建工作区 (0.05 s)``, ``[失败] 创建工作区：原因``,
``[跳过] … (本版本尚未包含)``); the exit code is non-zero when any step failed.
The user's own data folder is never touched and no network connection may be
opened (an attempt fails the step). A step is a ``Step`` in ``STEPS``; add one
there to extend the check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import importlib
import io
import ipaddress
import os
import platform
import shutil
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from gongkai_desktop import APP_NAME, APP_TITLE, __version__, paths
from gongkai_desktop.errors import GongkaiError
from gongkai_desktop.model import Status

UNIT_NAME = "万州区"
SUPERVISOR_NAME = "市政府办公厅"
DONE_NOTE = "已在区政府门户网站政务公开专栏发布自检说明材料"
NA_REASON = "本单位不承担该项职能（自检示例）"
DONE_ON = dt.date(2020, 6, 30)
SAMPLE_WORD = "自检说明材料"  # a 3+ character piece of DONE_NOTE for the full-text search
DATA_DIR_ENV = "GONGKAI_DATA_DIR"
MAX_IMAGE_BYTES = 50 * 1024 * 1024
# Qt options the installed program may be given (``-platform offscreen``); ignored here.
QT_VALUE_OPTIONS = {"-platform", "--platform", "-platformpluginpath", "-style"}


class Outcome(StrEnum):
    PASSED = "通过"
    FAILED = "失败"
    SKIPPED = "跳过"


class NetworkUsed(GongkaiError):
    """Something tried to open a network connection during the self-test."""


@dataclass
class Context:
    """What the steps share: the scratch folder and what earlier steps made."""

    folder: Path
    values: dict[str, Any] = field(default_factory=dict)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def keep_open(self, closer: Callable[[], None]) -> None:
        """Call ``closer`` when the run ends (open workspaces block deleting on Windows)."""
        self.closers.append(closer)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    run: Callable[[Context], str | None]  # returns an optional short detail
    modules: tuple[str, ...] = ()  # absent from this build → skipped, not failed
    after: tuple[str, ...] = ()  # keys of steps that must have passed first


@dataclass(frozen=True)
class Result:
    step: Step
    outcome: Outcome
    seconds: float = 0.0
    detail: str = ""

    def line(self) -> str:
        if self.outcome is Outcome.PASSED:
            extra = f"：{self.detail}" if self.detail else ""
            return f"[{self.outcome}] {self.step.title} ({self.seconds:.2f} s){extra}"
        if self.outcome is Outcome.FAILED:
            return f"[{self.outcome}] {self.step.title}：{self.detail} ({self.seconds:.2f} s)"
        return f"[{self.outcome}] {self.step.title} ({self.detail})"


# ---- the steps -----------------------------------------------------------------------


def step_bundled_files(ctx: Context) -> str:
    required = [paths.seed_database(), paths.data_file("units.toml"), paths.resource_file("fonts")]
    if getattr(sys, "frozen", False):
        # Qt's own Chinese strings come with the build, not from PySide6's folder.
        required.append(paths.resource_file("translations/qtbase_zh_CN.qm"))
    missing = [str(p) for p in required if not p.exists()]
    if missing:
        raise AssertionError("缺少程序文件：" + "、".join(missing))
    fonts = [p for p in paths.resource_file("fonts").iterdir() if p.suffix in (".ttf", ".ttc")]
    if not fonts:
        raise AssertionError("缺少内置中文字体")
    return f"{len(fonts)} 个字体"


def step_plan_and_unit(ctx: Context) -> str:
    from gongkai_desktop.plan.library import bundled_plan
    from gongkai_desktop.roles import reported_measures, roles_for_plan
    from gongkai_desktop.units import UnitDirectory

    plan = bundled_plan()
    directory = UnitDirectory.load()
    unit = directory.find(UNIT_NAME)
    roles = roles_for_plan(plan, unit, directory)
    reportable = reported_measures(roles)
    if len(reportable) < 2:
        raise AssertionError(f"{UNIT_NAME}应报送的举措少于 2 项（{len(reportable)} 项）")
    ctx.values.update(plan=plan, directory=directory, unit=unit, roles=roles,
                      done_id=reportable[0], na_id=reportable[1])
    return f"{plan.info.document_number}，{len(plan.measures())} 项举措，{UNIT_NAME}应报送 " \
           f"{len(reportable)} 项"


def step_create_workspace(ctx: Context) -> str:
    from gongkai_desktop.storage import Workspace

    path = ctx.folder / f"{UNIT_NAME}.gkws"
    ws = Workspace.create(path, ctx.values["plan"], ctx.values["unit"], officer="自检",
                          actor="自检")
    ctx.keep_open(ws.close)
    ctx.values.update(workspace=ws, workspace_path=path)
    return path.name


def step_mark_measures(ctx: Context) -> str:
    ws = ctx.values["workspace"]
    done_id, na_id = ctx.values["done_id"], ctx.values["na_id"]
    with ws.transaction():
        ws.update_record(done_id, status=Status.DONE, explanation=DONE_NOTE,
                         completed_on=DONE_ON, actor="自检")
        ws.update_record(na_id, status=Status.NOT_APPLICABLE, reason=NA_REASON, actor="自检")
    return f"{done_id} 已完成，{na_id} 不适用"


def make_png(path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 90), "white")
    pen = ImageDraw.Draw(image)
    pen.rectangle((8, 8, 152, 82), outline=(183, 40, 46), width=4)
    pen.line((30, 50, 65, 70, 130, 20), fill=(183, 40, 46), width=6)  # a check mark
    image.save(path, "PNG")
    return path


def make_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=A4, invariant=True)
    canvas.setTitle("gongkai-desktop self-test evidence")
    canvas.drawString(72, 760, "Self-test evidence: list of the transparency column pages.")
    canvas.showPage()
    canvas.save()
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def step_attach_evidence(ctx: Context) -> str:
    ws = ctx.values["workspace"]
    done_id = ctx.values["done_id"]
    made = ctx.folder / "made"
    made.mkdir()
    files = [make_png(made / "门户网站截图.png"), make_pdf(made / "公开目录.pdf")]
    for file in files:
        ws.add_evidence_file(done_id, file, actor="自检")
    stored = {item.file_name: item for item in ws.evidence(done_id)}
    for file in files:
        item = stored.get(file.name)
        if item is None or item.sha256 != _sha256(file):
            raise AssertionError(f"佐证材料“{file.name}”未正确保存")
    out = ctx.folder / "exported"
    out.mkdir()
    for file in files:
        exported = ws.export_evidence(stored[file.name].id, out)
        if exported.read_bytes() != file.read_bytes():
            raise AssertionError(f"导出的佐证材料“{file.name}”与原文件不同")
    ctx.values["evidence_files"] = files
    return f"{len(files)} 个文件（PNG、PDF），已取回核对"


def step_reopen(ctx: Context) -> str:
    from gongkai_desktop.storage import Workspace

    ctx.values["workspace"].close()
    done_id, na_id = ctx.values["done_id"], ctx.values["na_id"]
    with Workspace.open(ctx.values["workspace_path"], readonly=True) as ws:
        done, na = ws.record(done_id), ws.record(na_id)
        if (done.status, done.explanation, done.completed_on) != (Status.DONE, DONE_NOTE, DONE_ON):
            raise AssertionError(f"举措 {done_id} 的完成情况未保存")
        if (na.status, na.reason) != (Status.NOT_APPLICABLE, NA_REASON):
            raise AssertionError(f"举措 {na_id} 的不适用理由未保存")
        if len(ws.evidence(done_id)) != len(ctx.values["evidence_files"]):
            raise AssertionError("佐证材料数量不符")
        if ws.search(SAMPLE_WORD) != [done_id]:
            raise AssertionError(f"全文检索“{SAMPLE_WORD}”未找到举措 {done_id}")
        entries = len(ws.audit_log())
    workspace = Workspace.open(ctx.values["workspace_path"])
    ctx.keep_open(workspace.close)
    ctx.values["workspace"] = workspace
    return f"记录、佐证、检索一致，留痕 {entries} 条"


def report_content(ctx: Context) -> Any:
    """The report of the workspace as the officer would first see it (drafted text)."""
    from gongkai_desktop.report import (
        ReportContent,
        ReportEvidence,
        ReportRow,
        default_opening,
        default_sections,
        default_title,
    )
    from gongkai_desktop.roles import must_report

    ws, unit, roles = ctx.values["workspace"], ctx.values["unit"], ctx.values["roles"]
    records, items = ws.records(), ws.evidence()
    rows: list[ReportRow] = []
    for area in ws.plan.areas:
        for subtask in area.subtasks:
            for measure in subtask.measures:
                if not must_report(roles[measure.id]):
                    continue
                record = records[measure.id]
                names = tuple(e.file_name for e in items if e.measure_id == measure.id)
                rows.append(ReportRow(
                    len(rows) + 1, measure, area.title, subtask.title, roles[measure.id],
                    record.status, record.completed_on, record.explanation or record.reason,
                    record.urls, names))
    evidence = [
        ReportEvidence(e.file_name, e.media_type, e.size or 0, e.sha256 or "", e.measure_id,
                       load_bytes=functools.partial(ws.read_blob, e.sha256, MAX_IMAGE_BYTES))
        for e in items if e.is_file
    ]
    return ReportContent(
        ws.plan, unit.full_name, unit.name, default_title(unit.full_name, ws.plan),
        default_opening(ws.plan), default_sections(rows), signed_on=dt.date.today(),
        rows=rows, evidence=evidence)


def step_render_report(ctx: Context) -> str:
    from gongkai_desktop.report import render_report

    out = ctx.folder / "自查报告.pdf"
    result = render_report(report_content(ctx), out)
    if not out.read_bytes().startswith(b"%PDF-"):
        raise AssertionError("报告文件不是 PDF")
    if result.missing_chars:
        raise AssertionError("报告中有字体缺字：" + "".join(sorted(result.missing_chars)))
    if result.images_not_shown:
        raise AssertionError("报告中有图片未能显示：" + "、".join(result.images_not_shown))
    ctx.values.update(report=out, report_result=result)
    return f"{result.pages} 页，{out.stat().st_size // 1024} KB"


def _tampered_copy(source: Path, out: Path) -> Path:
    """A copy with one byte changed inside the first content stream (in the signed range)."""
    data = bytearray(source.read_bytes())
    at = data.index(b"stream", len(data) // 10) + 40
    data[at] ^= 0x01
    out.write_bytes(bytes(data))
    return out


def step_sign_report(ctx: Context) -> str:
    from gongkai_desktop.signing import SigningIdentity, sign_pdf, verify_pdf

    unit = ctx.values["unit"]
    # Signing is checked even when rendering failed: then the evidence PDF is signed.
    report = ctx.values.get("report")
    source = report or ctx.values["evidence_files"][1]
    identity = SigningIdentity.generate(unit.full_name, "自检", "selftest-" + os.urandom(8).hex())
    signed = ctx.folder / "已签名.pdf"
    sign_pdf(source, signed, identity, signer_name="自检", unit_name=unit.full_name)
    check = verify_pdf(signed, identity.certificate_der())
    if not check.ok:
        raise AssertionError("签名验证未通过：" + "；".join(check.problems))
    if report and check.fingerprint_note != ctx.values["report_result"].fingerprint:
        raise AssertionError("签名中的报告内容指纹与报告不符")
    broken = verify_pdf(_tampered_copy(signed, ctx.folder / "改动过.pdf"),
                        identity.certificate_der())
    if broken.intact or broken.ok:
        raise AssertionError("改动过的文件仍被判定为签名有效")
    what = "报告" if report else "佐证 PDF（报告未生成）"
    return f"{what}签名有效，改动一个字节后验证不通过"


def step_export_bundle(ctx: Context) -> str:
    from gongkai_desktop.bundle.export import export_bundle
    from gongkai_desktop.bundle.verify import verify_bundle
    from gongkai_desktop.signing import SigningIdentity

    ws, unit = ctx.values["workspace"], ctx.values["unit"]
    identity = SigningIdentity.generate(unit.full_name, "自检", "selftest-" + os.urandom(8).hex())
    result = export_bundle(ws, ctx.folder / f"{unit.name}.gkbundle", identity, actor="自检")
    check = verify_bundle(list(result.files))
    files = [e for e in ws.evidence() if e.is_file]
    if check.records != len(ws.records()) or check.evidence != len(ws.evidence()):
        raise AssertionError("数据包中的记录或佐证条数与工作区不符")
    if check.blobs != len({e.sha256 for e in files}):
        raise AssertionError("数据包中的佐证文件数与工作区不符")
    ctx.values.update(bundle=result, bundle_identity=identity)
    return f"{result.parts} 个文件，{result.size // 1024} KB，签名与内容核验通过"


def step_import_bundle(ctx: Context) -> str:
    from gongkai_desktop.bundle.importer import Outcome as ImportOutcome
    from gongkai_desktop.bundle.importer import import_bundle
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.supervisor.store import SupervisorView

    unit, files = ctx.values["unit"], list(ctx.values["bundle"].files)
    supervisor = ctx.values["directory"].find(SUPERVISOR_NAME)
    ws = Workspace.create(ctx.folder / f"{SUPERVISOR_NAME}.gkws", ctx.values["plan"],
                          supervisor, officer="自检", actor="自检")
    ctx.keep_open(ws.close)
    # No silent first trust: the supervisor accepts the unit's key by its fingerprint.
    fingerprint = ctx.values["bundle_identity"].fingerprint()
    result = import_bundle(ws, files, accept_keys=[fingerprint], actor="自检")
    if result.outcome is not ImportOutcome.IMPORTED:
        raise AssertionError(f"数据包未导入：{result.message}")
    source = SupervisorView(ws).source(unit.id)
    done = source.records()[ctx.values["done_id"]]
    if (done.status, done.explanation) != (Status.DONE, DONE_NOTE):
        raise AssertionError("导入后的完成情况与报送单位的不符")
    if len(source.evidence(ctx.values["done_id"])) != len(ctx.values["evidence_files"]):
        raise AssertionError("导入后的佐证材料数量不符")
    again = import_bundle(ws, files, actor="自检")
    if again.outcome is not ImportOutcome.ALREADY:
        raise AssertionError("同一数据包再次导入时改动了上级工作区")
    return (f"{SUPERVISOR_NAME}导入{unit.name}的数据包，{result.changed_measures} 项举措，"
            "重复导入不改动")


STEPS: list[Step] = [
    Step("files", "检查程序文件", step_bundled_files),
    Step("plan", "读取任务分工和单位名录", step_plan_and_unit),
    Step("create", "创建工作区", step_create_workspace, after=("plan",)),
    Step("mark", "填写完成情况（已完成、不适用）", step_mark_measures, after=("create",)),
    Step("evidence", "添加佐证材料", step_attach_evidence, after=("create",)),
    Step("reopen", "重新打开并核对", step_reopen, after=("mark", "evidence")),
    Step("report", "生成自查报告", step_render_report,
         modules=("gongkai_desktop.report.render",), after=("reopen",)),
    Step("sign", "电子签名并验证", step_sign_report,
         modules=("gongkai_desktop.signing",), after=("evidence",)),
    Step("bundle", "导出数据包并核验", step_export_bundle,
         modules=("gongkai_desktop.bundle.export", "gongkai_desktop.bundle.verify",
                  "gongkai_desktop.signing"), after=("reopen",)),
    Step("import", "上级工作区导入数据包", step_import_bundle,
         modules=("gongkai_desktop.bundle.importer", "gongkai_desktop.supervisor.store"),
         after=("bundle",)),
]


# ---- running -------------------------------------------------------------------------


def missing_module(names: Sequence[str]) -> str | None:
    """The first of ``names`` this build does not contain; a broken dependency still raises."""
    for name in names:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                return name
            raise
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, GongkaiError | AssertionError) and str(exc):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_step(step: Step, ctx: Context, done: dict[str, Result]) -> Result:
    blocked = [key for key in step.after if done.get(key) is None
               or done[key].outcome is not Outcome.PASSED]
    started = time.perf_counter()
    try:
        if missing_module(step.modules):
            return Result(step, Outcome.SKIPPED, detail="本版本尚未包含")
        if blocked:
            titles = "、".join(done[k].step.title for k in blocked if k in done)
            return Result(step, Outcome.SKIPPED, detail=f"前一步“{titles}”未通过")
        detail = step.run(ctx) or ""
    except Exception as exc:
        ctx.values.setdefault("tracebacks", []).append(traceback.format_exc())
        return Result(step, Outcome.FAILED, time.perf_counter() - started, _reason(exc))
    return Result(step, Outcome.PASSED, time.perf_counter() - started, detail)


def is_local(family: int, address: Any) -> bool:
    """A Unix socket or a loopback address: not the network.

    asyncio on Windows (which pyHanko's signing runs on) makes its self-pipe with
    ``socket.socketpair()``, a TCP connection to 127.0.0.1 there.
    """
    if family == getattr(socket, "AF_UNIX", None):
        return True
    if family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        try:
            return ipaddress.ip_address(str(address[0])).is_loopback
        except ValueError:
            return False  # a host name: looking it up would already be network use
    return False


@contextlib.contextmanager
def no_network() -> Iterator[None]:
    """Every attempt to connect beyond this computer fails while the self-test runs."""
    saved = {name: getattr(socket, name) for name in ("create_connection", "getaddrinfo")}
    saved_methods = {name: getattr(socket.socket, name) for name in ("connect", "connect_ex")}

    def refuse(*args: object, **kwargs: object) -> Any:
        raise NetworkUsed(f"试图连接网络：{args[:2]!r}")

    def guarded(name: str) -> Callable[..., Any]:
        real = saved_methods[name]

        def method(self: socket.socket, address: Any) -> Any:
            if is_local(self.family, address):
                return real(self, address)
            return refuse(address)

        return method

    try:
        for name in saved:
            setattr(socket, name, refuse)
        for name in saved_methods:
            setattr(socket.socket, name, guarded(name))
        yield
    finally:
        for name, value in saved.items():
            setattr(socket, name, value)
        for name, value in saved_methods.items():
            setattr(socket.socket, name, value)


@contextlib.contextmanager
def scratch_data_dir(folder: Path) -> Iterator[None]:
    """The user data folder points into the scratch folder, so the real one stays untouched."""
    before = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(DATA_DIR_ENV, None)
        else:
            os.environ[DATA_DIR_ENV] = before


def run_steps(steps: Sequence[Step], folder: Path, out: TextIO) -> list[Result]:
    ctx = Context(folder)
    done: dict[str, Result] = {}
    try:
        with no_network(), scratch_data_dir(folder / "userdata"):
            for step in steps:
                result = run_step(step, ctx, done)
                done[step.key] = result
                print(result.line(), file=out, flush=True)
    finally:
        for close in reversed(ctx.closers):
            with contextlib.suppress(Exception):
                close()
    if os.environ.get("GONGKAI_SELFTEST_TRACEBACK") == "1":
        for text in ctx.values.get("tracebacks", []):
            print(text, file=out)
    return list(done.values())


def _usable_stdout() -> TextIO:
    """stdout that can print Chinese: an English Windows console pipe is cp1252."""
    stream = sys.stdout
    if stream is None:  # a windowed Windows executable has no console
        return io.StringIO()
    try:
        "通过".encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8")
    return stream


def _parse(argv: Sequence[str]) -> tuple[bool, str | None]:
    """(keep the folder, an error message); Qt's options are accepted and ignored."""
    keep = False
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--keep":
            keep = True
        elif arg in QT_VALUE_OPTIONS:
            if args:
                args.pop(0)
        elif arg.split("=", 1)[0] in QT_VALUE_OPTIONS:
            continue
        else:
            return keep, f"自检不认识参数“{arg}”（可用：--keep 保留临时文件夹）"
    return keep, None


def main(argv: list[str], *, extra_steps: Sequence[Step] = ()) -> int:
    """Run every step of ``STEPS`` (then ``extra_steps``); 0 when none failed."""
    out = _usable_stdout()
    keep, error = _parse(argv)
    if error:
        print(error, file=sys.stderr)
        return 2
    frozen = "已打包" if getattr(sys, "frozen", False) else "源代码"
    print(f"{APP_TITLE} {APP_NAME} {__version__} 自检（{platform.system()} "
          f"{platform.machine()}，Python {platform.python_version()}，{frozen}）", file=out)
    folder = Path(tempfile.mkdtemp(prefix=f"{APP_NAME}-selftest-"))
    started = time.perf_counter()
    try:
        results = run_steps([*STEPS, *extra_steps], folder, out)
    finally:
        if keep:
            print(f"临时文件夹已保留：{folder}", file=out)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    counts = {o: sum(1 for r in results if r.outcome is o) for o in Outcome}
    summary = "，".join(f"{counts[o]} 项{o}" for o in Outcome)
    verdict = "自检未通过" if counts[Outcome.FAILED] else "自检通过"
    print(f"{verdict}：{summary}（共 {time.perf_counter() - started:.1f} s）", file=out,
          flush=True)
    return 1 if counts[Outcome.FAILED] else 0
