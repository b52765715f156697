"""Files attached to a session: what may be uploaded, how it is checked and where it is kept.

No request object in here. A file is accepted only when its content is one of the allowed
types (read from the bytes, never from what the browser says) and its name ends with an
extension of that same type; an executable renamed ``.pdf`` is refused. Files are kept under
``UPLOAD_DIR`` (``<instance>/uploads`` by default, never under ``static/``) with a random name,
and served only through the permission check, with the type found here.

Storing is the one action here that commits: the file and its row must exist together, so the
file is written first under a temporary name, moved into place, the row is committed, and the
file is removed again if the commit fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
import sqlalchemy as sa
from flask import Response, abort, current_app, send_file
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.accounts.models import User
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.meetings.models import Attachment, Meeting
from portal.mesas.services import Refused

__all__ = [
    "KINDS",
    "Refused",
    "attachments_of",
    "discard",
    "human_size",
    "kind_of",
    "path_of",
    "receive",
    "send_stored",
    "store",
]

FILENAME_MAX = 200
TITLE_MAX = 200
CHUNK = 64 * 1024
# The few bytes the content check reads (the zip formats are opened whole instead).
HEADER_BYTES = 8192
# Members of an office file that are read to tell its type; real ones are tiny.
MARKER_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class Kind:
    """One allowed type of file."""

    key: str
    mime: str
    extensions: tuple[str, ...]
    # How the type is named in a sentence ("The file says it is PDF…"): a proper name.
    name: str
    # How the type is shown in a list of files, in words.
    label: LazyString
    # Shown in the browser (images); everything else is downloaded.
    inline: bool = False


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."

KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("pdf", "application/pdf", ("pdf",), "PDF", _l("PDF document")),
        Kind("jpeg", "image/jpeg", ("jpg", "jpeg"), "JPEG", _l("JPEG image"), inline=True),
        Kind("png", "image/png", ("png",), "PNG", _l("PNG image"), inline=True),
        Kind("webp", "image/webp", ("webp",), "WebP", _l("WebP image"), inline=True),
        Kind(
            "docx",
            _OOXML + "wordprocessingml.document",
            ("docx",),
            "Word (.docx)",
            _l("Word document"),
        ),
        Kind(
            "xlsx",
            _OOXML + "spreadsheetml.sheet",
            ("xlsx",),
            "Excel (.xlsx)",
            _l("Excel spreadsheet"),
        ),
        Kind(
            "pptx",
            _OOXML + "presentationml.presentation",
            ("pptx",),
            "PowerPoint (.pptx)",
            _l("PowerPoint presentation"),
        ),
        Kind("odt", _ODF + "text", ("odt",), "OpenDocument (.odt)", _l("OpenDocument text")),
        Kind(
            "ods",
            _ODF + "spreadsheet",
            ("ods",),
            "OpenDocument (.ods)",
            _l("OpenDocument spreadsheet"),
        ),
    )
}
BY_EXTENSION = {ext: kind for kind in KINDS.values() for ext in kind.extensions}
BY_MIME = {kind.mime: kind for kind in KINDS.values()}
# Types told from their first bytes; the office formats are zip files and are opened.
_FROM_HEADER = {
    "application/pdf": "pdf",
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
}
# The main part an Office Open XML package names in [Content_Types].xml. Macro-enabled
# documents and templates name other parts, so they are not taken for these.
_OOXML_MAIN = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
ALLOWED_IN_WORDS = "PDF, JPEG, PNG, WebP, DOCX, XLSX, PPTX, ODT, ODS"

# Messages without details; the others are written where they are raised, with their details.
NO_FILE = _l("Choose a file to upload.")
CANCELLED = _l("This session was cancelled; nothing more can be recorded in it.")


# Reading ---------------------------------------------------------------------------------------


def attachments_of(meeting: Meeting) -> list[Attachment]:
    """The session's files in the order they were added."""
    return list(
        db.session.scalars(
            sa.select(Attachment)
            .where(Attachment.meeting_id == meeting.id)
            .order_by(Attachment.created_at, Attachment.id)
        )
    )


