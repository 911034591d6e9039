"""Receipts as an attacker builds them: fresh keys with the office's names, dated
certificates, receipts changed and signed again."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from gongkai_desktop.bundle.manifest import canonical_json, sha256_hex
from gongkai_desktop.signing.identity import SigningIdentity
from tests.bundle_fixtures import PASSPHRASE, SUPERVISOR


def fresh_key(unit_full_name: str = SUPERVISOR.full_name, signer: str = "王五") -> SigningIdentity:
    """A key nobody pinned, with the very same names as the office's real one."""
    return SigningIdentity.generate(unit_full_name, signer, PASSPHRASE)


def dated_key(not_before: dt.datetime, not_after: dt.datetime) -> SigningIdentity:
    """The office's names on a certificate valid only between the two moments."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, SUPERVISOR.full_name),
                      x509.NameAttribute(NameOID.COMMON_NAME, "王五")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .sign(key, hashes.SHA256()))
    return SigningIdentity(key, cert)


def resign(path: Path, key: SigningIdentity, change: Callable[[dict[str, Any]], None],
           out: Path) -> Path:
    """Change a receipt's body and sign it again with ``key``: a well-formed, validly
    signed receipt with whatever the holder of ``key`` wants it to say."""
    outer = json.loads(path.read_text(encoding="utf-8"))
    body = json.loads(outer["body"])
    change(body)
    certificate = key.certificate_der()
    body["certificate_sha256"] = sha256_hex(certificate)
    text = canonical_json(body)
    out.write_text(json.dumps({
        "format": outer["format"], "body": text,
        "signature": base64.b64encode(key.sign_bytes(text.encode("utf-8"))).decode(),
        "certificate": base64.b64encode(certificate).decode(),
    }), encoding="utf-8")
    return out
