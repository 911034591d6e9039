"""`bundle …` (export, import, receipts, trust, consolidation) and `verify` (bundles and PDFs)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from gongkai_desktop.bundle.office_key import KEY_CHANGED_NOTE
from gongkai_desktop.cli.common import actor, open_for_writing, today_of
from gongkai_desktop.errors import InvalidInput, NotFound, SignatureError
from gongkai_desktop.text_safety import printable

PASSPHRASE_ENV = "GONGKAI_KEY_PASSPHRASE"


def register(sub: Any) -> None:
    bundle = sub.add_parser("bundle", help="数据包：导出、导入、回执、汇总")
    actions = bundle.add_subparsers(dest="bundle_command", metavar="操作",
                                    parser_class=type(bundle))
    bundle.set_defaults(func=lambda _args: _usage(bundle))

    export = actions.add_parser("export", help="把工作区导出为签名的数据包（.gkbundle）")
    export.add_argument("workspace", type=Path)
    export.add_argument("-o", "--output", type=Path, required=True,
                        help="数据包文件名，或文件夹（用窗口建议的文件名）")
    export.add_argument("--shrink-images", action="store_true",
                        help="把长边超过 2000 像素的图片（照片、截图）缩小后再打包")
    export.add_argument("--max-size", type=float, metavar="MB",
                        help="拆分为多个文件，每个不超过这么多 MB")
    export.add_argument("--no-evidence", action="store_true", help="不含佐证文件（只有文件名）")
    export.set_defaults(func=cmd_export)

    imp = actions.add_parser("import", help="导入一个或多个数据包（可给文件夹）")
    imp.add_argument("workspace", type=Path)
    imp.add_argument("bundles", nargs="+", type=Path, metavar="BUNDLE")
    imp.add_argument("--trust-cert", action="append", type=Path, default=[], metavar="FILE",
                     help="先信任报送单位单独发来的证书文件（.cer）")
    imp.add_argument("--accept-key", action="append", default=[], metavar="FINGERPRINT",
                     help="接受该指纹的签名密钥：首次收到某单位的数据包，或该单位更换了证书时"
                          "（须先与该单位核对指纹）")
    imp.set_defaults(func=cmd_import)

    receipt = actions.add_parser("receipt", help="为某单位最近导入的数据包生成签名回执")
    receipt.add_argument("workspace", type=Path)
    receipt.add_argument("--unit", required=True, help="报送单位名称")
    receipt.add_argument("-o", "--output", type=Path, help="回执文件名（默认自动命名）")
    receipt.set_defaults(func=cmd_receipt)

    accept = actions.add_parser("receipt-import", help="（报送单位）导入收到的回执")
    accept.add_argument("workspace", type=Path)
    accept.add_argument("receipt", type=Path)
    accept.add_argument("--accept-key", metavar="FINGERPRINT",
                        help="接受该指纹的上级单位证书（首次导入回执或对方更换证书时，核对后填写）")
    accept.set_defaults(func=cmd_receipt_import)

    history = actions.add_parser("history", help="（报送单位）已导出的数据包及回执")
    history.add_argument("workspace", type=Path)
    history.set_defaults(func=cmd_history)

    trust = actions.add_parser("trust", help="信任某单位的证书文件（.cer）")
    trust.add_argument("workspace", type=Path)
    trust.add_argument("certificate", type=Path)
    trust.add_argument("--unit", help="证书所属单位（默认按证书中的单位名称查找）")
    trust.set_defaults(func=cmd_trust)

    cons = actions.add_parser("consolidate",
                              help="把各单位的完成情况汇总导出为 Excel 或 PDF 汇总表")
    cons.add_argument("workspace", type=Path)
    cons.add_argument("-o", "--output", type=Path, required=True,
                      help=".xlsx 或 .pdf 文件名（按扩展名决定格式），"
                           "或文件夹（Excel，用窗口建议的文件名）")
    cons.add_argument("--led", action="store_true", help="只汇总本单位牵头的举措")
    cons.add_argument("--today", help=argparse.SUPPRESS)
    cons.set_defaults(func=cmd_consolidate)

    verify = sub.add_parser("verify", help="核验数据包或签名的报告PDF")
    verify.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="数据包（拆分的各部分一起给出）或 PDF 文件")
    verify.add_argument("--cert", type=Path, action="append", default=[],
                        help="受信任的证书文件（.cer），用于确认签名人；"
                             "报告有会签时可给出多个（--cert A.cer --cert B.cer）")
    verify.set_defaults(func=cmd_verify)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _passphrase() -> str:
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise InvalidInput(f"需要签名密码：请设置环境变量 {PASSPHRASE_ENV}，或在终端中运行以便输入")
    return getpass.getpass("签名密码：")


def _identity(ws: Any) -> Any:
    from gongkai_desktop.signing.rules import no_identity
    from gongkai_desktop.signing.store import has_identity, load_identity

    if not has_identity(ws):
        raise no_identity(command_line=True)
    return load_identity(ws, _passphrase())


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def cmd_export(args: argparse.Namespace) -> int:
    from gongkai_desktop.bundle.export import ExportOptions, export_bundle
    from gongkai_desktop.bundle.split import mb_to_bytes

    options = ExportOptions(
        include_evidence=not args.no_evidence, shrink_images=args.shrink_images,
        max_part_bytes=mb_to_bytes(args.max_size) if args.max_size is not None else None)
    from gongkai_desktop.storage.default_names import bundle_name, in_folder

    with open_for_writing(args.workspace) as ws:
        identity = _identity(ws)
        out = in_folder(args.output, bundle_name(ws, dt.date.today()))
        result = export_bundle(ws, out, identity, options, actor=actor())
    for path in result.files:
        print(f"已导出：{path}（{_mb(path.stat().st_size)}）")
    for sentence in result.sentences():  # the window's sentences
        print(sentence)
    for warning in result.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.bundle.batch import batch_order, closing_sentence, state_text
    from gongkai_desktop.bundle.certs import load_certificate_file
    from gongkai_desktop.bundle.import_batch import bundle_files_in, import_bundles
    from gongkai_desktop.bundle.importer import Outcome
    from gongkai_desktop.bundle.key_pins import normalize_fingerprint
    from gongkai_desktop.bundle.trust import trust_certificates, unit_for_certificate
    from gongkai_desktop.signing.identity import group_fingerprint
    from gongkai_desktop.units import UnitDirectory

    files: list[Path] = []
    for path in args.bundles:
        files += bundle_files_in(path) if path.is_dir() else [path]
    if not files:
        raise NotFound("所给文件夹中没有数据包文件（.gkbundle）")
    accepted = [normalize_fingerprint(k) for k in args.accept_key]  # a typo: nothing changes
    certs = [load_certificate_file(p) for p in args.trust_cert]
    directory = UnitDirectory.load()
    pairs = [(cert, unit_for_certificate(cert, directory)) for cert in certs]
    with open_for_writing(args.workspace) as ws:
        trust_certificates(ws, pairs, actor=actor())  # all or none
        for cert, unit in pairs:
            print(f"已信任“{printable(unit.name)}”的证书：指纹 {cert.grouped_fingerprint}")
        results = import_bundles(ws, files, accept_keys=accepted, actor=actor(),
                                 directory=directory)
    # Listed as the window lists them (by unit, oldest first; unread files last), each
    # file's state in the window's words; a refused file is an error line on stderr (as
    # `delegate import` and `review import` say theirs); a batch closes with the window's
    # count sentence.
    order = batch_order([None if r.unit is None or r.sequence is None
                         else (r.unit.name, r.unit.id, r.sequence) for r in results])
    for row in (results[i] for i in order):
        refused = row.outcome is Outcome.REFUSED
        where = sys.stderr if refused else sys.stdout
        if refused:
            print(f"错误：{printable(row.path.name)}："
                  f"{printable(state_text(row.outcome, row.message))}", file=where)
            if row.needs_key_acceptance and row.fingerprint:
                shown = group_fingerprint(row.fingerprint)
                print(f"  核实后可加 --accept-key \"{shown}\" 重新导入", file=where)
        else:
            print(f"{printable(row.path.name)}：{printable(row.message)}")
        for warning in row.warnings:
            print(f"  提示：{printable(warning)}", file=where)
    closing = closing_sentence([r.outcome for r in results])
    if closing is not None:
        print(closing)
    return 1 if any(r.outcome is Outcome.REFUSED for r in results) else 0


def _find_imported_unit(ws: Any, name: str) -> str:
    from gongkai_desktop.supervisor.store import SupervisorView
    from gongkai_desktop.units import normalize_name

    key = normalize_name(name)
    for item in SupervisorView(ws).units():
        if key in {normalize_name(n) for n in (item.unit.id, item.unit.name,
                                                item.unit.full_name)}:
            return item.unit.id
    raise NotFound(f"本工作区尚未导入“{name}”的数据包")


def cmd_receipt(args: argparse.Namespace) -> int:
    from gongkai_desktop.bundle.receipt import default_receipt_name, write_receipt
    from gongkai_desktop.supervisor.store import SupervisorView

    with open_for_writing(args.workspace) as ws:
        unit_id = _find_imported_unit(ws, args.unit)
        imported = SupervisorView(ws).unit(unit_id)
        out = args.output or Path(default_receipt_name(imported.unit.name, imported.sequence))
        receipt = write_receipt(ws, unit_id, _identity(ws), out)
    print(f"已生成回执：{out}（{printable(receipt.unit.name)}，序号 {receipt.sequence}）")
    return 0


def _when(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def cmd_receipt_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.bundle.office_key import OfficeKeyNotAccepted
    from gongkai_desktop.bundle.receipt import import_receipt

    try:
        with open_for_writing(args.workspace) as ws:
            got = import_receipt(ws, args.receipt, accept_key=args.accept_key, actor=actor())
    except OfficeKeyNotAccepted as err:
        print(f"错误：{err}", file=sys.stderr)
        print(f"  核实后可加 --accept-key \"{err.check.cert.grouped_fingerprint}\" 重新导入",
              file=sys.stderr)
        return 1
    print(printable(got.sentence()))  # the window's sentence
    if got.key_changed:
        print(f"提示：{KEY_CHANGED_NOTE}", file=sys.stderr)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from gongkai_desktop.bundle.office_key import office_keys
    from gongkai_desktop.bundle.receipt import export_history
    from gongkai_desktop.storage import Workspace

    with Workspace.open(args.workspace, readonly=True) as ws:
        records = export_history(ws)
        keys = office_keys(ws)
    if not records:
        print("尚未导出过数据包")
    for r in records:
        if r.exported_at is None:
            print(f"序号 {r.sequence}：导出未完成")
            continue
        received = "；".join(f"已由“{x.receiver_name}”于 {_when(x.received_at)} 收到"
                            for x in r.receipts) or "尚无回执"
        print(printable(f"序号 {r.sequence}：{_when(r.exported_at)} 导出"
                        f"（{'、'.join(r.file_names)}），{received}"))
    for key in reversed(keys):  # the active key first, then the history
        head = "上级单位证书" if key.retired_at is None else "  原证书"
        print(printable(f"{head}：{key.describe()}"))
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from gongkai_desktop.bundle.certs import load_certificate_file
    from gongkai_desktop.bundle.trust import trust_certificate, unit_for_certificate
    from gongkai_desktop.units import UnitDirectory

    cert = load_certificate_file(args.certificate)
    directory = UnitDirectory.load()
    unit = directory.find(args.unit) if args.unit else unit_for_certificate(cert, directory)
    with open_for_writing(args.workspace) as ws:
        trust_certificate(ws, cert, unit, actor=actor())
    print(f"已信任“{printable(unit.name)}”的证书：{printable(cert.summary())}；"
          f"指纹 {cert.grouped_fingerprint}")
    return 0


def cmd_consolidate(args: argparse.Namespace) -> int:
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.storage.default_names import consolidation_name, in_folder
    from gongkai_desktop.supervisor.consolidation import nothing_to_consolidate
    from gongkai_desktop.units import UnitDirectory

    today = today_of(args)
    directory = UnitDirectory.load()
    with Workspace.open(args.workspace, readonly=True) as ws:
        # Nothing to consolidate: refused as the window refuses it, before any file.
        refusal = nothing_to_consolidate(ws, directory, led_only=args.led, command_line=True)
        if refusal is not None:
            raise refusal
        out = in_folder(args.output, consolidation_name(ws, today))
        suffix = out.suffix.lower()
        if suffix not in (".xlsx", ".pdf"):
            raise InvalidInput(f"汇总表文件名应以 .xlsx（Excel）或 .pdf 结尾：{out.name}")
        if suffix == ".pdf":
            from gongkai_desktop.report.consolidated import consolidation_pdf

            pdf = consolidation_pdf(ws, directory, out, today=today, led_only=args.led)
            sentence = pdf.sentence()  # the window's sentence
        else:
            from gongkai_desktop.xlsx.consolidation import consolidation_workbook

            book = consolidation_workbook(ws, directory, out, today=today, led_only=args.led)
            sentence = book.sentence()  # the window's sentence
    print(sentence)
    return 0


def _is_pdf(path: Path) -> bool:
    if path.suffix.lower() == ".pdf":
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def cmd_verify(args: argparse.Namespace) -> int:
    for path in args.files:
        if not path.is_file():
            raise NotFound(f"找不到文件：{path}")
    for cert in args.cert:
        if not cert.is_file():
            raise NotFound(f"找不到证书文件：{cert}")
    if _is_pdf(args.files[0]):
        if len(args.files) > 1:
            raise InvalidInput("一次只能核验一个PDF文件")
        from gongkai_desktop.cli.report_cmd import verify_report_pdf

        return verify_report_pdf(args.files[0], args.cert)
    if len(args.cert) > 1:
        raise InvalidInput("核验数据包时只能给出一个证书文件（--cert）")
    return _verify_bundle(args.files, args.cert[0] if args.cert else None)


def _verify_bundle(files: list[Path], cert_file: Path | None) -> int:
    from gongkai_desktop.bundle.certs import load_certificate_file
    from gongkai_desktop.bundle.verify import verify_bundle

    check = verify_bundle(files)
    m = check.manifest
    parts = f"，共 {m.part_count} 个部分" if m.part_count > 1 else ""
    print(f"数据包：{printable(m.unit.full_name)}（{printable(m.unit.name)}），"
          f"序号 {m.sequence}{parts}")
    print(f"导出时间：{_when(m.exported_at)}；任务分工：{printable(m.plan_id)}"
          f" 第 {m.plan_version} 版")
    print(f"举措记录 {check.records} 条，佐证材料 {check.evidence} 项，"
          f"佐证文件 {check.blobs} 个（{_mb(check.content_bytes)}），修改记录 {check.audit} 条"
          + ("" if m.evidence_included else "（不含佐证文件内容）"))
    print(f"签名人：{printable(check.cert.summary())}")
    print(f"证书指纹（SHA-256）：{check.cert.grouped_fingerprint}")
    print("内容完整，签名有效")
    if cert_file is not None:
        expected = load_certificate_file(cert_file)
        if expected.fingerprint != check.cert.fingerprint:
            raise SignatureError(f"签名证书与所给证书不一致（所给证书指纹"
                                 f" {expected.grouped_fingerprint}）")
        print("签名证书与所给证书一致")
    else:
        print("提示：未提供证书文件，请与报送单位核对证书指纹")
    return 0
