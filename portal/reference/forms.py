"""Forms of the reference data pages: a gap dimension, and the file of a territory's strategic
objectives. Labels and messages are lazy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.core.forms import PortalForm, reason_field, strip
from portal.reference.services import CODE_MAX, CODE_PATTERN, FILE_MAX_BYTES

GAP_NAME_MAX = 120
GAP_DESCRIPTION_MAX = 500
POSITION_MAX = 999


class GapForm(PortalForm):
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the dimension's code, such as D1.")),
            Length(
                max=CODE_MAX, message=_l("A code can be at most %(n)s characters long.", n=CODE_MAX)
            ),
            Regexp(
                CODE_PATTERN,
                message=_l(
                    "Use only letters without accents, digits, dots, hyphens and underscores, "
                    "such as D1."
                ),
            ),
        ],
    )
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the dimension's name.")),
            Length(
                max=GAP_NAME_MAX,
                message=_l("A name can be at most %(n)s characters long.", n=GAP_NAME_MAX),
            ),
        ],
    )
    description = StringField(
        _l("Description (optional)"),
        filters=[strip],
        validators=[
            Length(
                max=GAP_DESCRIPTION_MAX,
                message=_l(
                    "A description can be at most %(n)s characters long.", n=GAP_DESCRIPTION_MAX
                ),
            )
        ],
    )
    position = IntegerField(
        _l("Place in the lists (optional)"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=POSITION_MAX,
                message=_l("Enter a whole number from 1 to %(max)s.", max=POSITION_MAX),
            ),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": POSITION_MAX},
    )
    active = BooleanField(_l("In use: offered when an initiative is tagged"), default=True)
    reason = reason_field(
        _l("Why (kept in the change log)"), required_message=_l("Say why; the change log keeps it.")
    )


class ObjectivesFileForm(PortalForm):
    file = FileField(
        _l("JSON file"),
        validators=[
            FileRequired(_l("Choose the JSON file to import.")),
            FileAllowed(["json"], _l("Choose a JSON file: its name ends in .json.")),
            FileSize(
                max_size=FILE_MAX_BYTES,
                message=_l("The file is larger than %(limit)s KB.", limit=FILE_MAX_BYTES // 1024),
            ),
        ],
    )
    reason = GapForm.reason
