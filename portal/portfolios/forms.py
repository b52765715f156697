"""The forms of a portfolio: making it from a round, a new version, a step of its approval."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from portal.core.forms import (
    Choice,
    DayField,
    MoneyField,
    PortalForm,
    at_most,
    checkboxes,
    enum_choices,
    optional_int,
    strip,
)
from portal.portfolios import labels


class PortfolioForm(PortalForm):
    title = StringField(
        _l("Name of the portfolio"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the portfolio a name.")), at_most(200)],
    )
    phase = Choice(
        _l("Phase of the plan"),
        choices=enum_choices(labels.PHASE),
        default="annual",
        message=_l("Choose the phase."),
    )
    rule = Choice(
        _l("Which selection"),
        choices=[
            SelectChoice("equal_shares", _l("Method of Equal Shares")),
            SelectChoice("greedy", _l("By score, skipping what does not fit")),
        ],
        default="equal_shares",
        message=_l("Choose the selection."),
    )


class NewVersionForm(PortalForm):
    add = checkboxes(_l("Initiatives that enter the portfolio"))
    reason = TextAreaField(
        _l("What changes and why (shown with the version)"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Say why the portfolio changes.")),
            at_most(1000),
        ],
    )


class StepForm(PortalForm):
    kind = Choice(
        _l("Step"),
        choices=enum_choices(labels.STEP_KIND),
        message=_l("Choose the step."),
    )
    on = DayField(_l("Date"), validators=[InputRequired(message=_l("Enter the date."))])
    agreement = SelectField(
        _l("Agreement of the mesa territorial"), coerce=optional_int, validate_choice=False
    )
    observations = TextAreaField(
        _l("Observations of the review"), filters=[strip], validators=[at_most(5000)]
    )


class ApprovalForm(PortalForm):
    decision = Choice(
        _l("What the approver decided"),
        choices=enum_choices(labels.DECISION),
        message=_l("Choose what was decided."),
    )
    amount = MoneyField(_l("Amount approved, in pesos (only for a partial approval)"))
    in_kind = BooleanField(_l("In kind (goods, work or land): the amount is their valuation"))
    reason = TextAreaField(
        _l("Reason (for a partial approval or a rejection)"),
        filters=[strip],
        validators=[at_most(1000)],
    )
    document = StringField(
        _l("Document (number of the agreement, the official letter, or a web address)"),
        filters=[strip],
        validators=[DataRequired(message=_l("Name the document of the decision.")), at_most(300)],
    )
    budget_year = IntegerField(
        _l("Budget year"),
        validators=[InputRequired(message=_l("Write the budget year the money is for."))],
    )
    on = DayField(
        _l("Date of the decision"), validators=[InputRequired(message=_l("Enter the date."))]
    )


class ExecutionForm(PortalForm):
    year = IntegerField(
        _l("Year"), validators=[InputRequired(message=_l("Write the year it was executed in."))]
    )
    amount = MoneyField(
        _l("Amount executed that year, in pesos"),
        validators=[InputRequired(message=_l("Write the amount executed, in whole pesos."))],
    )
    note = TextAreaField(
        _l("Note (optional: what was done with it)"), filters=[strip], validators=[at_most(500)]
    )
