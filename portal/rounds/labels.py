"""What rounds' methods and tie rules are called in the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.rounds.models import Method
from portal.rounds.selection import TIE_RULE_GREEDY, TIE_RULE_MES

METHOD = {
    Method.DOTS: _l("Dot voting: each member spreads a number of points"),
    Method.APPROVAL: _l("Approval: each member chooses up to a number of initiatives"),
    Method.SCORE: _l("Score: each member gives each initiative 0 to 5"),
    Method.RANKED: _l(
        "Order of preference: each member puts the initiatives in order, and the first gets "
        "the most points"
    ),
    Method.MATRIX: _l("Criteria matrix: each member scores each initiative on weighted criteria"),
}
METHOD_SHORT = {
    Method.DOTS: _l("dot voting"),
    Method.APPROVAL: _l("approval"),
    Method.SCORE: _l("score"),
    Method.RANKED: _l("order of preference"),
    Method.MATRIX: _l("criteria matrix"),
}

# The tie rule that decided a budget selection, said on its result (selection.TIE_RULES).
SELECTION_TIE_RULE = {
    TIE_RULE_GREEDY: _l(
        "Ties: among initiatives with the same score, the cheaper one came first, and among "
        "equal costs the one added to the round first."
    ),
    TIE_RULE_MES: _l(
        "Ties: among initiatives with the same price per unit of support, the cheaper one came "
        "first, and among equal costs the one added to the round first; the completion by "
        "score breaks its ties the same way."
    ),
}
