"""The signed one-file formats (.gkreview, .gktask): a first line of JSON naming the format
with the signature and the signer's certificate, then the body the signature covers.

One writer and one reader so both formats check the same things in the same order: the
header's shape, then the signature over the body, and only then is the body parsed."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from gongkai_desktop.bundle.certs import CertificateInfo, certificate_info
from gongkai_desktop.errors import GongkaiError, SignatureError, UnsafeInput
from gongkai_desktop.safe_json import loads_limited
from gongkai_desktop.signing.identity import SigningIdentity, verify_bytes

T = TypeVar("T")

# The forms of what the files name: a random id (a task, a verdict) and a plan's ids
# (measures, areas), which never hold anything but letters, digits, dots and dashes.
HEX32 = re.compile(r"[0-9a-f]{32}")
PLAN_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")


class Bad(ValueError):
    """Anything off in a file's structure; the reader turns it into the format's message."""


def text(raw: Any, limit: int, *, empty: bool = False) -> str:
    """A string of at most ``limit`` characters, without control characters (but newline
    and tab); blank only where ``empty``."""
    if not isinstance(raw, str) or len(raw) > limit or (not empty and not raw.strip()):
        raise Bad("text")
    if any(ord(c) < 32 and c not in "\n\t" for c in raw):
        raise Bad("control")
    return raw


def signed_bytes(format_name: str, identity: SigningIdentity, certificate: bytes,
                 body: bytes) -> bytes:
    header = json.dumps({
        "format": format_name,
        "signature": base64.b64encode(identity.sign_bytes(body)).decode(),
        "certificate": base64.b64encode(certificate).decode(),
    }).encode("ascii")
    return b"".join((header, b"\n", body))


def open_signed(raw: bytes, *, format_name: str, max_header: int, broken: str,
                bad_signature: str, parse: Callable[[str, CertificateInfo], T]) -> T:
    """``parse(body, certificate)`` of a file whose signature verifies with its own
    certificate (whether that certificate is trusted is the caller's decision). Every
    structural fault becomes ``UnsafeInput(broken)``; a wrong signature ``bad_signature``."""
    try:
        head, newline, body = raw.partition(b"\n")
        if not newline or len(head) > max_header:
            raise Bad("layout")
        outer = loads_limited(head.decode("ascii"), max_depth=1, message=broken)
        if not isinstance(outer, dict) or set(outer) != {"format", "signature", "certificate"} \
                or outer["format"] != format_name:
            raise Bad("outer")
        signature = base64.b64decode(str(outer["signature"]), validate=True)
        certificate = base64.b64decode(str(outer["certificate"]), validate=True)
        if not signature:
            raise Bad("parts")
        cert = certificate_info(certificate)
        if not verify_bytes(certificate, body, signature):  # before the body is parsed
            raise SignatureError(bad_signature)
        return parse(body.decode("utf-8"), cert)
    except GongkaiError:
        raise
    except (ValueError, TypeError, KeyError, RecursionError, binascii.Error,
            UnicodeError) as exc:
        raise UnsafeInput(broken) from exc
