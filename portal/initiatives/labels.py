"""What initiatives' kinds, stages and statuses are called in the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.formatting import clp
from portal.initiatives.models import (
    BeneficiaryUnit,
    EvaluationMethod,
    EvaluationResult,
    FundingSource,
    InitiativeKind,
    Ownership,
    Stage,
    Stance,
    Status,
)

KIND = {
    InitiativeKind.ACTION: _l("Action"),
    InitiativeKind.MANAGEMENT: _l("Management"),
    InitiativeKind.INVESTMENT: _l("Investment"),
}
KIND_EXPLAINED = {
    InitiativeKind.ACTION: _l("Something the mesa or its organizations do themselves."),
    InitiativeKind.MANAGEMENT: _l("Something asked of a public service: a program, a procedure."),
    InitiativeKind.INVESTMENT: _l("A project that needs public money: a road, a building, water."),
}
OWNERSHIP = {
    Ownership.PUBLIC: _l("Public"),
    Ownership.PRIVATE: _l("Private"),
    Ownership.MIXED: _l("Mixed"),
}
BENEFICIARY_UNIT = {
    BeneficiaryUnit.FAMILIES: _l("families"),
    BeneficiaryUnit.PERSONS: _l("persons"),
    BeneficiaryUnit.ORGANIZATIONS: _l("organizations"),
}
EVALUATION_METHOD = {
    EvaluationMethod.COST_EFFICIENCY: _l("Cost-efficiency"),
    EvaluationMethod.COST_BENEFIT: _l("Cost-benefit"),
}
EVALUATION_RESULT = {
    EvaluationResult.PENDING: _l("Not evaluated yet"),
    EvaluationResult.RS: _l("RS: recommended"),
    EvaluationResult.FI: _l("FI: information missing"),
    EvaluationResult.OT: _l("OT: technically objected"),
    EvaluationResult.IN: _l("IN: rules not met"),
}
STAGE = {
    Stage.IDEA: _l("Idea"),
    Stage.PROFILE: _l("Profile"),
    Stage.DESIGN: _l("Design"),
    Stage.EXECUTION: _l("Execution"),
    Stage.FINISHED: _l("Finished"),
}
STATUS = {
    Status.DRAFT: _l("Draft"),
    Status.PROPOSED: _l("Proposed"),
    Status.IN_DELIBERATION: _l("In deliberation"),
    Status.PRIORITIZED: _l("Prioritized by its mesa"),
    Status.PRESENTED: _l("Presented to the mesa territorial"),
    Status.IN_PORTFOLIO: _l("In the portfolio"),
    Status.APPROVED: _l("Approved"),
    Status.IN_EXECUTION: _l("In execution"),
    Status.COMPLETED: _l("Completed"),
    Status.WITHDRAWN: _l("Withdrawn"),
    Status.DISCARDED: _l("Discarded"),
}
FUNDING_SOURCE = {
    FundingSource.FNDR: _l("FNDR (regional government)"),
    FundingSource.SECTORAL: _l("Sectoral (a ministry or service)"),
    FundingSource.CONVERGENCE: _l("Provisión / Fondo de Convergencia"),
    FundingSource.MUNICIPAL: _l("Municipal"),
    FundingSource.PRIVATE: _l("Private"),
    FundingSource.COMMUNITY: _l("Community contribution"),
}
STANCE = {
    Stance.FOR: _l("For"),
    Stance.AGAINST: _l("Against"),
    Stance.QUESTION: _l("A question"),
}

# Imported here so that every label of this package is in one place.
from portal.initiatives.rounds import Method  # noqa: E402

METHOD = {
    Method.DOTS: _l("Dot voting: each member spreads a number of points"),
    Method.APPROVAL: _l("Approval: each member chooses up to a number of initiatives"),
    Method.SCORE: _l("Score: each member gives each initiative 0 to 5"),
    Method.RANKED: _l("Ranking (Borda): each member orders the initiatives"),
    Method.MATRIX: _l("Criteria matrix: each member scores each initiative on weighted criteria"),
}
METHOD_SHORT = {
    Method.DOTS: _l("dot voting"),
    Method.APPROVAL: _l("approval"),
    Method.SCORE: _l("score"),
    Method.RANKED: _l("ranking (Borda)"),
    Method.MATRIX: _l("criteria matrix"),
}

from portal.initiatives.selection import TIE_RULE_GREEDY, TIE_RULE_MES  # noqa: E402

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

from portal.initiatives.portfolios import Phase, StepKind  # noqa: E402

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

# A revision on the timeline: what each field is called, and its values in words.
REVISED_FIELD = {
    "title": _l("Name"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "kind": _l("Kind"),
    "ownership": _l("Ownership"),
    "stage": _l("Stage"),
    "gaps": _l("Gaps of the lag index"),
    "objective": _l("Objective of the plan"),
    "comunas": _l("Comunas"),
    "localities": _l("Localities"),
    "beneficiaries": _l("Beneficiaries"),
    "beneficiary_unit": _l("What the beneficiaries are"),
    "estimated_cost": _l("Estimated cost"),
    "funding": _l("Funding"),
    "responsible": _l("Institution responsible"),
    "proposing_organization": _l("Organization that proposes it"),
    "bip_code": _l("BIP code"),
    "evaluation_method": _l("Evaluation method"),
    "evaluation_result": _l("Result of the evaluation"),
}
_REVISED_ENUM = {
    "kind": (InitiativeKind, KIND),
    "ownership": (Ownership, OWNERSHIP),
    "stage": (Stage, STAGE),
    "beneficiary_unit": (BeneficiaryUnit, BENEFICIARY_UNIT),
    "evaluation_method": (EvaluationMethod, EVALUATION_METHOD),
    "evaluation_result": (EvaluationResult, EVALUATION_RESULT),
}
# Long texts: the timeline says they changed; the initiative's page shows the new text.
LONG_TEXT = frozenset({"summary", "description"})


def revised_value(name: str, value: object) -> str:
    """A field's value as stored in a revision (``services.snapshot``), in words."""
    if value in (None, "", [], {}):
        return str(_l("none"))
    if name == "estimated_cost":
        return clp(value)  # type: ignore[arg-type]
    if name == "funding":
        return "; ".join(
            f"{FUNDING_SOURCE[FundingSource(source)]} {clp(amount)}"
            for source, amount in value.items()  # type: ignore[attr-defined]
        )
    if name in _REVISED_ENUM:
        kind, words = _REVISED_ENUM[name]
        return str(words[kind(value)])
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
