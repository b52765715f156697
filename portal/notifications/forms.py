"""The forms of notices: mail preferences, following, and stopping one kind of mail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from portal.accounts.forms import check_email
from portal.core.forms import PortalForm, listed_or_empty, strip
from portal.notifications.models import Cadence
from portal.notifications.preferences import CADENCE_LABELS, KINDS


def preferences_form(chosen: dict[str, Cadence], **kwargs: object) -> FlaskForm:
    """One choice per kind of notice, filled with the person's current choices."""

    class PreferencesForm(PortalForm):
        """Its fields are the kinds of notice, added below."""

    choices = [SelectChoice(c.value, label) for c, label in CADENCE_LABELS.items()]
    for kind, label in KINDS.items():
        setattr(
            PreferencesForm,
            kind,
            SelectField(
                label,
                choices=choices,
                default=chosen.get(kind, Cadence.NOW).value,
                validate_choice=False,
                validators=[listed_or_empty(_l("Choose one of the options."))],
            ),
        )
    return PreferencesForm(**kwargs)


class FollowForm(PortalForm):
    """Following without an account: the address the news go to."""

    email = EmailField(
        _l("Your email"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter your email address.")), check_email],
    )
