"""Password hashing (Argon2id, memory-hard) and the strength rule."""

from __future__ import annotations

import contextlib

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 200
# zxcvbn scores 0-4; 3 means "safely unguessable: moderate protection from offline attacks".
MIN_SCORE = 3

# A well-formed hash of a random password, checked when no account matches, so that a wrong
# email takes as long as a wrong password.
_DUMMY: dict[str, str] = {}


def _hasher() -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, current_app.config["ARGON2_PROFILE"]))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    if stored_hash is None:
        profile = current_app.config["ARGON2_PROFILE"]
        if profile not in _DUMMY:
            _DUMMY[profile] = hasher.hash("not-a-real-password-0f3c9a")
        stored_hash = _DUMMY[profile]
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(stored_hash, password)
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


def is_strong(password: str, user_inputs: list[str]) -> bool:
    """Long enough and hard to guess, also for someone who knows the person's name and email."""
    if len(password) < MIN_LENGTH:
        return False
    words = [w for text in user_inputs for w in text.replace("@", " ").replace(".", " ").split()]
    return zxcvbn(password[:100], user_inputs=words)["score"] >= MIN_SCORE
