"""Forms of commitments. Labels and messages are lazy; choices are filled by the route."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.accounts.forms import check_email
from portal.commitments import labels, services
from portal.commitments.models import OUTCOMES
from portal.core import clock
from portal.core.forms import (
    Choice,
    DayField,
    MoneyField,
    PortalForm,
    at_most,
    checkboxes,
    chosen_id,
    external_url,
    not_in_future,
    only_listed,
    optional_int,
    reason_field,
    strip,
)
from portal.meetings.forms import correction_field
from portal.mesas.forms import check_organization

MILESTONE_ROWS = 3
LINK_ROWS = 2


class MilestoneRow(Form):
    what = StringField(_l("Milestone"), filters=[strip], validators=[at_most(300)])
    due_on = DayField(_l("Its date"), validators=[Optional()])

    def validate_due_on(self, field: DateField) -> None:
        if self.what.data and field.data is None:
            raise ValidationError(_l("Give the milestone a date."))
        if field.data is not None and not self.what.data:
            raise ValidationError(_l("Say what the milestone is."))


class CommitmentForm(PortalForm):
    agreement = chosen_id(_l("Agreement it belongs to"), _l("Choose an agreement of this session."))
    organization = SelectField(
        _l("Institution that commits"),
        coerce=optional_int,
        validate_choice=False,
        validators=[
            InputRequired(_l("Choose the institution that commits.")),
            check_organization,
        ],
    )
    official = StringField(
        _l("Office responsible inside the institution (optional)"),
        filters=[strip],
        validators=[at_most(160)],
    )
    deliverable = TextAreaField(
        _l("What it will deliver, in plain words"),
        filters=[strip],
        validators=[DataRequired(_l("Say what the institution will deliver.")), at_most(2000)],
    )
    comunas = checkboxes(_l("Comunas (optional)"))
    amount = MoneyField(_l("Amount in pesos (optional)"))
    due_on = DayField(_l("Due date"), validators=[InputRequired(_l("Enter the due date."))])
    milestones = FieldList(FormField(MilestoneRow), min_entries=MILESTONE_ROWS)
    initiatives = checkboxes(_l("Initiatives it serves (optional)"))
    is_public = BooleanField(_l("Public (anyone can follow it)"), default=True)

    correction = correction_field()

    # The day of the session, set by the route: the due date is checked against it together
    # with every other field, so that all the problems are listed at once.
    taken_on: dt.date | None = None

    def validate_due_on(self, field: DateField) -> None:
        if self.taken_on is None or field.data is None:
            return
        if problem := services.due_date_problem(field.data, self.taken_on):
            raise ValidationError(problem)

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        """Every field, then each milestone's date against the session and the due date, so
        that a milestone out of range is listed with every other problem."""
        valid = super().validate(extra_validators)
        due_on = self.due_on.data if not self.due_on.errors else None
        if self.taken_on is None or due_on is None:
            return valid
        for row in self.milestones:
            day = row.form.due_on
            if day.data is None or day.errors or not row.form.what.data:
                continue
            if problem := services.milestone_date_problem(
                row.form.what.data, day.data, self.taken_on, due_on
            ):
                day.errors.append(problem)
                valid = False
        return valid

    def validate_comunas(self, field: SelectMultipleField) -> None:
        only_listed(_l("Choose comunas of this territory."))(self, field)

    def validate_initiatives(self, field: SelectMultipleField) -> None:
        only_listed(_l("Choose initiatives from the list."))(self, field)


class RescheduleForm(PortalForm):
    due_on = DayField(_l("New due date"), validators=[InputRequired(_l("Enter the new date."))])
    reason = reason_field(
        _l("Why the date changes (public)"), required_message=_l("Say why the date changes.")
    )


class LinkRow(Form):
    url = StringField(_l("Link"), filters=[strip], validators=[external_url(500)])
    title = StringField(_l("What it shows"), filters=[strip], validators=[at_most(200)])


class UpdateForm(PortalForm):
    reported_on = DayField(
        _l("Date of the update"),
        validators=[InputRequired(_l("Enter a date.")), not_in_future],
        default=clock.today,
    )
    text = TextAreaField(
        _l("What was done"),
        filters=[strip],
        validators=[DataRequired(_l("Say what was done.")), at_most(5000)],
    )
    percent = IntegerField(
        _l("Progress in percent (optional)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100.")),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": 100},
    )
    milestone = chosen_id(
        _l("Milestone reached (optional)"), _l("Choose a milestone of this commitment.")
    )
    done_on = DayField(
        _l("Delivered on (only when the deliverable is done)"),
        validators=[Optional(), not_in_future],
    )
    files = MultipleFileField(_l("Photos or documents (optional)"))
    links = FieldList(FormField(LinkRow), min_entries=LINK_ROWS)


class ValidateForm(PortalForm):
    outcome = Choice(
        _l("What the mesa concluded"),
        choices=[SelectChoice(status.value, labels.STATUS[status]) for status in OUTCOMES],
        message=_l("Choose what the mesa concluded."),
    )
    done_on = DayField(
        _l("Date the deliverable was done (for fulfilled or partly fulfilled)"),
        validators=[Optional(), not_in_future],
    )
    meeting = chosen_id(
        _l("Session where the mesa validated it"), _l("Choose a session of this mesa.")
    )
    agreement = chosen_id(
        _l("Agreement that validates it (optional)"), _l("Choose an agreement of this mesa.")
    )
    note = TextAreaField(_l("Note (optional, public)"), filters=[strip], validators=[at_most(2000)])


class CancelForm(PortalForm):
    reason = reason_field(
        _l("Why it is cancelled (public)"),
        required_message=_l("Say why the commitment is cancelled."),
    )


class ObservationForm(PortalForm):
    text = TextAreaField(
        _l("What do you see on the ground?"),
        filters=[strip],
        validators=[DataRequired(_l("Write what you see.")), at_most(2000)],
    )
    name = StringField(
        _l("Your name or your organization's (optional, shown if published)"),
        filters=[strip],
        validators=[at_most(120)],
    )
    email = EmailField(
        _l("Your email (optional, never shown): we write to you when the secretary answers"),
        filters=[strip],
        validators=[Optional(), check_email],
    )


class AnswerForm(PortalForm):
    answer = TextAreaField(
        _l("The institution's answer (public, beside the observation)"),
        filters=[strip],
        validators=[DataRequired(_l("Write the institution's answer.")), at_most(2000)],
    )


class DeclineForm(PortalForm):
    reason = reason_field(
        _l("Why it is not published (its author reads this)"),
        required_message=_l("Say why it is not published."),
    )
