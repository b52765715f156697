"""What commitments and their states are called in the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from portal.commitments.models import CommitmentStatus, EvidenceKind, ObservationStatus

STATUS = {
    CommitmentStatus.PENDING: _l("Pending"),
    CommitmentStatus.IN_PROGRESS: _l("In progress"),
    CommitmentStatus.FULFILLED: _l("Fulfilled"),
    CommitmentStatus.PARTLY_FULFILLED: _l("Partly fulfilled"),
    CommitmentStatus.NOT_FULFILLED: _l("Not fulfilled"),
    # A cancelled session is "suspendida", a cancelled commitment is not: its own context.
    CommitmentStatus.CANCELLED: lazy_pgettext("commitment", "Cancelled"),
}
# Derived, never stored: an open commitment whose due date has passed.
OVERDUE = _l("Overdue")
AWAITING_VALIDATION = _l("Delivery reported, awaiting the mesa's validation")
OBSERVATION_STATUS = {
    ObservationStatus.PENDING: _l("Awaiting review"),
    ObservationStatus.PUBLISHED: _l("Published"),
    ObservationStatus.DECLINED: _l("Not published"),
}
EVIDENCE_KIND = {
    EvidenceKind.FILE: _l("File"),
    EvidenceKind.LINK: _l("Link"),
}
