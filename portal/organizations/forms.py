"""Forms of the organizations registry. Labels and messages are lazy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from stdnum import exceptions as stdnum_errors
from stdnum.cl import rut as cl_rut
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.core.forms import (
    Choice,
    ChoiceOf,
    PlaceholderSelect,
    PortalForm,
    enum_choices,
    external_url,
    optional_int,
    strip,
)
from portal.mesas import labels

NAME_MAX = 200
SHORT_NAME_MAX = 40
WEBSITE_MAX = 300
RUT_CHECK_DIGITS = "0123456789K"


class OneOfOrNothing:
    """Nothing chosen, or one of the field's choices (with our own message)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field) -> None:  # type: ignore[no-untyped-def]
        if field.data in (None, ""):
            field.data = None
            return
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(self.message)


def check_rut(form: FlaskForm, field: StringField) -> None:
    """Empty, or a valid RUT, kept formatted as 76.086.428-5."""
    if not field.data:
        field.data = None
        return
    number = cl_rut.compact(field.data)
    if not number or number[-1] not in RUT_CHECK_DIGITS:
        raise ValidationError(_l("Write the RUT as on the document, for example 76.086.428-5."))
    try:
        cl_rut.validate(number)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _l(
                "The RUT's check digit is not right. Check the number and the digit after "
                "the hyphen."
            )
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _l("Write the RUT as on the document, for example 76.086.428-5.")
        ) from exc
    field.data = cl_rut.format(number)


class OrganizationForm(PortalForm):
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the name of the organization.")),
            Length(
                max=NAME_MAX, message=_l("A name can be at most %(n)s characters long.", n=NAME_MAX)
            ),
        ],
    )
    short_name = StringField(
        _l("Short name or acronym (optional)"),
        filters=[strip],
        validators=[
            Length(
                max=SHORT_NAME_MAX,
                message=_l("A short name can be at most %(n)s characters long.", n=SHORT_NAME_MAX),
            )
        ],
    )
    kind = SelectField(
        _l("Kind of organization"),
        choices=enum_choices(labels.ORGANIZATION_KIND),
        validate_choice=False,
        validators=[ChoiceOf(_l("Choose what kind of organization it is."))],
        widget=PlaceholderSelect(_l("Choose a kind")),
    )
    actor_type = Choice(
        _l("Kind of actor"),
        choices=enum_choices(labels.ACTOR_TYPE),
        message=_l("Choose the kind of actor."),
    )
    comuna = SelectField(
        _l("Comuna (optional)"),
        coerce=optional_int,
        validate_choice=False,
        validators=[OneOfOrNothing(_l("Choose a comuna from the list."))],
        widget=PlaceholderSelect(_l("None in particular")),
    )
    rut = StringField(_l("RUT (optional)"), filters=[strip], validators=[check_rut])
    website = StringField(
        _l("Website (optional)"), filters=[strip], validators=[external_url(WEBSITE_MAX)]
    )


class FilterForm(PortalForm):
    """The filters of the list: plain GET parameters, no token (they change nothing)."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("Kind of organization"),
        name="tipo",
        choices=enum_choices(labels.ORGANIZATION_KIND),
        validate_choice=False,
        validators=[
            OneOfOrNothing(_l("There is no such kind of organization. Choose one from the list."))
        ],
        widget=PlaceholderSelect(_l("All kinds")),
    )
    actor_type = SelectField(
        _l("Kind of actor"),
        name="actor",
        choices=enum_choices(labels.ACTOR_TYPE),
        validate_choice=False,
        validators=[
            OneOfOrNothing(_l("There is no such kind of actor. Choose one from the list."))
        ],
        widget=PlaceholderSelect(_l("All kinds of actor")),
    )
    q = StringField(
        _l("Name (or part of it)"),
        filters=[strip],
        validators=[Length(max=100, message=_l("At most %(n)s characters.", n=100))],
    )
