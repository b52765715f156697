"""What initiatives' kinds, stages and statuses are called in the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
