"""Files of a session: what is accepted (by content, not by name), where it is kept, who
downloads it and with which headers."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.core.models import utcnow
from portal.meetings import attachments
from portal.meetings.models import (
    Attachment,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    MinutesStatus,
)
from portal.mesas.models import Membership, Role
from tests import factories
from tests.conftest import text_of

GOATS = "limari-choapa-ganaderia-caprina"
SESSION = f"/mesas/{GOATS}/sesiones/1"
UPLOAD = f"{SESSION}/adjuntos"
SEATED_SINCE = dt.date(2025, 3, 1)


# Files built by hand ----------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n"
        b"%%EOF\n"
    )


def png_bytes() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8 bits, RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte, then one white pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def docx_bytes(main: str = "wordprocessingml.document.main+xml", macros: bool = False) -> bytes:
    """The least a Word document holds: its content types, relations and body."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.{main}"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Acta de la sesión 1</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
        if macros:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    return buffer.getvalue()


def ods_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x00" * 200


# The world ----------------------------------------------------------------------------------------


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    """A folder of files of our own for each test, so 'nothing stored' can be checked."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture
def world(db, make_user, uploads):
    """The goat mesa with a secretary, a member and its session 1 (acta not published)."""
    mesa = factories.goat_mesa(db)
    secretary = make_user(name="Javiera Secretaria")
    member = make_user(name="Rosa Aravena")
    factories.seat(db, mesa, secretary, Role.SECRETARY, since=SEATED_SINCE)
    factories.seat(db, mesa, member, Role.MEMBER, since=SEATED_SINCE)
    starts = dt.datetime(2025, 6, 3, 14, 0, tzinfo=dt.UTC)
    meetings = [
        factories.meeting(
            db,
            mesa,
            n,
            starts_at=starts + dt.timedelta(days=30 * (n - 1)),
            place="Sede social de Quebrada Alta",
        )
        for n in (1, 2)
    ]
    db.commit()
    return {"mesa": mesa, "meeting": meetings[0], "other": meetings[1], "secretary": secretary}


@pytest.fixture
def member(db, world):
    return db.scalars(sa.select(Membership).where(Membership.role == Role.MEMBER)).one().person.user


def publish(db, meeting: Meeting, by) -> None:
    minutes = Minutes(
        meeting_id=meeting.id,
        status=MinutesStatus.PUBLISHED,
        published_at=utcnow(),
        published_by_id=by.id,
    )
    db.add(minutes)
    db.flush()
    db.add(
        MinutesRevision(
            minutes_id=minutes.id,
            number=1,
            text="Se aprobó la tabla.",
            status_then=MinutesStatus.PUBLISHED,
            author_id=by.id,
        )
    )
    db.commit()
    db.expire_all()


def upload(client, name: str, content: bytes, title: str = "Hoja de asistencia firmada"):
    return client.submit(
        UPLOAD,
        {"title": title, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def stored_files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def rows(db) -> list[Attachment]:
    return list(db.scalars(sa.select(Attachment)))


def download_path(attachment: Attachment) -> str:
    return f"{SESSION}/adjuntos/{attachment.id}"


# Accepted files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "mime", "disposition"),
    [
        ("Acta sesión 1 (año 2025).pdf", pdf_bytes(), "application/pdf", "attachment"),
        ("foto-reunión.png", png_bytes(), "image/png", "inline"),
        (
            "Presentación Ñuble.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "attachment",
        ),
        (
            "planilla.ods",
            ods_bytes(),
            "application/vnd.oasis.opendocument.spreadsheet",
            "attachment",
        ),
    ],
)
def test_the_secretary_uploads_a_file_and_the_members_download_it_unchanged(
    client, db, login, world, member, uploads, name, content, mime, disposition
):
    login(world["secretary"])
    form = client.get(UPLOAD)
    assert form.status_code == 200
    page = text_of(form)
    assert "Agregar un archivo" in page and "10 MB" in page
    assert 'enctype="multipart/form-data"' in form.get_data(as_text=True)

    sent = upload(client, name, content)
    assert sent.status_code == 302
    assert sent.location.endswith(SESSION)

    [attachment] = rows(db)
    assert attachment.meeting_id == world["meeting"].id
    assert attachment.filename == name  # accents, spaces and ñ kept
    assert attachment.content_type == mime
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by_id == world["secretary"].id
    [kept] = stored_files(uploads)
    assert kept.name == attachment.storage_key and kept.read_bytes() == content

    login(member)
    got = client.get(download_path(attachment))
    assert got.status_code == 200
    assert got.data == content
    assert got.mimetype == mime
    assert got.headers["Content-Disposition"].startswith(disposition)
    if not name.isascii():  # the name with its accents, as RFC 6266 allows
        assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert got.headers["Cache-Control"].startswith("private")
    got.close()


def test_the_session_page_lists_the_file_in_words(client, db, login, world):
    login(world["secretary"])
    assert upload(client, "acta.pdf", pdf_bytes(), title="Acta firmada").status_code == 302
    page = client.get(SESSION)
    assert page.status_code == 200
    from flask import render_template

    with client.application.test_request_context():
        html = render_template(
            "meetings/_attachments.html",
            mesa=world["mesa"],
            meeting=db.get(Meeting, world["meeting"].id),
            attachments=attachments.attachments_of(world["meeting"]),
        )
    assert "Archivos" in html
    assert "Acta firmada" in html and "documento PDF" in html and "1 KB" in html
    # The flash message shows on the page after the redirect.
    assert "Se agregó el archivo a la sesión: Acta firmada." in text_of(page)


# Refused files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [("acta.pdf", ELF), ("acta.pdf", WINDOWS_EXE), ("foto.png", WINDOWS_EXE)],
    ids=["elf-as-pdf", "exe-as-pdf", "exe-as-png"],
)
def test_a_program_renamed_as_a_document_is_refused_and_nothing_is_kept(
    client, db, login, world, uploads, name, content
):
    login(world["secretary"])
    sent = upload(client, name, content)
    assert sent.status_code == 422
    page = text_of(sent)
    assert "Revisa el formulario" in page
    claimed = "PDF" if name.endswith(".pdf") else "PNG"
    assert f"El archivo dice ser {claimed} pero su contenido no lo es" in page
    assert rows(db) == []
    assert stored_files(uploads) == []


def test_a_file_whose_content_is_another_allowed_type_is_told_the_right_extension(
    client, db, login, world, uploads
):
    login(world["secretary"])
    sent = upload(client, "foto.jpg", png_bytes())
    assert sent.status_code == 422
    assert "dice ser JPEG pero su contenido es PNG" in text_of(sent)
    assert ".png" in text_of(sent)
    assert rows(db) == [] and stored_files(uploads) == []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("programa.exe", WINDOWS_EXE, "No se pueden subir archivos terminados en .exe"),
        (
            "pagina.html",
            b"<script>alert(1)</script>",
            "No se pueden subir archivos terminados en .html",
        ),
        ("acta", pdf_bytes(), "no termina en un tipo"),
        ("vacío.pdf", b"", "está vacío"),
        # A template, or a document with macros, renamed .docx is not a plain document.
        ("plantilla.docx", docx_bytes("wordprocessingml.template.main+xml"), "dice ser Word"),
        ("macros.docx", docx_bytes(macros=True), "dice ser Word (.docx)"),
        ("comprimido.docx", b"PK\x03\x04" + b"\x00" * 100, "dice ser Word (.docx)"),
    ],
    ids=["exe", "html", "no-extension", "empty", "template", "macros", "broken-zip"],
)
def test_other_files_are_refused_with_a_message_in_spanish(
    client, db, login, world, uploads, name, content, expected
):
    login(world["secretary"])
    sent = upload(client, name, content)
    assert sent.status_code == 422
    assert expected in text_of(sent)
    assert rows(db) == [] and stored_files(uploads) == []


def test_no_file_and_no_title_are_told_next_to_the_fields(client, db, login, world, uploads):
    login(world["secretary"])
    sent = client.submit(UPLOAD, {"title": ""}, content_type="multipart/form-data")
    assert sent.status_code == 422
    page = text_of(sent)
    assert "Elige un archivo para subir." in page
    assert "Ponle un título al archivo." in page
    assert rows(db) == [] and stored_files(uploads) == []


def test_a_file_over_the_limit_is_refused_saying_how_large_it_is(
    app, client, db, login, world, uploads, monkeypatch
):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 2 * 1024)
    login(world["secretary"])
    sent = upload(client, "acta.pdf", pdf_bytes() + b"%" * 5000)
    assert sent.status_code == 422
    assert "El archivo pesa 6 KB; el límite es 2 KB." in text_of(sent)
    assert rows(db) == [] and stored_files(uploads) == []


def test_a_request_far_over_the_limit_gets_the_413_page(
    app, client, db, login, world, uploads, monkeypatch
):
    login(world["secretary"])
    token = client.csrf_token(UPLOAD)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4 * 1024)
    sent = client.post(
        UPLOAD,
        data={
            "csrf_token": token,
            "title": "Grande",
            "file": (io.BytesIO(b"%PDF" * 4000), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 413
    assert "Lo que enviaste es demasiado grande" in text_of(sent)
    assert rows(db) == [] and stored_files(uploads) == []


def test_the_default_limit_is_ten_megabytes_and_requests_may_be_a_little_larger(app):
    assert app.config["UPLOAD_MAX_BYTES"] == 10 * 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] > app.config["UPLOAD_MAX_BYTES"]


def test_a_failed_commit_leaves_no_file_behind(app, db, world, uploads, monkeypatch):
    def broken_commit() -> None:
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk full"))

    with app.test_request_context():
        monkeypatch.setattr(db, "commit", broken_commit)
        with pytest.raises(sa.exc.OperationalError):
            attachments.store(
                world["meeting"], io.BytesIO(pdf_bytes()), "acta.pdf", "Acta", world["secretary"]
            )
        monkeypatch.undo()
    assert stored_files(uploads) == []


def test_a_cancelled_session_takes_no_more_files(client, db, login, world, uploads):
    world["meeting"].status = MeetingStatus.CANCELLED
    db.commit()
    login(world["secretary"])
    sent = upload(client, "acta.pdf", pdf_bytes())
    assert sent.status_code == 409
    assert "Revisa el formulario" in text_of(sent)
    assert rows(db) == [] and stored_files(uploads) == []


# Who may do what ----------------------------------------------------------------------------------


def test_a_member_who_is_not_secretary_cannot_upload(client, db, login, world, member, uploads):
    login(member)
    assert client.get(UPLOAD).status_code == 403
    # Nor post, even with a valid token from another form.
    sent = client.submit(
        UPLOAD,
        {"title": "x", "file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        form_url=f"/mesas/{GOATS}/salir",
        content_type="multipart/form-data",
    )
    assert sent.status_code == 403
    assert rows(db) == [] and stored_files(uploads) == []


def test_a_visitor_is_sent_to_log_in_to_upload(client, world):
    sent = client.get(UPLOAD)
    assert sent.status_code == 302 and "/cuenta/ingresar" in sent.location


def test_a_draft_records_file_is_for_the_mesa_and_public_once_the_acta_is(
    client, db, login, make_user, world
):
    login(world["secretary"])
    assert upload(client, "foto.png", png_bytes()).status_code == 302
    [attachment] = rows(db)
    path = download_path(attachment)
    client.post("/cuenta/salir", data={"csrf_token": client.csrf_token("/cuenta/perfil")})
    with client.session_transaction() as session:
        session.clear()

    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/cuenta/ingresar" in anonymous.location
    login(make_user())
    assert client.get(path).status_code == 403

    publish(db, world["meeting"], world["secretary"])
    with client.session_transaction() as session:
        session.clear()
    public = client.get(path)
    assert public.status_code == 200
    assert public.data == png_bytes()
    assert public.headers["Cache-Control"].startswith("public")
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    assert public.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    public.close()


def test_another_sessions_file_is_not_found_under_this_session(client, db, login, world):
    login(world["secretary"])
    assert upload(client, "acta.pdf", pdf_bytes()).status_code == 302
    [attachment] = rows(db)
    other = f"/mesas/{GOATS}/sesiones/2/adjuntos/{attachment.id}"
    assert client.get(other).status_code == 404
    assert client.get(f"{SESSION}/adjuntos/{attachment.id + 1000}").status_code == 404
    assert client.get(f"/mesas/{GOATS}/sesiones/9/adjuntos/{attachment.id}").status_code == 404


# The service's pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Acta sesión Ñuble.pdf", "Acta sesión Ñuble.pdf"),
        ("C:\\Users\\Javiera\\Escritorio\\acta.pdf", "acta.pdf"),
        ("../../etc/passwd", "passwd"),
        ("foto\u202egnp.exe", "fotognp.exe"),  # a right-to-left override hides the real end
        ("acta\x00\n.pdf", "acta.pdf"),
        ('¿qué?<b>"acta".pdf', "¿qué__b__acta_.pdf"),
        ("  .oculto.pdf ", "oculto.pdf"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_the_file_name_is_kept_readable_but_safe(raw, expected):
    assert attachments.display_filename(raw) == expected


def test_sizes_read_in_kilobytes_and_megabytes(app):
    with app.test_request_context():
        assert attachments.human_size(10) == "1 KB"
        assert attachments.human_size(1536) == "2 KB"
        assert attachments.human_size(10 * 1024 * 1024) == "10 MB"
        assert attachments.human_size(10 * 1024 * 1024 + 1) == "10,1 MB"