def kind_of(attachment: Attachment) -> Kind | None:
    return BY_MIME.get(attachment.content_type)


def human_size(size: int) -> str:
    """``12 KB``, ``1,5 MB``: rounded up, so a file just over a limit never reads as equal."""
    if size < 1024 * 1024:
        return f"{format_decimal(max(1, math.ceil(size / 1024)), format='#,##0')} KB"
    megabytes = math.ceil(size * 10 / (1024 * 1024)) / 10
    return f"{format_decimal(megabytes, format='#,##0.#')} MB"


def upload_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def path_of(attachment: Attachment) -> Path:
    return upload_dir() / attachment.storage_key


# Files published with a record do not change (a new file is a new address): caches may keep
# them. Others are asked for again every time, so the permission check always runs.
PUBLIC_CACHE = "public, max-age=3600"
PRIVATE_CACHE = "private, no-cache"


def send_stored(key: str, content_type: str, filename: str, sha256: str, public: bool) -> Response:
    """The response serving a kept file: its checked type only, never run by the browser."""
    kind = BY_MIME.get(content_type)
    path = upload_dir() / key
    if kind is None or not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=kind.mime,
        as_attachment=not kind.inline,
        download_name=filename,
        conditional=True,
        etag=sha256,
        max_age=3600 if public else 0,
    )
    response.headers["Cache-Control"] = PUBLIC_CACHE if public else PRIVATE_CACHE
    if not public:
        response.headers.pop("Expires", None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# Checking --------------------------------------------------------------------------------------


def display_filename(raw: str | None) -> str:
    """The name the person gave the file, kept readable (accents and ñ stay) but safe to show
    and to send back: no folders, no control or direction-changing characters, no characters
    Windows refuses in a file name, at most 200 characters with the extension kept."""
    name = unicodedata.normalize("NFC", raw or "")
    # Browsers may send the whole path ("C:\\Users\\…\\acta.pdf").
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for ch in name:
        category = unicodedata.category(ch)
        if category.startswith("C"):  # control, format (bidi overrides), unassigned
            continue
        kept.append(" " if category.startswith("Z") else "_" if ch in '<>:"|?*' else ch)
    name = "".join(kept)
    name = " ".join(name.split()).strip(" .")
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: FILENAME_MAX - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:FILENAME_MAX].rstrip(" .")
    return name


