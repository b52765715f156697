"""Forms of the administration console. Labels and messages are lazy; choices are filled by the
route. Every form that changes something asks why: the change log keeps it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from portal.accounts.forms import check_email
from portal.core.forms import (
    Choice,
    DayField,
    PortalForm,
    at_most,
    checkboxes,
    chosen_id,
    date_field,
    enum_choices,
    not_in_future,
    only_listed,
    reason_field,
    strip,
)
from portal.mesas import labels as mesa_labels
from portal.places.labels import PHASE_LABELS, STATUS_LABELS


def why(label: str = _l("Why (kept in the change log)")) -> TextAreaField:
    return reason_field(label, required_message=_l("Say why; the change log keeps it."))


def decree_fields() -> tuple[StringField, DayField]:
    return (
        StringField(
            _l("Decree"),
            filters=[strip],
            validators=[
                DataRequired(_l("Enter the decree, e.g. D.S. N° 123 of 2026.")),
                at_most(200),
            ],
        ),
        DayField(_l("Date of the decree"), validators=[Optional(), not_in_future]),
    )


class TerritoryForm(PortalForm):
    name = StringField(
        _l("Name of the territory"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the territory's name.")), at_most(120)],
    )
    decree, decree_on = decree_fields()
    comunas = checkboxes(_l("Its comunas"))
    since = date_field(_l("Lagging since (the comunas join on this day)"))
    phase = Choice(
        _l("Phase"),
        choices=enum_choices(PHASE_LABELS),
        default="before_plan",
        message=_l("Choose the phase."),
    )
    reason = why()

    def validate_comunas(self, field) -> None:  # type: ignore[no-untyped-def]
        if not field.data:
            raise ValidationError(_l("Choose the comunas that make up the territory."))
        only_listed(_l("Choose comunas of the territory's region."))(self, field)


class TerritoryDetailsForm(PortalForm):
    name = TerritoryForm.name
    decree, decree_on = decree_fields()
    reason = why()


class StageForm(PortalForm):
    phase = Choice(_l("Phase"), choices=enum_choices(PHASE_LABELS), message=_l("Choose the phase."))
    status = Choice(
        _l("Status"), choices=enum_choices(STATUS_LABELS), message=_l("Choose the status.")
    )
    since = date_field(_l("From"))
    decree, decree_on = decree_fields()
    reason = why()


class JoinComunaForm(PortalForm):
    comuna = chosen_id(
        _l("Comuna that joins"),
        _l("Choose a comuna of the region."),
        required=_l("Choose a comuna."),
    )
    since = date_field(_l("Joins on"))
    reason = why()


class ComunaLeavesForm(PortalForm):
    until = date_field(_l("First day it is no longer part of the territory"))
    reason = why()


def person_fields(role: str) -> tuple[StringField, EmailField]:
    return (
        StringField(
            _l("Name of the %(role)s", role=role),
            filters=[strip],
            validators=[at_most(120)],
        ),
        EmailField(
            _l("Email of the %(role)s (optional)", role=role),
            filters=[strip],
            validators=[Optional(), check_email],
        ),
    )


class MesaForm(PortalForm):
    kind = Choice(
        _l("Kind of mesa"),
        choices=enum_choices(mesa_labels.MESA_KIND),
        message=_l("Choose the kind of mesa."),
    )
    name = StringField(
        _l("Name of the mesa"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the name of the mesa.")), at_most(200)],
    )
    theme = StringField(_l("Theme (mesas temáticas)"), filters=[strip], validators=[at_most(120)])
    territory = chosen_id(
        _l("Territory (mesas temáticas and territoriales)"), _l("Choose a territory from the list.")
    )
    region = chosen_id(_l("Region (mesa técnica regional)"), _l("Choose a region from the list."))
    chair_title = StringField(
        _l("Title of whoever chairs it"), filters=[strip], validators=[at_most(120)]
    )
    quorum_rule = Choice(
        _l("Quorum to hold a session and decide"),
        choices=enum_choices(mesa_labels.QUORUM_RULE),
        default="majority",
        message=_l("Choose the quorum rule."),
    )
    pre_existing = BooleanField(_l("It existed before the program, which joins it"))
    founded_on = DayField(_l("Founded on (optional)"), validators=[Optional(), not_in_future])
    founding_instrument = Choice(
        _l("How it was founded"),
        choices=[
            SelectChoice("", _l("Not recorded")),
            *enum_choices(mesa_labels.FOUNDING_INSTRUMENT),
        ],
        default="",
        message=_l("Choose how the mesa was founded."),
    )
    history = TextAreaField(
        _l("Its earlier records (optional): sessions, agreements, who sat at it"),
        validators=[at_most(20_000)],
    )
    chair_name, chair_email = person_fields(_l("chair"))
    secretary_name, secretary_email = person_fields(_l("secretary"))
    reason = why()

    def validate_territory(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.kind.data in ("thematic", "territorial") and not field.data:
            raise ValidationError(_l("Choose the territory of the mesa."))

    def validate_region(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.kind.data == "regional" and not field.data:
            raise ValidationError(_l("Choose the region of the mesa técnica."))

    def validate_theme(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.kind.data == "thematic" and not field.data:
            raise ValidationError(_l("Say the theme of the mesa temática."))

    def validate_chair_name(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.chair_email.data and not field.data:
            raise ValidationError(_l("Enter the chair's name, for the invitation."))

    def validate_secretary_name(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.secretary_email.data and not field.data:
            raise ValidationError(_l("Enter the secretary's name, for the invitation."))


class MergeForm(PortalForm):
    duplicate = chosen_id(
        _l("The duplicate, which disappears"),
        _l("Choose an organization from the list."),
        required=_l("Choose the duplicate."),
    )
    reason = why()


class ReasonForm(PortalForm):
    """A button that acts on a person or a record, with the reason the log keeps."""

    reason = why()


class SearchForm(PortalForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip], validators=[at_most(100)])
