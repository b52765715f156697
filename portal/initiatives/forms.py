"""The form of an initiative and of a change of its status."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from portal.core import clock
from portal.core.forms import (
    ChoiceOf,
    DayField,
    MoneyField,
    at_most,
    checkboxes,
    enum_choices,
    listed_or_empty,
    only_listed,
    optional_int,
    reason_field,
    strip,
)
from portal.core.guards import read_int
from portal.extensions import db
from portal.initiatives import labels
from portal.initiatives.models import SUMMARY_MAX, FundingSource, GapDimension, StrategicObjective
from portal.mesas.forms import organization_choices
from portal.mesas.models import Mesa


class InitiativeForm(FlaskForm):
    title = StringField(
        _l("Name of the initiative"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the initiative a name.")), at_most(200)],
    )
    summary = TextAreaField(
        _l("Summary"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write a short summary.")),
            Length(
                max=SUMMARY_MAX,
                message=_l("The summary takes at most %(n)s characters.", n=SUMMARY_MAX),
            ),
        ],
    )
    description = TextAreaField(
        _l("Description (optional)"), filters=[strip], validators=[at_most(20_000)]
    )
    kind = RadioField(
        _l("Kind"),
        choices=enum_choices(labels.KIND),
        validators=[ChoiceOf(_l("Choose the kind of initiative."))],
    )
    ownership = RadioField(
        _l("Ownership"),
        choices=enum_choices(labels.OWNERSHIP),
        default="public",
        validators=[ChoiceOf(_l("Choose whether it is public, private or mixed."))],
    )
    stage = SelectField(
        _l("Stage"),
        choices=enum_choices(labels.STAGE),
        default="idea",
        validators=[ChoiceOf(_l("Choose the stage."))],
    )
    gaps = checkboxes(_l("Gaps it addresses"))
    objective = SelectField(
        _l("Objective of the territory's plan"), coerce=optional_int, validate_choice=False
    )
    comunas = checkboxes(_l("Comunas"))
    localities = StringField(
        _l("Localities (optional)"), filters=[strip], validators=[at_most(300)]
    )
    beneficiaries = IntegerField(
        _l("Beneficiaries (how many)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=10**8, message=_l("Enter a number from 0 upwards.")),
        ],
    )
    beneficiary_unit = SelectField(
        _l("Beneficiaries (what they are)"),
        choices=[SelectChoice("", _l("Choose")), *enum_choices(labels.BENEFICIARY_UNIT)],
        filters=[strip],
        validate_choice=False,
        validators=[listed_or_empty(_l("Choose what the beneficiaries are from the list."))],
    )
    estimated_cost = MoneyField(_l("Estimated cost in pesos (optional)"))
    fndr = MoneyField(labels.FUNDING_SOURCE[FundingSource.FNDR])
    sectoral = MoneyField(labels.FUNDING_SOURCE[FundingSource.SECTORAL])
    ministry = StringField(
        _l("Ministry or service of the sectoral money"), filters=[strip], validators=[at_most(120)]
    )
    convergence = MoneyField(labels.FUNDING_SOURCE[FundingSource.CONVERGENCE])
    municipal = MoneyField(labels.FUNDING_SOURCE[FundingSource.MUNICIPAL])
    private = MoneyField(labels.FUNDING_SOURCE[FundingSource.PRIVATE])
    community = MoneyField(labels.FUNDING_SOURCE[FundingSource.COMMUNITY])
    responsible = SelectField(
        _l("Institution responsible (optional)"), coerce=optional_int, validate_choice=False
    )
    proposing_organization = SelectField(
        _l("Organization that proposes it"), coerce=optional_int, validate_choice=False
    )
    bip_code = StringField(
        _l("BIP code (optional)"),
        filters=[strip],
        validators=[at_most(20)],
    )
    evaluation_method = SelectField(
        _l("Evaluation method"),
        choices=[SelectChoice("", _l("Not evaluated")), *enum_choices(labels.EVALUATION_METHOD)],
        filters=[strip],
        validate_choice=False,
        validators=[listed_or_empty(_l("Choose the evaluation method from the list."))],
    )
    evaluation_result = SelectField(
        _l("Result of the evaluation"),
        choices=enum_choices(labels.EVALUATION_RESULT),
        default="pending",
        validators=[ChoiceOf(_l("Choose the result of the evaluation."))],
    )

    FUNDING_FIELDS = {
        FundingSource.FNDR: "fndr",
        FundingSource.SECTORAL: "sectoral",
        FundingSource.CONVERGENCE: "convergence",
        FundingSource.MUNICIPAL: "municipal",
        FundingSource.PRIVATE: "private",
        FundingSource.COMMUNITY: "community",
    }

    def fill_choices(self, mesa: Mesa) -> None:
        """The territory's comunas and objectives, the active gaps, the organizations."""
        gaps = db.session.scalars(
            sa.select(GapDimension).where(GapDimension.active).order_by(GapDimension.position)
        )
        self.gaps.choices = [(g.id, f"{g.code}. {g.name}") for g in gaps]
        objectives = db.session.scalars(
            sa.select(StrategicObjective)
            .where(StrategicObjective.territory_id == mesa.territory_id, StrategicObjective.active)
            .order_by(StrategicObjective.position, StrategicObjective.code)
        )
        self.objective.choices = [SelectChoice("", _l("None chosen"))] + [
            SelectChoice(str(o.id), o.label) for o in objectives
        ]
        territory = mesa.territory
        comunas = territory.comunas_on(clock.today()) if territory is not None else []
        self.comunas.choices = [(c.id, c.name) for c in comunas]
        organizations = organization_choices()
        self.proposing_organization.choices = organizations
        self.responsible.choices = [SelectChoice("", _l("Not known yet")), *organizations[1:]]

    def validate_gaps(self, field: SelectMultipleField) -> None:
        only_listed(_l("Choose gaps from the list."))(self, field)

    def validate_comunas(self, field: SelectMultipleField) -> None:
        only_listed(_l("Choose comunas of this territory."))(self, field)


