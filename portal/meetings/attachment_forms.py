"""The form that adds a file to a session. Labels and messages are lazy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired

from portal.core.forms import PortalForm, at_most, strip
from portal.meetings.attachments import NO_FILE, TITLE_MAX


class AttachmentForm(PortalForm):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            DataRequired(_l("Give the file a title.")),
            at_most(TITLE_MAX),
        ],
    )
    file = FileField(_l("File"), validators=[FileRequired(NO_FILE)])
