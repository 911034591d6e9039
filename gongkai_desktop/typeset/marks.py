"""Machine-readable marks a report PDF carries for the signer and the verifier."""

from __future__ import annotations

CONTENT_KEYWORD = "gongkai-content-sha256="  # PDF Keywords: the fingerprint, machine-readable
