"""What portfolios' phases and steps are called in the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.initiatives.labels import FUNDING_SOURCE  # noqa: F401 (the sources of money are the initiatives')
from portal.portfolios.models import Decision, Phase, StepKind

PHASE = {
    Phase.ANNUAL: _l("Annual plan"),
    Phase.TRIENNIAL: _l("Triennial plan"),
    Phase.REVISION: _l("Revision of the plan"),
}
STEP_KIND = {
    StepKind.AGREED: _l("Agreed by the mesa territorial"),
    StepKind.REVIEWED: _l("Reviewed by the mesa técnica regional"),
    StepKind.SOURCE_APPROVED: _l("A source of money approved its part"),
}
DECISION = {
    Decision.APPROVED: _l("Approved in full"),
    Decision.PARTIAL: _l("Approved in part"),
    Decision.REJECTED: _l("Rejected"),
}
