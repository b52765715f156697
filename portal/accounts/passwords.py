"""Password hashing (Argon2id, memory-hard) and the strength rule."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from functools import cache
from importlib.resources import files

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


@cache
def guessed_words() -> tuple[str, ...]:
    """The words guessed first here (``guessed_passwords.txt``), in lower case without accents."""
    text = files("portal.accounts").joinpath("guessed_passwords.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def _bare(text: str) -> str:
    """Lower case, without accents: «Contraseña» and «contrasena» are the same guess."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _only_guessed_words(letters: str) -> bool:
    """Whether the letters are nothing but guessed words one after another («mesaportal»)."""
    words = set(guessed_words())
    longest = max(map(len, words))
    ends = [True] + [False] * len(letters)  # ends[i]: letters[:i] is made of guessed words
    for i in range(1, len(letters) + 1):
        ends[i] = any(ends[j] and letters[j:i] in words for j in range(max(0, i - longest), i))
    return ends[-1]


def is_strong(password: str, user_inputs: list[str]) -> bool:
    """Long enough and hard to guess: not one of the words guessed first here with numbers or
    signs around it, and not guessable by zxcvbn even for someone who knows the portal's words
    and the person's name and email."""
    if len(password) < MIN_LENGTH:
        return False
    bare = _bare(password)
    letters = re.sub(r"[^a-z]", "", bare)
    if _only_guessed_words(letters):
        return False
    words = [
        w for text in user_inputs for w in _bare(text).replace("@", " ").replace(".", " ").split()
    ]
    result = zxcvbn(bare[:100], user_inputs=[*words, *guessed_words()])
    return result["score"] >= MIN_SCORE