def extension_of(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MARKER_MAX_BYTES:
        return None
    with archive.open(info) as member:
        return member.read(MARKER_MAX_BYTES + 1)[:MARKER_MAX_BYTES]


def _office_kind(path: Path) -> Kind | None:
    """An OOXML or OpenDocument file, told by the members that name its type."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                return None  # macros
            mimetype = _read_small(archive, "mimetype")
            if mimetype is not None:
                return BY_MIME.get(mimetype.strip().decode("ascii", "replace"))
            content_types = _read_small(archive, "[Content_Types].xml")
            if content_types is None:
                return None
            found = [key for key, main in _OOXML_MAIN.items() if main in content_types]
            return KINDS[found[0]] if len(found) == 1 else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError):
        # Damaged, encrypted or otherwise unreadable: not a document we can vouch for.
        return None


def detect(path: Path) -> Kind | None:
    """The allowed type the file's content is, or None."""
    with path.open("rb") as fh:
        header = fh.read(HEADER_BYTES)
    guessed = filetype.guess(header)
    if guessed is not None and guessed.mime in _FROM_HEADER:
        return KINDS[_FROM_HEADER[guessed.mime]]
    if header.startswith(b"PK\x03\x04"):
        return _office_kind(path)
    return None


def _check_type(path: Path, filename: str) -> Kind:
    ext = extension_of(filename)
    if not ext:
        raise Refused(
            _(
                "The file name does not end in a type, like .pdf, so it cannot be checked."
                " Files accepted: %(allowed)s.",
                allowed=ALLOWED_IN_WORDS,
            ),
            status=INVALID,
        )
    claimed = BY_EXTENSION.get(ext)
    if claimed is None:
        raise Refused(
            _(
                "Files ending in .%(ext)s cannot be uploaded. Files accepted: %(allowed)s.",
                ext=ext,
                allowed=ALLOWED_IN_WORDS,
            ),
            status=INVALID,
        )
    found = detect(path)
    if found is None:
        raise Refused(
            _(
                "The file says it is %(claimed)s but its content is not. It may be damaged or"
                " be another kind of file: open it on your computer and save it again as"
                " %(claimed)s.",
                claimed=claimed.name,
            ),
            status=INVALID,
        )
    if found is not claimed:
        raise Refused(
            _(
                "The file says it is %(claimed)s but its content is %(found)s. Rename it to end"
                " in .%(ext)s and upload it again.",
                claimed=claimed.name,
                found=found.name,
                ext=found.extensions[0],
            ),
            status=INVALID,
        )
    return found


# Storing ---------------------------------------------------------------------------------------


def _chunks(stream: BinaryIO) -> Iterable[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _receive(stream: BinaryIO, target: Path, limit: int, name: str) -> tuple[int, str]:
    """Copies the upload to ``target``, returning its size and sha256; refuses an empty file
    or one over ``limit`` (reading on, without keeping, to say how large it is)."""
    digest = hashlib.sha256()
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in _chunks(stream):
            size += len(chunk)
            if size > limit:
                continue  # counted, not kept
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if size == 0:
        raise Refused(
            _(
                "The file %(name)s is empty. Choose it again; it may not have finished saving.",
                name=name,
            ),
            status=INVALID,
        )
    if size > limit:
        raise Refused(
            _(
                "The file weighs %(size)s; the limit is %(limit)s. Make it lighter (for"
                " example, scan at a lower resolution) or split it into parts.",
                size=human_size(size),
                limit=human_size(limit),
            ),
            status=INVALID,
        )
    return size, digest.hexdigest()


@dataclass(frozen=True)
class Received:
    """A checked upload, kept under ``key`` in the upload folder, not yet recorded."""

    key: str
    filename: str
    kind: Kind
    size: int
    sha256: str


def receive(stream: BinaryIO | None, filename: str | None) -> Received:
    """Checks an upload and keeps the file under a random name. Raises ``Refused`` (422) with
    the message to show, leaving nothing behind, when the file is missing, empty, too large or
    not what its name says. The caller records it and calls ``discard`` if that fails."""
    name = display_filename(filename)
    if stream is None or not name:
        raise Refused(NO_FILE, status=INVALID)
    folder = upload_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_hex(20)
    incoming = folder / f".incoming-{key}"
    try:
        size, sha256 = _receive(stream, incoming, current_app.config["UPLOAD_MAX_BYTES"], name)
        kind = _check_type(incoming, name)
        os.replace(incoming, folder / key)
    finally:
        with contextlib.suppress(FileNotFoundError):
            incoming.unlink()
    return Received(key=key, filename=name, kind=kind, size=size, sha256=sha256)


def discard(key: str) -> None:
    """Removes a kept file whose row was never committed."""
    with contextlib.suppress(FileNotFoundError):
        (upload_dir() / key).unlink()


def store(
    meeting: Meeting,
    stream: BinaryIO | None,
    filename: str | None,
    title: str,
    by: User | None,
) -> Attachment:
    """Checks the upload, keeps the file and commits its row (see ``receive``)."""
    if meeting.is_cancelled:
        raise Refused(CANCELLED)
    received = receive(stream, filename)
    attachment = Attachment(
        meeting_id=meeting.id,
        title=" ".join(title.split())[:TITLE_MAX],
        filename=received.filename,
        content_type=received.kind.mime,
        size=received.size,
        sha256=received.sha256,
        storage_key=received.key,
        uploaded_by_id=by.id if by is not None else None,
    )
    try:
        db.session.add(attachment)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        discard(received.key)
        raise
    current_app.logger.info(
        "Attachment %s stored for meeting %s (%s, %s bytes)",
        attachment.id,
        meeting.id,
        received.kind.key,
        received.size,
    )
    return attachment
