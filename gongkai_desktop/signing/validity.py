"""Is a certificate valid at a given moment? One rule for signing, importing and verifying.

A certificate outside its validity period (notBefore … notAfter) must not sign,
must not be imported for signing, and a signature whose signing time lies outside
the period does not verify. Messages name the dates the way people here write them.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509

from gongkai_desktop.errors import SignatureError

WARN_DAYS = 30  # the window warns (and offers renewal) this many days before expiry
BEIJING = dt.timezone(dt.timedelta(hours=8))


def date_text(when: dt.datetime) -> str:
    """2026年1月1日 (the date in Beijing, where the reports are read)."""
    day = when.astimezone(BEIJING).date()
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(cert: x509.Certificate) -> str:
    return f"{date_text(cert.not_valid_before_utc)}至{date_text(cert.not_valid_after_utc)}"


def period_problem(not_before: dt.datetime, not_after: dt.datetime, at: dt.datetime
                   ) -> str | None:
    """Why a validity period ``not_before … not_after`` excludes ``at`` (Chinese), or None."""
    when = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    period = f"有效期{date_text(not_before)}至{date_text(not_after)}"
    if when > not_after:
        return f"证书已于{date_text(not_after)}过期（{period}）"
    if when < not_before:
        return f"证书自{date_text(not_before)}起才生效（{period}）"
    return None


def validity_problem(cert: x509.Certificate, at: dt.datetime) -> str | None:
    """Why ``cert`` is not valid at ``at`` (Chinese), or None when it is."""
    return period_problem(cert.not_valid_before_utc, cert.not_valid_after_utc, at)


def check_valid_at(cert: x509.Certificate, at: dt.datetime) -> None:
    """Raise ``SignatureError`` (Chinese, naming the dates) unless ``cert`` is valid at ``at``."""
    problem = validity_problem(cert, at)
    if problem is not None:
        raise SignatureError(problem)


def days_left(cert: x509.Certificate, now: dt.datetime) -> int:
    """Whole days until the certificate expires (negative once it has)."""
    when = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    return (cert.not_valid_after_utc - when).days


def expiry_warning(cert: x509.Certificate, now: dt.datetime) -> str | None:
    """A line for people when the certificate expires within ``WARN_DAYS`` (or is unusable)."""
    problem = validity_problem(cert, now)
    if problem is not None:
        return f"{problem}，不能用于签名，请续期（重新生成）证书"
    left = days_left(cert, now)
    if left > WARN_DAYS:
        return None
    return (f"证书将于{date_text(cert.not_valid_after_utc)}过期（还剩{max(left, 0)}天），"
            "请及时续期（重新生成）证书")


def check_can_sign(cert: x509.Certificate, now: dt.datetime | None = None) -> None:
    """Refuse to sign with a certificate that is not valid now (SignatureError, Chinese)."""
    problem = validity_problem(cert, now or dt.datetime.now(dt.UTC))
    if problem is not None:
        raise SignatureError(f"{problem}，不能用于签名。请续期（重新生成）或导入新的证书")
