"""Two-factor sign-in with a time-based code (TOTP, RFC 6238, by pyotp) from an app on the
person's phone, and single-use recovery codes for a lost phone.

Required of platform admins and regional coordinators; offered to everyone (the chairs and
secretaries first). The QR code that carries the secret to the app is drawn on the server
(segno), as an inline SVG: no script, no request to anyone else.
"""

from __future__ import annotations

import secrets

import pyotp
import segno
import sqlalchemy as sa

from portal.accounts import coordination
from portal.accounts.models import RecoveryCode, User
from portal.core import clock
from portal.core.tokens import token_hash
from portal.extensions import db

ISSUER = "Portal de las mesas"
RECOVERY_CODES = 10
# A code is accepted in the 30 seconds before and after its own, for a phone's clock that runs
# a little early or late.
WINDOW = 1
# Recovery codes: 10 letters and digits that are not confused when copied from paper.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def required(user: User) -> bool:
    """Whose account must use two factors before it acts: the platform admins and the
    regional coordinators."""
    return user.is_admin or bool(coordination.regions_of(user))


def new_secret() -> str:
    return pyotp.random_base32()


def qr_svg(user: User, secret: str) -> str:
    """The QR code an authenticator app reads, as an inline SVG."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, omitsize=True)


def _normalized(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _step_of(secret: str, code: str) -> int | None:
    """The time step the six-digit code belongs to, within the window, or None."""
    code = _normalized(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now()
    step = totp.timecode(now)
    for candidate in range(step - WINDOW, step + WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turns two factors on when ``code`` comes from ``secret``; returns the recovery codes to
    show once (only their hashes are kept), or None when the code is wrong."""
    step = _step_of(secret, code)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_enabled_at = clock.now()
    user.totp_last_step = step
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Replaces the account's recovery codes; returns the new ones, to be shown once."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=token_hash(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def check(user: User, code: str) -> bool:
    """Whether ``code`` is the app's current code (not used before) or an unused recovery
    code, which is then spent."""
    if user.totp_secret is None:
        return False
    step = _step_of(user.totp_secret, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False  # a code seen before: copied over a shoulder, or replayed
        user.totp_last_step = step
        return True
    recovery = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == token_hash(_normalized(code)),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = clock.now()
    return True


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
