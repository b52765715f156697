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
