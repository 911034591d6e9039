"""Signing identities, PAdES signing of the report PDF, and verification; offline, no Qt.

The names below load on first use (PEP 562): keys and certificates need only
``cryptography``, while PDF signing pulls in pyHanko (half a second), which the
window must not pay for when it merely shows a receipt.
"""

from __future__ import annotations

import importlib
import logging
import warnings
from typing import TYPE_CHECKING, Any

# pyHanko reports odd files and failed checks through `logging`, in English and with
# tracebacks. With no handler configured (the command line), Python would print them
# on stderr next to our one Chinese line; the window's log file still receives them
# through the root logger.
for _library in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_library).addHandler(logging.NullHandler())

# cryptography 51 deprecates DSA, and pyHanko still names the DSA key class when it is
# imported. Python would print that English warning on stderr at every signing
# command; nothing here makes or accepts DSA keys (identity.py takes RSA or ECDSA only),
# so the warning says nothing to our users. Narrow: this message, from pyHanko only.
warnings.filterwarnings("ignore", message="DSA is deprecated", category=UserWarning,
                        module=r"pyhanko\.")

if TYPE_CHECKING:
    from gongkai_desktop.signing.identity import SigningIdentity, group_fingerprint, verify_bytes
    from gongkai_desktop.signing.pdf_sign import sign_pdf
    from gongkai_desktop.signing.store import has_identity, load_identity, save_identity
    from gongkai_desktop.signing.verify import PdfVerification, verify_pdf

_HOME = {
    "SigningIdentity": "identity",
    "group_fingerprint": "identity",
    "verify_bytes": "identity",
    "sign_pdf": "pdf_sign",
    "has_identity": "store",
    "load_identity": "store",
    "save_identity": "store",
    "PdfVerification": "verify",
    "verify_pdf": "verify",
}

__all__ = [
    "PdfVerification",
    "SigningIdentity",
    "group_fingerprint",
    "has_identity",
    "load_identity",
    "save_identity",
    "sign_pdf",
    "verify_bytes",
    "verify_pdf",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value
