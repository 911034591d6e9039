"""Build the unit's report from its workspace: collect, render, sign, move into place.

The signing identity is unlocked first, so a wrong passphrase fails before any
work is done. The PDF is rendered to a hidden file beside ``out`` and signed
into ``out`` (itself atomically); a failure or a cancel leaves nothing behind
and an existing ``out`` untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from gongkai_desktop import faults
from gongkai_desktop.atomic import fsync_dir, fsync_file
from gongkai_desktop.errors import Cancelled, InvalidInput, NotFound, SignatureError, StorageFault
from gongkai_desktop.report.collect import report_evidence, report_rows
from gongkai_desktop.report.content import ReportContent
from gongkai_desktop.report.edited_text import DraftStore, load_draft
from gongkai_desktop.report.render import render_report
from gongkai_desktop.report.seal import get_seal
from gongkai_desktop.signing import SigningIdentity, rules
from gongkai_desktop.signing.store import has_identity, load_identity
from gongkai_desktop.signing.validity import check_can_sign
from gongkai_desktop.storage.entities import UnitProfile
from gongkai_desktop.ticker import Progress
from gongkai_desktop.typeset.fonts import FontBook
from gongkai_desktop.units import UnitDirectory

TOTAL = 100
RENDER_SHARE = 90  # signing takes about a tenth of the time of a typical rendering

NO_IDENTITY = (f"{rules.NO_IDENTITY}，无法签名。请先在“签名证书”中生成或导入本单位的证书"
               "（命令行：signing init），或选择生成不签名的报告")


class ReportWorkspace(DraftStore, Protocol):
    @property
    def profile(self) -> UnitProfile: ...


@dataclass(frozen=True, slots=True)
class BuildResult:
    path: Path
    pages: int
    fingerprint: str  # the report's content fingerprint (SHA-256 hex)
    signed: bool
    signer: str = ""  # the name on the signature stamp
    cert_fingerprint: str = ""  # SHA-256 hex of the signing certificate; "" when unsigned
    missing_chars: frozenset[str] = frozenset()
    images_not_shown: tuple[str, ...] = ()


def unlock_identity(ws: DraftStore, passphrase: str | None) -> SigningIdentity:
    """The workspace's identity, unlocked; SignatureError with a clear message otherwise."""
    if not has_identity(ws):
        raise SignatureError(NO_IDENTITY)
    if not passphrase:
        raise SignatureError("请输入签名密码")
    identity = load_identity(ws, passphrase)
    check_can_sign(identity.certificate)  # said before any rendering
    return identity


def report_content(ws: ReportWorkspace, directory: UnitDirectory,
                   today: dt.date | None = None, *,
                   offices_annex: bool | None = None) -> ReportContent:
    """Everything the report prints, from the workspace and the saved draft."""
    draft = load_draft(ws, directory)
    if not draft.title.strip():
        raise InvalidInput("请填写报告标题")
    from gongkai_desktop.delegation.reporting import offices_annex_rows
    from gongkai_desktop.report.review_ledger import ledger_rows_or_none

    rows = report_rows(ws, directory)
    unit = ws.unit
    return ReportContent(
        plan=ws.plan, unit_full_name=ws.profile.full_name or unit.full_name,
        unit_name=ws.profile.unit_name or unit.name, title=draft.title.strip(),
        opening=draft.opening, sections=draft.sections,
        signed_on=draft.signing_date(today), rows=rows,
        evidence=report_evidence(ws, rows), addressee=draft.addressee,
        seal_png=get_seal(ws),
        ledger=ledger_rows_or_none(ws, rows, today or dt.date.today()),  # 附件3 整改台账
        offices=offices_annex_rows(ws, offices_annex),  # 下级单位完成情况 (#14), optional
    )


def build_report(ws: ReportWorkspace, directory: UnitDirectory, out: Path, *, sign: bool,
                 passphrase: str | None, signer_name: str | None = None,
                 progress: Progress | None = None, fonts: FontBook | None = None,
                 today: dt.date | None = None,
                 offices_annex: bool | None = None) -> BuildResult:
    """Write the report to ``out``, signed with the workspace's identity when ``sign``."""
    out = Path(out)
    if not out.parent.is_dir():
        raise NotFound(f"保存位置不存在：{out.parent}")
    if out.is_dir():
        raise InvalidInput(f"“{out.name}”是一个文件夹，请换一个文件名")
    identity = unlock_identity(ws, passphrase) if sign else None
    content = report_content(ws, directory, today, offices_annex=offices_annex)

    def scaled(done: int, total: int) -> bool:
        share = done * RENDER_SHARE // max(total, 1)
        return progress is None or bool(progress(min(share, RENDER_SHARE), TOTAL))

    unsigned = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.unsigned")
    try:
        try:  # an unwritable folder fails here, naming the user's file, before any work
            unsigned.open("xb").close()
        except OSError as exc:
            raise faults.os_error(exc, out, "报告文件") from exc
        try:
            rendered = render_report(content, unsigned, progress=scaled, fonts=fonts)
        except StorageFault as exc:  # say the user's file, not the temporary one
            cause = exc.__cause__
            if isinstance(cause, OSError):
                raise faults.os_error(cause, out, "报告文件") from cause
            raise
        if progress is not None and not progress(RENDER_SHARE, TOTAL):
            raise Cancelled("已取消生成报告")
        signer = ""
        if identity is not None:
            from gongkai_desktop.signing.pdf_sign import sign_pdf

            # The stamp names whom the certificate names (an authority's certificate is
            # authoritative); the officer only when the certificate names nobody.
            signer = (signer_name or identity.signer or ws.profile.officer).strip()
            sign_pdf(unsigned, out, identity, signer_name=signer,
                     unit_name=content.unit_full_name)
        else:  # flushed before it gets its name: a report that "was written" survives
            try:  # a power cut (sign_pdf flushes its own output)
                fsync_file(unsigned)
                os.replace(unsigned, out)
                fsync_dir(out.parent)
            except OSError as exc:
                raise faults.os_error(exc, out, "报告文件") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            unsigned.unlink()
    if progress is not None:
        progress(TOTAL, TOTAL)
    return BuildResult(
        path=out, pages=rendered.pages, fingerprint=rendered.fingerprint,
        signed=identity is not None, signer=signer,
        cert_fingerprint=identity.fingerprint() if identity is not None else "",
        missing_chars=rendered.missing_chars, images_not_shown=rendered.images_not_shown,
    )
