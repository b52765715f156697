"""Pieces every form uses."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from flask import g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf, validate_csrf
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.csrf.core import CSRF
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, Select

from portal.core import clock
from portal.core.formatting import number
from portal.core.guards import read_int, read_pesos
from portal.core.refusals import INVALID


def strip(value: object) -> object:
    """Text without surrounding spaces; a text field missing from what was sent is empty, as a
    browser sends it (not ``None``, which a required column refuses)."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


class _Token:
    """A form's CSRF token, made when the form is drawn rather than when it is built."""

    def __init__(self, meta: object) -> None:
        self._meta = meta
        self._value: str | None = None

    def __str__(self) -> str:
        if self._value is None:
            self._value = generate_csrf(self._meta.csrf_secret, self._meta.csrf_field_name)  # type: ignore[attr-defined]
        return self._value

    def __html__(self) -> str:
        return str(self)


class _DrawnTokenCSRF(CSRF):
    """Flask-WTF's CSRF for forms, except that building a form (as a page does for the buttons
    of those who may press them) puts no token in the session: only a form drawn on the page
    does. A page that draws none is then the same for every visitor (``portal.pagecache``).
    The check is Flask-WTF's own, which ``CSRFProtect`` has already run on every POST."""

    def setup_form(self, form):  # type: ignore[no-untyped-def]
        self.meta = form.meta
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field):  # type: ignore[no-untyped-def]
        return _Token(self.meta)

    def validate_csrf_token(self, form, field):  # type: ignore[no-untyped-def]
        if g.get("csrf_valid", False):
            return
        validate_csrf(
            field.data,
            self.meta.csrf_secret,
            self.meta.csrf_time_limit,
            self.meta.csrf_field_name,
        )


class PortalForm(FlaskForm):
    """The base of every form of the portal."""

    class Meta:
        csrf_class = _DrawnTokenCSRF


class EmptyForm(PortalForm):
    """For buttons that only POST (log out, approve…): carries the CSRF token."""


def safe_next(target: str | None, default: str) -> str:
    """A local path to go back to after a form, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


# Dates people can mean: older or later ones are typing slips (and 9999-12-31 plus a day or a
# time zone is past what Python's dates hold).
FIRST_YEAR = 1900
LAST_YEAR = 2100


class DayField(DateField):
    """A date typed in a form (a date picker sends 2026-12-31), between ``FIRST_YEAR`` and
    ``LAST_YEAR``."""

    def process_formdata(self, valuelist: list) -> None:  # type: ignore[type-arg]
        super().process_formdata(valuelist)
        if self.data is not None and not FIRST_YEAR <= self.data.year <= LAST_YEAR:
            self.data = None
            raise ValueError(
                _l("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
            )


def completed_url(value: str) -> str | None:
    """A web address as typed, completed with https:// when it has none ("www.indap.gob.cl/x"
    is taken as a browser would take it), or None when it cannot be a web page's address."""
    if "://" not in value and "." in value and not any(c.isspace() for c in value):
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # such as a broken IPv6 address: "http://["
        return None
    if (
        parts.scheme not in ("http", "https")
        or not host
        or ("." not in host and ":" not in host)
        or any(c.isspace() or ord(c) < 32 for c in value)
    ):
        return None
    return value


def external_url(most: int = 300):  # type: ignore[no-untyped-def]
    """A validator for an optional web address of another site: completed with https:// when
    typed without it, refused with a sentence when it cannot be one or is too long. An empty
    field becomes None."""

    def check(form: FlaskForm, field) -> None:  # type: ignore[no-untyped-def]
        if not field.data:
            field.data = None
            return
        value = completed_url(field.data)
        if value is None:
            raise ValidationError(
                _l("Write the full web address, for example https://www.indap.gob.cl.")
            )
        if len(value) > most:
            raise ValidationError(_l("A web address can be at most %(n)s characters long.", n=most))
        field.data = value

    return check


def answer_id(field) -> str:  # type: ignore[no-untyped-def]
    """Where a person answers the field: the field itself, or the first option of a group of
    radio buttons or checkboxes (the group's own id is on its fieldset, which takes no focus)."""
    if isinstance(field, RadioField):
        return f"{field.id}-0"
    if isinstance(field, SelectMultipleField) and isinstance(field.option_widget, CheckboxInput):
        choices = list(field.choices or ())
        if choices:
            first = choices[0]
            return f"{field.id}-{first.value if isinstance(first, SelectChoice) else first[0]}"
    return field.id


def error_list(form: FlaskForm) -> list[tuple[str, str]]:
    """``(field id, first message)`` for every field with an error, in the form's order; the
    rows of a list of sub-forms (links, milestones) give their own fields, so a person reads
    a sentence and its link leads to the field, never a Python structure."""
    found: list[tuple[str, str]] = []

    def walk(fields) -> None:  # type: ignore[no-untyped-def]
        for item in fields:
            if isinstance(item, FieldList | FormField):
                walk(item)
            elif item.errors:
                found.append((answer_id(item), str(item.errors[0])))

    walk(form)
    return found


