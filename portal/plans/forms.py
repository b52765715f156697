"""The regional team's forms for the plan: a period, an objective, an indicator, a target, a
measurement, the agreement of a version and its sanction."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from portal.core.forms import (
    Choice,
    DayField,
    MoneyField,
    PortalForm,
    at_most,
    chosen_id,
    enum_choices,
    external_url,
    strip,
)
from portal.plans import labels

# "1.234.567" with thousands separated by points, as people write them in Chile.
THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")
VALUE_MAX = Decimal("1e14")


def read_value(raw: str) -> Decimal | None:
    """A number as people write it: "62,5", "1.234,5", "1.234" (thousands) or "62.5"; None if
    it is not one."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif THOUSANDS.fullmatch(text.lstrip("-")):
        text = text.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if abs(value) >= VALUE_MAX or value.as_tuple().exponent < -4:  # type: ignore[operator]
        return None
    return value


class ValueField(StringField):
    """A value of an indicator, with a comma for decimals."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            return
        value = read_value(raw)
        if value is None:
            raise ValueError(
                _l("Write a number, with a comma for decimals and at most four: 62,5.")
            )
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format(self.data, "f").replace(".", ",")


def _value(label: str, message: str) -> ValueField:
    return ValueField(label, validators=[InputRequired(message=message)])


def _source(label: str, message: str) -> StringField:
    return StringField(
        label, filters=[strip], validators=[DataRequired(message=message), at_most(300)]
    )


class PlanForm(PortalForm):
    kind = Choice(
        _l("Period"),
        choices=enum_choices(labels.PERIOD),
        default="triennial",
        message=_l("Choose the period."),
    )
    first_year = IntegerField(
        _l("First year"),
        validators=[InputRequired(message=_l("Write the plan's first year, for example 2027."))],
    )
    total = MoneyField(_l("Investment the plan foresees, in pesos (optional)"))


class TotalForm(PortalForm):
    investment = MoneyField(_l("Investment the plan foresees, in pesos (empty: not known)"))


class ObjectiveForm(PortalForm):
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the objective a code.")), at_most(20)],
    )
    title = StringField(
        _l("Strategic objective"),
        filters=[strip],
        validators=[DataRequired(message=_l("Write the objective.")), at_most(300)],
    )


class IndicatorForm(PortalForm):
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the indicator a code.")), at_most(20)],
    )
    name = StringField(
        _l("Indicator"),
        filters=[strip],
        validators=[DataRequired(message=_l("Say what the indicator measures.")), at_most(300)],
    )
    kind = Choice(
        _l("Kind"), choices=enum_choices(labels.KIND), message=_l("Choose the kind of indicator.")
    )
    unit = StringField(
        _l("Unit"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the unit (%, ha, families…).")), at_most(40)],
    )
    direction = Choice(
        _l("Which way is better"),
        choices=enum_choices(labels.DIRECTION),
        message=_l("Choose which way is better."),
    )
    source = _source(_l("Where its numbers come from"), _l("Say where its numbers come from."))
    baseline_value = _value(_l("Baseline: value"), _l("Write the baseline's value."))
    baseline_on = DayField(
        _l("Baseline: date measured"),
        validators=[InputRequired(message=_l("Enter the date of the baseline."))],
    )
    baseline_source = _source(_l("Baseline: source"), _l("Say where the baseline comes from."))


class TargetForm(PortalForm):
    year = IntegerField(
        _l("Year"), validators=[InputRequired(message=_l("A target needs the year it is for."))]
    )
    target = _value(_l("Target for the end of that year"), _l("Write the target's value."))


class MeasurementForm(PortalForm):
    measured_on = DayField(
        _l("Date measured"), validators=[InputRequired(message=_l("Enter the date measured."))]
    )
    value = _value(_l("Value"), _l("Write the value measured."))
    source = _source(_l("Source"), _l("Say where the measurement comes from."))
    evidence_url = StringField(
        _l("Evidence (web address, optional)"),
        filters=[strip],
        validators=[external_url(500)],
    )


class AgreeForm(PortalForm):
    agreement = chosen_id(
        _l("Agreement of the mesa territorial"),
        _l("Choose one of the agreements listed."),
        required=_l("Choose the agreement that agreed the plan."),
    )
    reason = TextAreaField(
        _l("What changes and why (for a new version; shown with it)"),
        filters=[strip],
        validators=[at_most(1000)],
    )


class SanctionForm(PortalForm):
    on = DayField(
        _l("Date of the sanction"),
        validators=[InputRequired(message=_l("Enter the date of the sanction."))],
    )
    document = StringField(
        _l("Document (the acta of the session, an official letter, or a web address)"),
        filters=[strip],
        validators=[DataRequired(message=_l("Name the document of the sanction.")), at_most(300)],
    )
