"""The admin's form to create a write key."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.admin.forms import why
from portal.api.tokens import SCOPES
from portal.core.forms import PortalForm, at_most, chosen_id, strip


def chosen_scopes(form: FlaskForm, field) -> None:  # type: ignore[no-untyped-def]
    if not field.data:
        raise ValidationError(_l("Choose at least one kind of write."))
    if any(scope not in SCOPES for scope in field.data):
        raise ValidationError(_l("Choose the kinds of write from the list."))


class KeyForm(PortalForm):
    """The route fills the choices: territories, and the kinds of write (``SCOPES``)."""

    name = StringField(
        _l("Name of the system that writes (kept in the change log with each write)"),
        filters=[strip],
        validators=[
            DataRequired(_l("Name the system, e.g. Módulo del plan, GORE Coquimbo.")),
            at_most(120),
        ],
    )
    territory = chosen_id(
        _l("Territory it writes for"),
        _l("Choose a territory from the list."),
        required=_l("Choose the territory it writes for."),
    )
    scopes = SelectMultipleField(
        _l("What it may write"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
        validators=[chosen_scopes],
    )
    reason = why()
