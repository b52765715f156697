"""Secret tokens for links sent by email (password reset, invitations). The link carries the
token; the database keeps only its SHA-256, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
