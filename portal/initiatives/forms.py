"""The form of an initiative and of a change of its status."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
)

from portal.core import clock
from portal.core.forms import (
    Choice,
    ChoiceOf,
    MoneyField,
    PortalForm,
    at_most,
    checkboxes,
    enum_choices,
    listed_or_empty,
    only_listed,
    optional_int,
    reason_field,
    strip,
)
from portal.extensions import db
from portal.initiatives import labels
from portal.initiatives.models import (
    SUMMARY_MAX,
    FundingSource,
)
from portal.mesas.forms import organization_choices
from portal.mesas.models import Mesa
from portal.plans import services as plan_services
from portal.reference.models import GapDimension, StrategicObjective


class InitiativeForm(PortalForm):
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
    kind = Choice(
        _l("Kind"),
        choices=enum_choices(labels.KIND),
        message=_l("Choose the kind of initiative."),
    )
    ownership = Choice(
        _l("Ownership"),
        choices=enum_choices(labels.OWNERSHIP),
        default="public",
        message=_l("Choose whether it is public, private or mixed."),
    )
    stage = SelectField(
        _l("Stage"),
        choices=enum_choices(labels.STAGE),
        default="idea",
        validate_choice=False,
        validators=[ChoiceOf(_l("Choose the stage."))],
    )
    gaps = checkboxes(_l("Gaps it addresses"))
    objective = SelectField(
        _l("Objective of the territory's plan"),
        coerce=optional_int,
        validate_choice=False,
        validators=[
            listed_or_empty(_l("Choose an objective of the plan in force, from the list."))
        ],
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
        validate_choice=False,
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

    def fill_choices(self, mesa: Mesa, keep_objective: int | None = None) -> None:
        """The territory's comunas and objectives (those of the plan in force, once one is
        sanctioned; an initiative keeps the one it has), the active gaps, the
        organizations."""
        gaps = db.session.scalars(
            sa.select(GapDimension).where(GapDimension.active).order_by(GapDimension.position)
        )
        self.gaps.choices = [(g.id, f"{g.code}. {g.name}") for g in gaps]
        offered = sa.select(StrategicObjective).where(
            StrategicObjective.territory_id == mesa.territory_id, StrategicObjective.active
        )
        in_force = plan_services.in_force_objective_ids(mesa.territory_id)
        if in_force is not None:
            offered = offered.where(
                StrategicObjective.id.in_(in_force) | (StrategicObjective.id == keep_objective)
            )
        objectives = db.session.scalars(
            offered.order_by(StrategicObjective.position, StrategicObjective.code)
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


class StatusForm(PortalForm):
    status = Choice(_l("What happens now"), message=_l("Choose a step."))
    reason = reason_field(_l("Why (required to withdraw or discard; shown on the page)"))


def _body(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write your comment.")),
            at_most(2000),
        ],
    )


class CommentForm(PortalForm):
    stance = Choice(
        _l("Your position"),
        choices=enum_choices(labels.STANCE),
        message=_l("Say whether you are for, against, or asking."),
    )
    body = _body(_l("Your comment"))


class AnswerForm(PortalForm):
    body = _body(_l("Your answer"))


class HideForm(PortalForm):
    reason = reason_field(
        _l("Why is it hidden? (everyone will read this reason)"),
        required_message=_l("Say why the comment is hidden."),
    )
