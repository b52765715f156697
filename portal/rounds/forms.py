"""The forms of a round: opening it, importing a Pabulib file, closing and cancelling it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from portal.core.forms import (
    Choice,
    MoneyField,
    PortalForm,
    at_most,
    checkboxes,
    enum_choices,
    optional_int,
    reason_field,
    strip,
)
from portal.core.guards import read_int
from portal.rounds import labels


class RoundForm(PortalForm):
    title = StringField(
        _l("Name of the round"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the round a name.")), at_most(200)],
    )
    initiatives = checkboxes(_l("Initiatives to weigh"))
    method = Choice(
        _l("Method"),
        choices=enum_choices(labels.METHOD),
        default="dots",
        message=_l("Choose the method."),
    )
    points = IntegerField(
        _l("Points each member spreads (dot voting)"),
        default=10,
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("From 1 to 1000."))],
    )
    max_choices = IntegerField(
        _l("How many each member may choose (approval)"),
        default=3,
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("From 1 to 1000."))],
    )
    criteria = TextAreaField(
        _l("Criteria and weights (criteria matrix)"),
        default="Impacto en la brecha; 3\nBeneficiarios; 2\nFactibilidad; 2\n"
        "Costo-eficiencia; 2\nSostenibilidad; 1",
        validators=[at_most(2000)],
    )
    budget = MoneyField(_l("Budget available in pesos (optional)"))
    secret = BooleanField(
        _l("Secret ballots: the results show totals, not who voted what"), default=True
    )
    by_tally = BooleanField(
        _l("No signal in the room: I will enter the room's counts instead of ballots")
    )

    def parsed_criteria(self) -> tuple[tuple[str, int], ...]:
        """ "Name; weight" per line, or ValueError with a message saying which line."""
        found = []
        for n, line in enumerate((self.criteria.data or "").splitlines(), 1):
            if not line.strip():
                continue
            name, _sep, weight = line.rpartition(";")
            number = read_int(weight, low=1, high=100)
            if not name.strip() or number is None:
                raise ValueError(
                    _l(
                        "Line %(n)d: write the criterion, a semicolon and a weight from 1 to 100.",
                        n=n,
                    )
                )
            found.append((name.strip()[:120], number))
        return tuple(found)


class CancelRoundForm(PortalForm):
    reason = reason_field(
        _l("Why the round is cancelled (everyone reads it)"),
        required_message=_l("Say why the round is cancelled."),
    )


class CloseRoundForm(PortalForm):
    meeting = SelectField(
        _l("Session where the round is closed"), coerce=optional_int, validate_choice=False
    )
    prioritize = IntegerField(
        _l("How many of the first are prioritized by the mesa (optional)"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=1000, message=_l("From 0 upwards."))],
    )


class ImportRoundForm(PortalForm):
    title = RoundForm.title
    file = FileField(
        _l("Pabulib file (.pb)"),
        validators=[
            FileRequired(message=_l("Choose the .pb file.")),
            FileAllowed(["pb"], message=_l("Choose a Pabulib file: its name ends in .pb.")),
        ],
    )
