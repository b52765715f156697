"""Settings read from the environment (PORTAL_*), with defaults that run with no setup.

Every variable is listed, with its meaning, in the README's configuration table; a test keeps
the two in step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from portal.core.clock import TIME_ZONE


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError as exc:
        raise RuntimeError(f"Expected a whole number, got {value!r}") from exc


# Where `portal demo` serves the portal, and so where its mail links lead.
DEMO_BASE_URL = "http://127.0.0.1:5000"

# name -> (description for the README, default shown in the README)
ENVIRONMENT: dict[str, tuple[str, str]] = {
    "PORTAL_DATABASE_URL": (
        "SQLAlchemy URL of the database, e.g. `postgresql+psycopg://portal@db/portal`.",
        "SQLite file `instance/portal.sqlite3`",
    ),
    "PORTAL_SECRET_KEY": (
        "Key that signs session cookies and tokens. Same value on every app server.",
        "generated once and kept in `instance/secret_key`",
    ),
    "PORTAL_INSTANCE_PATH": (
        "Folder for the SQLite file, the generated key, compiled translations and saved mail.",
        "`instance/` beside the code",
    ),
    "PORTAL_BASE_URL": (
        "Public address of the portal, e.g. `https://mesas.example.cl`: the only source of the"
        " links in mail, feeds and calendars (never the request's Host header). `portal serve`"
        " refuses to start without it.",
        "`http://127.0.0.1:5000`, the address of `portal demo`",
    ),
    "PORTAL_TRUSTED_HOSTS": (
        "Comma-separated host names the portal answers to (others get 400).",
        "any",
    ),
    "PORTAL_PROXY_COUNT": (
        "How many reverse proxies stand in front (for the client address and scheme).",
        "`0`",
    ),
    "PORTAL_SECURE_COOKIES": (
        "Send cookies only over HTTPS. Turn off only for a local demo over plain HTTP.",
        "`true`",
    ),
    "PORTAL_MAIL_SERVER": (
        "SMTP host. When empty, mail is written to `instance/mail/` and logged.",
        "empty",
    ),
    "PORTAL_MAIL_PORT": ("SMTP port.", "`587`"),
    "PORTAL_MAIL_USERNAME": ("SMTP user name.", "empty"),
    "PORTAL_MAIL_PASSWORD": ("SMTP password.", "empty"),
    "PORTAL_MAIL_SECURITY": ("`starttls`, `ssl` or `none`.", "`starttls`"),
    "PORTAL_MAIL_FROM": ("Sender address of the portal's mail.", "`no-responder@localhost`"),
    "PORTAL_SMS_PROVIDER": (
        "Name of a text-message provider registered in `portal/notifications/sms.py`: members"
        " on record with a phone and no account then get a short text of each session. None is"
        " registered yet.",
        "empty (no text messages)",
    ),
    "PORTAL_RATELIMIT_STORAGE_URI": (
        "Where rate-limit counters live. With `memory://`, `portal serve` runs one process (its"
        " workers become threads) so that every request counts against the same limits; use"
        " `redis://…` for several processes or app servers.",
        "`memory://`",
    ),
    "PORTAL_PASSWORD_RESET_MINUTES": ("How long a password reset link works.", "`60`"),
    "PORTAL_IDLE_MINUTES": (
        "Minutes without a request after which a sign-in ends (unless the person chose to stay"
        " signed in on that device).",
        "`30`",
    ),
    "PORTAL_REMEMBER_DAYS": (
        "Days a device stays signed in when the person asks for it; at most 30.",
        "`30`",
    ),
    "PORTAL_UPLOAD_MAX_MB": (
        "Largest file, in megabytes, that can be attached to a session.",
        "`10`",
    ),
    "PORTAL_UPLOAD_DIR": (
        "Folder where the files attached to sessions are kept (never served as static files).",
        "`instance/uploads/`",
    ),
    "PORTAL_LOG_LEVEL": ("`DEBUG`, `INFO`, `WARNING` or `ERROR`.", "`INFO`"),
    "PORTAL_PAGE_CACHE_MB": (
        "Megabytes of rendered public pages each process keeps in memory (never stale: see"
        " `portal/pagecache`); `0` keeps none.",
        "`64`",
    ),
}


def instance_path() -> Path:
    configured = os.environ.get("PORTAL_INSTANCE_PATH")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parent.parent / "instance"


def _secret_key(instance: Path) -> str:
    """The configured key, or one generated once and kept under the instance folder."""
    configured = os.environ.get("PORTAL_SECRET_KEY")
    if configured:
        return configured
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load(instance: Path) -> dict[str, Any]:
    """Settings for the app, from the environment."""
    env = os.environ.get
    secure = _bool(env("PORTAL_SECURE_COOKIES"), True)
    database_url = env("PORTAL_DATABASE_URL") or f"sqlite:///{instance / 'portal.sqlite3'}"
    hosts = [h.strip() for h in (env("PORTAL_TRUSTED_HOSTS") or "").split(",") if h.strip()]
    upload_mb = _int(env("PORTAL_UPLOAD_MAX_MB"), 10)
    if upload_mb < 1:
        raise RuntimeError(f"PORTAL_UPLOAD_MAX_MB must be at least 1, got {upload_mb}")
    upload_max = upload_mb * 1024 * 1024
    remember_days = _int(env("PORTAL_REMEMBER_DAYS"), 30)
    if not 1 <= remember_days <= 30:
        raise RuntimeError(f"PORTAL_REMEMBER_DAYS must be from 1 to 30, got {remember_days}")
    idle_minutes = _int(env("PORTAL_IDLE_MINUTES"), 30)
    if idle_minutes < 1:
        raise RuntimeError(f"PORTAL_IDLE_MINUTES must be at least 1, got {idle_minutes}")
    page_cache_mb = _int(env("PORTAL_PAGE_CACHE_MB"), 64)
    if page_cache_mb < 0:
        raise RuntimeError(f"PORTAL_PAGE_CACHE_MB must be 0 or more, got {page_cache_mb}")
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": (env("PORTAL_BASE_URL") or DEMO_BASE_URL).rstrip("/"),
        "TRUSTED_HOSTS": hosts or None,
        "PROXY_COUNT": _int(env("PORTAL_PROXY_COUNT"), 0),
        # Cookies: HttpOnly and SameSite always, Secure unless explicitly turned off.
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_NAME": "remember_token",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        # Static files carry a content fingerprint in their URL (asset_url): cache for a year.
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
        # Forms and request size.
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,  # a form left open through a long session still posts
        # A request a little larger than the file limit still reaches the form, so a file that
        # is too large gets a message next to the field; far larger ones get the 413 page.
        "MAX_CONTENT_LENGTH": upload_max + 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
        # Files attached to sessions.
        "UPLOAD_MAX_BYTES": upload_max,
        "UPLOAD_DIR": str(Path(env("PORTAL_UPLOAD_DIR") or instance / "uploads").resolve()),
        # Mail.
        "MAIL_SERVER": env("PORTAL_MAIL_SERVER") or "",
        "MAIL_PORT": _int(env("PORTAL_MAIL_PORT"), 587),
        "MAIL_USERNAME": env("PORTAL_MAIL_USERNAME") or "",
        "MAIL_PASSWORD": env("PORTAL_MAIL_PASSWORD") or "",
        "MAIL_SECURITY": (env("PORTAL_MAIL_SECURITY") or "starttls").lower(),
        "MAIL_FROM": env("PORTAL_MAIL_FROM") or "no-responder@localhost",
        "MAIL_DIR": str(instance / "mail"),
        "SMS_PROVIDER": env("PORTAL_SMS_PROVIDER") or "",
        # Rate limits.
        "RATELIMIT_STORAGE_URI": env("PORTAL_RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        # Accounts.
        "PASSWORD_RESET_MINUTES": _int(env("PORTAL_PASSWORD_RESET_MINUTES"), 60),
        "IDLE_MINUTES": idle_minutes,
        "REMEMBER_DAYS": remember_days,
        "ARGON2_PROFILE": "RFC_9106_LOW_MEMORY",
        # Locale.
        "BABEL_DEFAULT_LOCALE": "es_CL",
        "BABEL_DEFAULT_TIMEZONE": TIME_ZONE,
        "LANGUAGES": {"es": "Español", "en": "English"},
        "LOG_LEVEL": (env("PORTAL_LOG_LEVEL") or "INFO").upper(),
        # Public pages kept rendered (portal.pagecache).
        "PAGE_CACHE": page_cache_mb > 0,
        "PAGE_CACHE_BYTES": page_cache_mb * 1024 * 1024,
        # Compression for thin mobile data.
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_MIN_SIZE": 500,
    }
