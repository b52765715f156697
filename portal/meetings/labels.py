"""What sessions, actas and agreements are called in the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.meetings.models import (
    AgreementStatus,
    ApprovalMode,
    DecisionMode,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    Modality,
)

MODALITY = {
    Modality.IN_PERSON: _l("In person"),
    Modality.ONLINE: _l("Online"),
    Modality.HYBRID: _l("In person and online"),
}
MEETING_KIND = {
    MeetingKind.ORDINARY: _l("Ordinary"),
    MeetingKind.EXTRAORDINARY: _l("Extraordinary"),
    MeetingKind.CONSTITUTIVE: _l("Constitutive"),
}
MEETING_STATUS = {
    MeetingStatus.SCHEDULED: _l("Scheduled"),
    MeetingStatus.HELD: _l("Held"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
}
MINUTES_STATUS = {
    MinutesStatus.DRAFT: _l("Draft"),
    MinutesStatus.CIRCULATED: _l("Sent to the members for review"),
    MinutesStatus.APPROVED: _l("Approved"),
    MinutesStatus.PUBLISHED: _l("Published"),
}
APPROVAL_MODE = {
    ApprovalMode.IN_SESSION: _l("By the members in a later session"),
    ApprovalMode.BY_CHAIR: _l("By the chair"),
}
DECISION_MODE = {
    DecisionMode.CONSENSUS: _l("By consensus"),
    DecisionMode.VOTE: _l("By vote"),
    DecisionMode.DEFERRED: _l("Deferred"),
    DecisionMode.ROUND: _l("By a prioritization round"),
}
AGREEMENT_STATUS = {
    AgreementStatus.IN_FORCE: _l("In force"),
    AgreementStatus.WITHDRAWN: _l("Withdrawn"),
    AgreementStatus.REPLACED: _l("Replaced"),
}
