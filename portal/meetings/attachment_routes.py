"""Files of a session: the upload page and the download. Thin: load, ask the policy, call the
service in ``attachments``."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import permissions
from portal.core.actions import carried_out
from portal.core.refusals import INVALID
from portal.extensions import db, limiter
from portal.meetings import attachments, bp
from portal.meetings.attachment_forms import AttachmentForm
from portal.meetings.models import Attachment
from portal.meetings.queries import meeting_or_404


@bp.app_template_filter("file_size")
def _file_size(size: int) -> str:
    return attachments.human_size(size)


@bp.app_template_filter("file_kind")
def _file_kind(attachment: Attachment) -> str:
    kind = attachments.kind_of(attachment)
    return str(kind.label) if kind else attachment.content_type


@bp.route("/mesas/<slug>/sesiones/<int:number>/adjuntos", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def upload_attachment(slug: str, number: int):
    mesa, meeting = meeting_or_404(slug, number)
    permissions.require("meeting.manage", meeting)
    form = AttachmentForm()
    context = {
        "mesa": mesa,
        "meeting": meeting,
        "form": form,
        "limit": attachments.human_size(current_app.config["UPLOAD_MAX_BYTES"]),
    }
    if form.validate_on_submit():
        upload = form.file.data
        # The file and its row are kept together by ``store``, which commits them.
        with carried_out(page=("meetings/upload.html", context)):
            stored = attachments.store(
                meeting, upload.stream, upload.filename, form.title.data, current_user
            )
        flash(_("The file was added to the session: %(title)s.", title=stored.title), "success")
        return redirect(url_for("meetings.meeting", slug=slug, number=number))
    status = INVALID if form.is_submitted() else 200
    return render_template("meetings/upload.html", **context), status


@bp.route("/mesas/<slug>/sesiones/<int:number>/adjuntos/<int:attachment_id>")
def attachment(slug: str, number: int, attachment_id: int):
    _mesa, meeting = meeting_or_404(slug, number)
    permissions.require("meeting.read_record", meeting)
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.meeting_id != meeting.id:
        abort(404)
    return attachments.send_stored(
        found.storage_key,
        found.content_type,
        found.filename,
        found.sha256,
        meeting.record_is_public,
    )