class EditInitiativeForm(InitiativeForm):
    reason = reason_field(
        _l(
            "Why it changes (shown on its timeline; needed for the name, cost or funding once "
            "a mesa decided on it)"
        )
    )


class StatusForm(FlaskForm):
    status = RadioField(_l("What happens now"), validators=[ChoiceOf(_l("Choose a step."))])
    reason = reason_field(_l("Why (required to withdraw or discard; shown on the page)"))


def _body(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write your comment.")),
            Length(max=2000, message=_l("At most %(n)s characters.", n=2000)),
        ],
    )


class CommentForm(FlaskForm):
    stance = RadioField(
        _l("Your position"),
        choices=enum_choices(labels.STANCE),
        validators=[ChoiceOf(_l("Say whether you are for, against, or asking."))],
    )
    body = _body(_l("Your comment"))


class AnswerForm(FlaskForm):
    body = _body(_l("Your answer"))


class HideForm(FlaskForm):
    reason = reason_field(
        _l("Why is it hidden? (everyone will read this reason)"),
        required_message=_l("Say why the comment is hidden."),
    )


class RoundForm(FlaskForm):
    title = StringField(
        _l("Name of the round"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the round a name.")), at_most(200)],
    )
    initiatives = checkboxes(_l("Initiatives to weigh"))
    method = RadioField(
        _l("Method"),
        choices=enum_choices(labels.METHOD),
        default="dots",
        validators=[ChoiceOf(_l("Choose the method."))],
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


class CancelRoundForm(FlaskForm):
    reason = reason_field(
        _l("Why the round is cancelled (everyone reads it)"),
        required_message=_l("Say why the round is cancelled."),
    )


class CloseRoundForm(FlaskForm):
    meeting = SelectField(
        _l("Session where the round is closed"), coerce=optional_int, validate_choice=False
    )
    prioritize = IntegerField(
        _l("How many of the first are prioritized by the mesa (optional)"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=1000, message=_l("From 0 upwards."))],
    )


class PortfolioForm(FlaskForm):
    title = StringField(
        _l("Name of the portfolio"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the portfolio a name.")), at_most(200)],
    )
    phase = RadioField(
        _l("Phase of the plan"),
        choices=enum_choices(labels.PHASE),
        default="annual",
        validators=[ChoiceOf(_l("Choose the phase."))],
    )
    rule = RadioField(
        _l("Which selection"),
        choices=[
            SelectChoice("equal_shares", _l("Method of Equal Shares")),
            SelectChoice("greedy", _l("By score, skipping what does not fit")),
        ],
        default="equal_shares",
        validators=[ChoiceOf(_l("Choose the selection."))],
    )


class NewVersionForm(FlaskForm):
    reason = TextAreaField(
        _l("What changes and why (shown with the version)"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Say why the portfolio changes.")),
            at_most(1000),
        ],
    )


class StepForm(FlaskForm):
    kind = RadioField(
        _l("Step"),
        choices=enum_choices(labels.STEP_KIND),
        validators=[ChoiceOf(_l("Choose the step."))],
    )
    on = DayField(_l("Date"), validators=[InputRequired(message=_l("Enter the date."))])
    agreement = SelectField(
        _l("Agreement of the mesa territorial"), coerce=optional_int, validate_choice=False
    )
    observations = TextAreaField(
        _l("Observations of the review"), filters=[strip], validators=[at_most(5000)]
    )
    source = SelectField(
        _l("Source of money approved"),
        validate_choice=False,
        validators=[listed_or_empty(_l("Choose a source of money of this portfolio."))],
    )
    document = StringField(
        _l("Document (number of the agreement, the official letter, or a web address)"),
        filters=[strip],
        validators=[at_most(300)],
    )


class ImportRoundForm(FlaskForm):
    title = RoundForm.title
    file = FileField(
        _l("Pabulib file (.pb)"),
        validators=[
            FileRequired(message=_l("Choose the .pb file.")),
            FileAllowed(["pb"], message=_l("Choose a Pabulib file: its name ends in .pb.")),
        ],
    )
