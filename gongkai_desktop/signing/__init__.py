"""Signing identities, PAdES signing of the report PDF, and verification; offline, no Qt."""

from __future__ import annotations

from gongkai_desktop.signing.identity import SigningIdentity, group_fingerprint, verify_bytes
from gongkai_desktop.signing.pdf_sign import sign_pdf
from gongkai_desktop.signing.store import has_identity, load_identity, save_identity
from gongkai_desktop.signing.verify import PdfVerification, verify_pdf

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
