"""What each territory phase and status is called in the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.places.models import TerritoryPhase, TerritoryStatus

PHASE_LABELS = {
    TerritoryPhase.BEFORE_PLAN: _l("Before its first plan"),
    TerritoryPhase.ANNUAL_PLAN: _l("Annual plan"),
    TerritoryPhase.TRIENNIAL_PLAN: _l("Triennial plan"),
}
STATUS_LABELS = {
    TerritoryStatus.LAGGING: _l("Lagging territory"),
    TerritoryStatus.EXITING: _l("Exiting the program"),
    TerritoryStatus.EXITED: _l("Exited the program"),
}
