"""Forms of membership and of a mesa's status. Labels and messages are lazy."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.accounts.forms import check_email, check_phone
from portal.core.forms import (
    Choice,
    ChoiceOf,
    DayField,
    PortalForm,
    date_field,
    enum_choices,
    not_in_future,
    optional_int,
    reason_field,
    strip,
)
from portal.extensions import db
from portal.mesas import labels
from portal.mesas.models import Organization, Role

NAME_MAX = 120


def organization_choices() -> list[SelectChoice]:
    """Every organization of the registry, by name; the first choice is "none"."""
    rows = db.session.execute(
        sa.select(Organization.id, Organization.name, Organization.short_name).order_by(
            Organization.name
        )
    ).all()
    return [SelectChoice("", _l("None: on my own behalf"))] + [
        SelectChoice(str(id_), f"{name} ({short})" if short else name) for id_, name, short in rows
    ]


def chosen_organization(form: FlaskForm) -> Organization | None:
    if form.organization.data is None:
        return None
    return db.session.get(Organization, form.organization.data)


def check_organization(form: FlaskForm, field: SelectField) -> None:
    if field.raw_data and field.raw_data[0] and chosen_organization(form) is None:
        raise ValidationError(_l("Choose an organization from the list."))


def organization_field(label: str = _l("Organization represented")) -> SelectField:
    return SelectField(
        label, coerce=optional_int, validate_choice=False, validators=[check_organization]
    )


def role_field() -> SelectField:
    return SelectField(
        _l("Role"),
        choices=enum_choices(labels.ROLE),
        validate_choice=False,
        validators=[ChoiceOf(_l("Choose a role."))],
    )


def actor_type_field() -> Choice:
    return Choice(
        _l("Kind of actor"),
        choices=enum_choices(labels.ACTOR_TYPE),
        message=_l("Choose the kind of actor."),
    )


class JoinForm(PortalForm):
    organization = organization_field(_l("Which organization do you represent?"))
    message = reason_field(_l("Message to the secretary (optional)"))


class SeatForm(PortalForm):
    """Role, organization, kind of actor and delegate flag."""

    role = role_field()
    organization = organization_field()
    actor_type = actor_type_field()
    is_delegate = BooleanField(_l("Delegate to the mesa territorial"))

    # Set by the route from can("mesa.name_chair"): the chair is named only by the chair.
    may_name_chair = True

    def validate_role(self, field: SelectField) -> None:
        if field.data == Role.CHAIR.value and not self.may_name_chair:
            raise ValidationError(
                _l("Only the chair of the mesa names a chair. Choose another role.")
            )


class DecideForm(SeatForm):
    decision = Choice(
        _l("Your answer"),
        choices=[
            SelectChoice("approve", _l("Approve: the person joins the mesa")),
            SelectChoice("decline", _l("Decline")),
        ],
        message=_l("Choose whether you approve or decline the request."),
    )
    reason = reason_field(_l("Reason (required to decline; the person will read it)"))

    def validate_reason(self, field: TextAreaField) -> None:
        if self.decision.data == "decline" and not field.data:
            raise ValidationError(_l("Say why you decline; the person will read it."))


class AddMemberForm(SeatForm):
    name = StringField(
        _l("Full name"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the person's name.")),
            Length(max=NAME_MAX, message=_l("At most %(n)s characters.", n=NAME_MAX)),
        ],
    )
    phone = StringField(_l("Phone (optional)"), filters=[strip], validators=[check_phone])
    share_phone = BooleanField(_l("The person agrees that the mesa's members see this phone"))
    started_on = date_field(_l("Member since"))


class EditMemberForm(SeatForm):
    """For a member kept on record the name and phone can be corrected too."""

    name = AddMemberForm.name
    phone = AddMemberForm.phone


class EndMembershipForm(PortalForm):
    ended_on = date_field(_l("Last day at the mesa"))
    reason = reason_field(_l("Reason (optional; shown in the public history)"))


class LeaveForm(PortalForm):
    reason = reason_field(_l("Why are you leaving? (optional; shown in the public history)"))


class InviteForm(PortalForm):
    name = AddMemberForm.name
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter the email address.")), check_email],
    )
    role = role_field()
    organization = organization_field()

    may_name_chair = True
    validate_role = SeatForm.validate_role


class LinkAccountForm(PortalForm):
    email = EmailField(
        _l("Email of the person's account"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter the email address.")), check_email],
    )


class ShareForm(PortalForm):
    share_email = BooleanField(_l("Show my email to the members of this mesa"))
    share_phone = BooleanField(_l("Show my phone to the members of this mesa"))


class StatusForm(PortalForm):
    status = Choice(
        _l("New status"),
        choices=enum_choices(labels.MESA_STATUS),
        message=_l("Choose the new status."),
    )
    since = date_field(_l("Since"))
    reason = reason_field(
        _l("Reason (shown in the public history)"),
        required_message=_l("Say why the status changes; the public history shows it."),
    )


class MesaForm(PortalForm):
    """What the chair and secretary keep up to date about their mesa."""

    name = StringField(
        _l("Name of the mesa"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the name of the mesa.")),
            Length(max=200, message=_l("At most %(n)s characters.", n=200)),
        ],
    )
    theme = StringField(
        _l("Theme (mesas temáticas)"),
        filters=[strip],
        validators=[Length(max=120, message=_l("At most %(n)s characters.", n=120))],
    )
    chair_title = StringField(
        _l("Title of whoever chairs it"),
        filters=[strip],
        validators=[Length(max=120, message=_l("At most %(n)s characters.", n=120))],
    )
    description = TextAreaField(
        _l("About this mesa"),
        validators=[Length(max=20_000, message=_l("At most %(n)s characters.", n=20_000))],
    )
    pre_existing = BooleanField(_l("It existed before the program, which joined it"))
    founding_instrument = Choice(
        _l("How it was founded"),
        choices=[SelectChoice("", _l("Not recorded")), *enum_choices(labels.FOUNDING_INSTRUMENT)],
        message=_l("Choose how the mesa was founded."),
    )
    founded_on = DayField(_l("Founded on (optional)"), validators=[Optional(), not_in_future])
    quorum_rule = Choice(
        _l("Quorum to hold a session and decide"),
        choices=enum_choices(labels.QUORUM_RULE),
        default="majority",
        message=_l("Choose the quorum rule."),
    )
