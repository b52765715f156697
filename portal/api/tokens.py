"""Creating, checking and revoking write tokens. A token is ``pmt_`` and 32 random bytes; the
portal keeps only its SHA-256 (a token is long and random, so a plain hash is as good as a
slow one, and lets each request be checked with one lookup)."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.admin import services as admin
from portal.api.models import ApiToken, ApiWrite
from portal.core import clock
from portal.extensions import db
from portal.places.models import Territory

PREFIX = "pmt_"
SCOPES = {
    "plan": _l("Send the plan's matrix: objectives, indicators, baselines and targets"),
    "measurements": _l("Record measurements of the plan's indicators"),
    "execution": _l("Report an initiative's stage and the money executed each year"),
}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    name: str, territory: Territory, scopes: list[str], reason: str, by: User
) -> tuple[ApiToken, str]:
    """The new token's row and the token itself, which is never shown again."""
    token = PREFIX + secrets.token_urlsafe(32)
    found = ApiToken(
        name=name,
        territory_id=territory.id,
        scopes=" ".join(s for s in SCOPES if s in scopes),
        token_hash=digest(token),
        hint=token[-4:],
        created_by_id=by.id,
    )
    db.session.add(found)
    admin.log(
        "token.create", found, reason, by, name=name, territory=territory.slug, scopes=found.scopes
    )
    return found, token


def revoke(found: ApiToken, reason: str, by: User) -> None:
    found.revoked_at = clock.now()
    admin.log("token.revoke", found, reason, by)


def holder(token: str) -> ApiToken | None:
    """The live token that ``token`` is, or None (unknown or revoked)."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    found = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if found is None or found.is_revoked:
        return None
    return found


def record(found: ApiToken, action: str, subject: Any, **details: Any) -> ApiWrite:
    """The write's line in the change log, with the token's name; the caller commits."""
    found.last_used_at = clock.now()
    db.session.flush()
    write = ApiWrite(
        token_id=found.id,
        token_name=found.name,
        action=action,
        subject=subject.__tablename__,
        subject_id=subject.id,
        details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str),
    )
    db.session.add(write)
    return write
