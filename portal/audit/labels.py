"""What the change log's tables and actions are called in the interface. The log itself keeps
the database's names (they are what a checker reads); the page says each in words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TABLE = {
    "agreements": _l("agreements of the mesas"),
    "commitments": _l("commitments"),
    "commitment_milestones": _l("milestones of commitments"),
    "commitment_due_date_changes": _l("new due dates of commitments"),
    "commitment_updates": _l("progress reported on commitments"),
    "commitment_evidence": _l("evidence of progress"),
    "commitment_validations": _l("validations of commitments by the mesa"),
    "portfolio_versions": _l("versions of portfolios"),
    "portfolio_lines": _l("initiatives in a portfolio"),
    "portfolio_line_funding": _l("money of each source in a portfolio"),
    "portfolio_steps": _l("approval steps of portfolios"),
    "record_corrections": _l("corrections to approved actas"),
    "initiatives": _l("initiatives"),
    "initiative_funding": _l("planned money of initiatives"),
    "initiative_status_changes": _l("changes of status of initiatives"),
    "initiative_revisions": _l("changes to initiatives"),
    "admin_actions": _l("what the portal's administration did, and why"),
    "plan_indicators": _l("indicators of the plans, with their baselines"),
    "plan_targets": _l("targets of the plans' indicators"),
    "plan_measurements": _l("measurements of the plans' indicators"),
    "portfolio_funding_approvals": _l("approvals of each line's money by its source"),
    "portfolio_funding_executions": _l("money executed per line and year"),
    "plans": _l("plans of the territories and their periods"),
    "plan_versions": _l("versions of the plans, as agreed and sanctioned"),
    "convenios": _l("convenios and protocolos"),
    "convenio_parties": _l("parties of the convenios and what each contributes"),
    "api_writes": _l("what other systems wrote through the API, with the name of their key"),
}
ACTION = {
    "insert": _l("added"),
    "update": _l("changed"),
    "delete": _l("removed"),
}