def optional_int(value: object) -> int | None:
    """Coerce for selects of ids: nothing chosen, or something odd (not a whole number, or one
    past what the database holds), becomes None. Read like every other number (``read_int``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return read_int(value)


# How people write a day: 31-12-2026 (also with / or .), or 2026-12-31 as date pickers send it.
DAY_FORMATS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})"),
)


def typed_day(raw: str) -> dt.date | None:
    """The day a person typed in a query string, or None if it cannot be read as one."""
    for pattern in DAY_FORMATS:
        found = pattern.fullmatch(raw.strip())
        if found:
            try:
                return dt.date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                return None
    return None


def status_for(form: FlaskForm) -> int:
    """A form page's status: 422 when it was sent and not accepted, 200 when first shown."""
    return INVALID if form.is_submitted() else 200


def checkboxes(label: str) -> SelectMultipleField:
    """Several ids chosen with checkboxes (comunas, initiatives, people present); the route
    fills the choices, and ``only_listed`` refuses ids that are not among them."""
    return SelectMultipleField(
        label,
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )


def only_listed(message: str):  # type: ignore[no-untyped-def]
    """A validator for ``checkboxes``: every chosen value is one of the field's choices."""

    def check(form: FlaskForm, field: SelectMultipleField) -> None:
        allowed = {value for value, _label in field.choices}
        if any(value not in allowed for value in field.data or ()):
            raise ValidationError(message)

    return check


def listed_or_empty(message: str):  # type: ignore[no-untyped-def]
    """A validator for an optional select whose choices the route fills: nothing chosen, or
    one of the choices (anything else sent is refused with ``message``, never stored)."""

    def check(form: FlaskForm, field) -> None:  # type: ignore[no-untyped-def]
        allowed = {str(c.value if isinstance(c, SelectChoice) else c[0]) for c in field.choices}
        if field.data not in (None, "") and str(field.data) not in allowed:
            raise ValidationError(message)

    return check


def chosen_id(label: str, message: str, required: str | None = None) -> SelectField:
    """A select of ids whose choices the route fills: nothing chosen (unless ``required``
    says what to choose) or one of the choices; anything else is refused with ``message``."""
    validators = [listed_or_empty(message)]
    if required:
        validators.insert(0, DataRequired(required))
    return SelectField(label, coerce=optional_int, validate_choice=False, validators=validators)


def at_most(n: int) -> Length:
    """A text field's length limit, said in words."""
    return Length(max=n, message=_l("At most %(n)s characters.", n=number(n)))


def enum_choices(mapping) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    """Choices from a {member: label} mapping of an enum, in its order."""
    return [SelectChoice(member.value, label) for member, label in mapping.items()]


class PlaceholderSelect(Select):
    """A select whose first option asks the person to choose ("Elige tu comuna")."""

    def __init__(self, placeholder: str) -> None:
        super().__init__()
        self.placeholder = placeholder

    def __call__(self, field, **kwargs):  # type: ignore[no-untyped-def]
        html = str(super().__call__(field, **kwargs))
        cut = html.index(">") + 1
        selected = " selected" if field.data in (None, "") else ""
        option = f'<option value=""{selected}>{escape(str(self.placeholder))}</option>'
        # Both parts are already escaped: the widget's own output and the escaped placeholder.
        return Markup(html[:cut] + option + html[cut:])  # noqa: S704


class ChoiceOf:
    """The chosen value must be one of the field's choices (with our own message)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field) -> None:  # type: ignore[no-untyped-def]
        allowed = {choice.value for choice in field.choices}
        if field.data is None or field.data not in allowed:
            raise StopValidation(self.message)


class Choice(RadioField):
    """A question answered by choosing one option with radio buttons. Nothing chosen, or
    something that is not an option, is refused with the question's own ``message`` (WTForms'
    own check would say only "Not a valid choice")."""

    def __init__(self, label: str, message: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        validators = [ChoiceOf(message), *kwargs.pop("validators", ())]
        super().__init__(label, validators=validators, validate_choice=False, **kwargs)


# Reasons, dates in the past, pesos: what several domains' forms ask for --------------------

REASON_MAX = 500


def reason_field(label: str, required_message: str | None = None) -> TextAreaField:
    validators = [
        at_most(REASON_MAX),
    ]
    if required_message:
        validators.insert(0, DataRequired(message=required_message))
    return TextAreaField(label, filters=[strip], validators=validators)


def not_in_future(form: FlaskForm, field: DateField) -> None:
    if field.data and field.data > clock.today():
        raise ValidationError(_l("The date cannot be in the future."))


def date_field(label: str) -> DateField:
    return DayField(
        label,
        validators=[
            InputRequired(message=_l("Enter a date.")),
            not_in_future,
        ],
        default=clock.today,
    )


MONEY_MAX = 10**13  # ten trillion pesos: more is a typing mistake


class MoneyField(StringField):
    """Whole pesos as people write them: "12.345.678", "$ 12 345 678" or "12345678"."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        self.raw = raw
        if not raw:
            return
        amount = read_pesos(raw, MONEY_MAX)
        if amount is None:
            raise ValueError(_l("Write the amount in whole pesos, for example 12.345.678."))
        self.data = amount

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:,}".replace(",", ".")
