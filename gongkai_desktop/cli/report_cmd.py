"""`report` (the signed self-inspection PDF) and `signing` (the unit's signing certificate).

Passphrases never appear on the command line (shell history, process list):
they come from ``GONGKAI_KEY_PASSPHRASE`` / ``GONGKAI_P12_PASSWORD`` or are
typed at a hidden prompt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from gongkai_desktop.cli.common import open_for_writing, output_file
from gongkai_desktop.errors import InvalidInput, NotFound, SignatureError
from gongkai_desktop.storage import Workspace
from gongkai_desktop.text_safety import printable

PASSPHRASE_ENV = "GONGKAI_KEY_PASSPHRASE"
P12_PASSWORD_ENV = "GONGKAI_P12_PASSWORD"


def register(sub: Any) -> None:
    report = sub.add_parser("report", help="生成自查报告PDF（默认用本单位的签名证书签名）")
    report.add_argument("workspace", type=Path, help="工作区文件")
    report.add_argument("-o", "--output", type=Path, required=True,
                        help="输出的 .pdf 文件，或文件夹（用窗口建议的文件名）")
    report.add_argument("--no-sign", action="store_true", help="不签名（例如只打印纸质版时）")
    report.add_argument("--signer", help="签章上的签署人（默认为工作区的负责人）")
    report.add_argument("--offices-annex", action="store_true",
                        help="附上“下级单位完成情况”（各下级单位 × 分配的举措）")
    report.set_defaults(func=cmd_report)

    signing = sub.add_parser("signing", help="本单位的签名证书：生成、导入、导出、查看")
    signing_sub = signing.add_subparsers(dest="signing_command", metavar="操作", required=True)

    init = signing_sub.add_parser("init", help=f"生成本单位的签名证书（密码取自 {PASSPHRASE_ENV}"
                                               " 或在提示时输入两次）")
    init.add_argument("workspace", type=Path, help="工作区文件")
    init.add_argument("--signer", required=True, help="签署人姓名（一般为政务公开工作负责人）")
    init.add_argument("--replace", action="store_true", help="替换已有的签名证书")
    init.set_defaults(func=cmd_signing_init)

    imp = signing_sub.add_parser("import-p12", help="导入CA颁发的数字证书（.p12/.pfx）")
    imp.add_argument("workspace", type=Path, help="工作区文件")
    imp.add_argument("file", type=Path, help="证书文件（.p12/.pfx）")
    imp.add_argument("--replace", action="store_true", help="替换已有的签名证书")
    imp.set_defaults(func=cmd_signing_import)

    export = signing_sub.add_parser("export-cert", help="导出证书（.cer），交给接收单位核验签名")
    export.add_argument("workspace", type=Path, help="工作区文件")
    export.add_argument("-o", "--output", type=Path, required=True,
                        help="输出的 .cer 文件，或文件夹（用窗口建议的文件名）")
    export.set_defaults(func=cmd_signing_export)

    show = signing_sub.add_parser("show", help="查看签名证书的主体和指纹")
    show.add_argument("workspace", type=Path, help="工作区文件")
    show.set_defaults(func=cmd_signing_show)


# ---- passphrases -------------------------------------------------------------------------


def _prompt(text: str) -> str:
    try:
        return getpass.getpass(text)
    except EOFError:
        raise InvalidInput("没有输入密码") from None


def key_passphrase(*, confirm: bool = False) -> str:
    """The signing passphrase: from the environment, or typed (twice for a new one, checked
    by the rules the window applies while it is typed)."""
    from gongkai_desktop.signing.rules import check_new_passphrase

    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return check_new_passphrase(given) if confirm else given
    first = _prompt("签名密码：")
    if not confirm:
        return first
    check_new_passphrase(first)  # too short: said before it is typed again
    return check_new_passphrase(first, _prompt("再次输入签名密码："))


def p12_password() -> str:
    given = os.environ.get(P12_PASSWORD_ENV)
    return given if given is not None else _prompt("证书文件密码：")


# ---- report ------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from gongkai_desktop.report.build import NO_IDENTITY, build_report
    from gongkai_desktop.signing.identity import group_fingerprint
    from gongkai_desktop.storage.default_names import in_folder, report_name
    from gongkai_desktop.units import UnitDirectory

    with Workspace.open(args.workspace, readonly=True) as ws:
        out = output_file(in_folder(args.output, report_name(ws, dt.date.today())), ".pdf")
        passphrase = None
        if not args.no_sign:
            from gongkai_desktop.signing.store import has_identity

            if not has_identity(ws):  # said before asking for a passphrase
                raise SignatureError(NO_IDENTITY.replace("或选择生成", "或加 --no-sign 生成"))
            passphrase = key_passphrase()
        result = build_report(ws, UnitDirectory.load(), out, sign=not args.no_sign,
                              passphrase=passphrase, signer_name=args.signer,
                              offices_annex=True if args.offices_annex else None)
    state = f"已签名（签署人：{result.signer}）" if result.signed else "未签名"
    print(f"已生成自查报告：{result.path}")
    print(f"页数：{result.pages}；{state}")
    # Grouped as verify, signing show and the window print them: read out over the phone.
    print(f"报告内容指纹（SHA-256）：{group_fingerprint(result.fingerprint)}")
    if result.signed:
        print(f"证书指纹（SHA-256）：{group_fingerprint(result.cert_fingerprint)}")
    if result.missing_chars:
        chars = "".join(sorted(result.missing_chars))
        print(f"注意：以下字符没有可用字体，印为〓：{chars}", file=sys.stderr)
    for name in result.images_not_shown:
        print(f"注意：佐证图片“{printable(name)}”无法读取或过大，报告中未能显示", file=sys.stderr)
    return 0


# ---- verify FILE.pdf ------------------------------------------------------------------------


def verify_report_pdf(path: Path, cert_files: list[Path]) -> int:
    """`verify FILE.pdf [--cert A.cer]...`: the lines the window's 验证报告 shows; exit 0 only
    when the file is intact (and, with certificates, every signature is by one of them)."""
    from gongkai_desktop.report.verify_text import check_report_file

    check = check_report_file(path, cert_files)
    for line in check.lines:
        print(printable(line))
    return 0 if check.passed else 1


# ---- signing -----------------------------------------------------------------------------


def _refuse_replacing(ws: Workspace, replace: bool) -> None:
    from gongkai_desktop.signing.store import has_identity

    if has_identity(ws) and not replace:
        raise InvalidInput("本工作区已有签名证书，未做更改。确需更换时请加 --replace"
                           "（更换后需把新证书交给接收单位）")


def cmd_signing_init(args: argparse.Namespace) -> int:
    from gongkai_desktop.signing import SigningIdentity, save_identity

    signer = str(args.signer).strip()
    if not signer:
        raise InvalidInput("请填写签署人姓名")
    with open_for_writing(args.workspace) as ws:
        _refuse_replacing(ws, args.replace)
        identity = SigningIdentity.generate(ws.profile.full_name or ws.unit.full_name, signer,
                                            key_passphrase(confirm=True))
        save_identity(ws, identity)
    print(f"已生成签名证书：{identity.subject_summary()}")
    print(f"证书指纹（SHA-256）：{identity.display_fingerprint()}")
    print("请用 signing export-cert 导出证书交给接收单位；签名密码请妥善保管，遗失后无法找回。")
    return 0


def cmd_signing_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.signing import save_identity
    from gongkai_desktop.signing.rules import passphrase_problem
    from gongkai_desktop.signing.store import load_pkcs12_file

    file: Path = args.file
    if not file.is_file():
        raise NotFound(f"找不到证书文件：{file}")
    with open_for_writing(args.workspace) as ws:
        _refuse_replacing(ws, args.replace)
        identity = load_pkcs12_file(file, p12_password())
        # The key is kept under the signing passphrase; the .p12 password serves when it can.
        passphrase = os.environ.get(PASSPHRASE_ENV) or (
            identity.passphrase if passphrase_problem(identity.passphrase) is None
            else key_passphrase(confirm=True))
        save_identity(ws, identity, passphrase)
    print(f"已导入签名证书：{printable(identity.subject_summary())}")
    print(f"证书指纹（SHA-256）：{identity.display_fingerprint()}")
    return 0


def _stored_certificate(ws: Workspace) -> Any:
    from cryptography import x509

    from gongkai_desktop.signing.rules import no_identity
    from gongkai_desktop.signing.store import stored_certificate_pem

    pem = stored_certificate_pem(ws)
    if pem is None:
        raise no_identity(command_line=True)
    try:
        return x509.load_pem_x509_certificate(pem.encode("ascii"))
    except ValueError as exc:
        raise SignatureError("保存的签名证书已损坏，请重新生成或导入证书") from exc


def cmd_signing_export(args: argparse.Namespace) -> int:
    from gongkai_desktop.signing.identity import write_certificate_file
    from gongkai_desktop.storage.default_names import certificate_name, in_folder

    with Workspace.open(args.workspace, readonly=True) as ws:
        out = output_file(in_folder(args.output, certificate_name(ws)))
        cert = _stored_certificate(ws)
    write_certificate_file(cert, out)
    print(f"已导出证书：{out}")
    return 0


def cmd_signing_show(args: argparse.Namespace) -> int:
    with Workspace.open(args.workspace, readonly=True) as ws:
        cert = _stored_certificate(ws)
    from gongkai_desktop.report.verify_text import certificate_lines
    from gongkai_desktop.signing.validity import expiry_warning

    for line in certificate_lines(cert):
        print(printable(line))
    warning = expiry_warning(cert, dt.datetime.now(dt.UTC))
    if warning:
        print(f"注意：{warning}（signing init --replace 生成新证书）")
    return 0
