"""Static files as the wire carries them. When the app starts, the static folder is copied
into the instance folder and each file compressed ahead of time (gzip and Brotli, by
WhiteNoise's compressor), once per content: the copy's folder is named by a digest of the
files, so a new version builds a new one and several processes starting together build it
once (each in a temporary folder, the first rename wins). WhiteNoise then serves them, before
Flask, with the encoding the client accepts and far-future caching: their addresses carry a
fingerprint (``templating.asset_url``), so a changed file is a new address."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

YEAR = 365 * 24 * 3600


def _digest(folder: Path) -> str:
    found = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return found.hexdigest()[:16]


def build(static: Path, into: Path) -> Path:
    """The folder of the static files with their compressed copies, built if missing."""
    target = into / _digest(static)
    if target.is_dir():
        return target
    into.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=into, prefix=".building-"))
    try:
        shutil.copytree(static, scratch, dirs_exist_ok=True)
        compressor = Compressor(quiet=True)
        for path in sorted(p for p in scratch.rglob("*") if p.is_file()):
            if compressor.should_compress(str(path)):
                list(compressor.compress(str(path)))
        try:
            os.rename(scratch, target)
        except OSError:  # another process built it first
            shutil.rmtree(scratch, ignore_errors=True)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return target


def _headers(headers, path: str, url: str) -> None:  # type: ignore[no-untyped-def]
    headers["X-Content-Type-Options"] = "nosniff"


def install(app: Flask) -> None:
    if not app.static_folder:
        return
    built = build(Path(app.static_folder), Path(app.instance_path) / "static")
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=str(built),
        prefix=(app.static_url_path or "/static").strip("/") + "/",
        max_age=YEAR,
        allow_all_origins=False,
        add_headers_function=_headers,
    )
