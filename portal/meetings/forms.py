"""Forms of sessions, the agenda, attendance, the acta and agreements."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
)

from portal.core.forms import (
    Choice,
    DayField,
    PortalForm,
    at_most,
    checkboxes,
    enum_choices,
    external_url,
    optional_int,
    reason_field,
    strip,
)
from portal.meetings import labels
from portal.meetings.models import DecisionMode, Modality

TEXT_MAX = 200_000
VOTES_MAX = 10_000


class MeetingForm(PortalForm):
    day = DayField(_l("Date"), validators=[InputRequired(message=_l("Enter the date."))])
    starts = TimeField(
        _l("Starts at"), validators=[InputRequired(message=_l("Enter the time it starts."))]
    )
    ends = TimeField(
        _l("Ends at (about)"), validators=[InputRequired(message=_l("Enter the time it ends."))]
    )
    kind = Choice(
        _l("Kind of session"),
        choices=enum_choices(labels.MEETING_KIND),
        default="ordinary",
        message=_l("Choose the kind of session."),
    )
    modality = Choice(
        _l("How people take part"),
        choices=enum_choices(labels.MODALITY),
        default="in_person",
        message=_l("Choose how people take part."),
    )
    place = StringField(
        _l("Place"), filters=[strip], validators=[at_most(200)], render_kw={"maxlength": 200}
    )
    online_url = URLField(
        _l("Link to join online"), filters=[strip], validators=[external_url(300)]
    )

    @property
    def modality_value(self) -> Modality:
        return Modality(self.modality.data)


class NewMeetingForm(MeetingForm):
    held = Choice(
        _l("Has it taken place?"),
        choices=[
            SelectChoice("no", _l("Not yet: schedule it")),
            SelectChoice("yes", _l("It already took place: record it")),
        ],
        default="no",
        message=_l("Say whether the session already took place."),
    )


class CancelForm(PortalForm):
    reason = reason_field(
        _l("Why is it cancelled? (shown on the public page)"),
        required_message=_l("Say why the session is cancelled."),
    )


class AgendaItemForm(PortalForm):
    initiative = SelectField(
        _l("Initiative to review (optional)"), coerce=optional_int, validate_choice=False
    )
    title = StringField(
        _l("Item"),
        filters=[strip],
        validators=[DataRequired(message=_l("Write the item of the agenda.")), at_most(200)],
    )
    notes = TextAreaField(_l("Notes (optional)"), filters=[strip], validators=[at_most(5000)])


def correction_field() -> TextAreaField:
    """Why the record of a session whose acta is approved changes; the page shows it only
    then, and the service requires it then."""
    return reason_field(_l("Why the approved acta's record is corrected (the acta shows it)"))


class AttendanceForm(PortalForm):
    present = checkboxes(_l("Present"))
    unnamed = IntegerField(
        _l("Other people from the community (not named)"),
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=VOTES_MAX, message=_l("Enter a number from 0 upwards.")),
        ],
    )
    correction = correction_field()


class GuestForm(PortalForm):
    name = StringField(
        _l("Guest's name"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter the guest's name.")), at_most(120)],
    )
    organization = StringField(
        _l("Organization or institution (optional)"), filters=[strip], validators=[at_most(200)]
    )
    # Its own name: the attendance form on the same page has a "correction" too.
    guest_correction = correction_field()


class RemoveGuestForm(PortalForm):
    correction = correction_field()


class MinutesForm(PortalForm):
    text = TextAreaField(
        _l("Text of the acta"),
        validators=[DataRequired(message=_l("Write the text of the acta.")), at_most(TEXT_MAX)],
    )
    reason = reason_field(_l("What changed and why (required once the acta is approved)"))


class ApproveForm(PortalForm):
    mode = Choice(
        _l("Who approved it"),
        choices=enum_choices(labels.APPROVAL_MODE),
        message=_l("Choose who approved the acta."),
    )
    session = SelectField(
        _l("Session where the members approved it"), coerce=optional_int, validate_choice=False
    )


def _count(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, max=VOTES_MAX, message=_l("Enter a number from 0 upwards.")),
        ],
        render_kw={"inputmode": "numeric", "min": 0},
    )


class AgreementForm(PortalForm):
    statement = TextAreaField(
        _l("What was agreed"),
        filters=[strip],
        validators=[DataRequired(message=_l("Write what was agreed.")), at_most(5000)],
    )
    mode = Choice(
        _l("How it was decided"),
        # A round's agreement is recorded by closing the round, not by hand.
        choices=[c for c in enum_choices(labels.DECISION_MODE) if c.value != DecisionMode.ROUND],
        default=DecisionMode.CONSENSUS.value,
        message=_l("Choose how it was decided."),
    )
    votes_for = _count(_l("In favour"))
    votes_against = _count(_l("Against"))
    votes_abstaining = _count(_l("Abstaining"))
    dissent = TextAreaField(
        _l("Dissent, in words (optional)"), filters=[strip], validators=[at_most(5000)]
    )
    review_on = DayField(_l("Review on (optional)"), validators=[Optional()])
    replaces = SelectField(
        _l("It replaces an earlier agreement (optional)"),
        coerce=optional_int,
        validate_choice=False,
    )
    reason = reason_field(_l("Why the earlier agreement is replaced"))
    initiatives = checkboxes(_l("Initiatives it concerns (optional)"))
    correction = correction_field()


class WithdrawForm(PortalForm):
    reason = reason_field(
        _l("Why is it withdrawn? (shown beside the agreement)"),
        required_message=_l("Say why the agreement is withdrawn."),
    )
