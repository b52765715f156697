"""What the plan's kinds of indicator and directions are called in the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.plans.models import Direction, IndicatorKind, PeriodKind

KIND = {
    IndicatorKind.FOCUS: _l("Indicator of focus (an effect the plan seeks)"),
    IndicatorKind.OPERATIONAL: _l("Operational indicator (what the plan does)"),
}
DIRECTION = {
    Direction.UP: _l("more is better"),
    Direction.DOWN: _l("less is better"),
}
PERIOD = {
    PeriodKind.ANNUAL: _l("Annual (while the mesas are being formed)"),
    PeriodKind.TRIENNIAL: _l("Triennial"),
}
