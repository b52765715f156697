"""The admin's form to register a subscriber."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.admin.forms import why
from portal.core.forms import PortalForm, at_most, completed_url, strip
from portal.webhooks.emit import EVENTS

URL_MOST = 254


def receiver_url(form: FlaskForm, field) -> None:  # type: ignore[no-untyped-def]
    value = completed_url(field.data or "")
    if value is None:
        raise ValidationError(
            _l(
                "Write the full address that receives the events, for example https://plan.example.cl/eventos."
            )
        )
    if len(value) > URL_MOST:
        raise ValidationError(_l("A web address can be at most %(n)s characters long.", n=URL_MOST))
    field.data = value


def chosen_events(form: FlaskForm, field) -> None:  # type: ignore[no-untyped-def]
    if not field.data:
        raise ValidationError(_l("Choose at least one kind of event."))
    if any(kind not in EVENTS for kind in field.data):
        raise ValidationError(_l("Choose the events from the list."))


class SubscriberForm(PortalForm):
    """The route fills the events' choices (``EVENTS``)."""

    name = StringField(
        _l("Name of the system that receives"),
        filters=[strip],
        validators=[
            DataRequired(_l("Name the system, e.g. Módulo del plan de desarrollo.")),
            at_most(120),
        ],
    )
    url = StringField(
        _l("Address that receives the events (HTTPS)"),
        filters=[strip],
        validators=[DataRequired(_l("Write the address that receives the events.")), receiver_url],
    )
    events = SelectMultipleField(
        _l("Events it receives"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
        validators=[chosen_events],
    )
    reason = why()
