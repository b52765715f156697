"""A rule refusing an action, and how a form page shows it."""

from __future__ import annotations

from flask import render_template

from portal.extensions import db

# The status of a form that was sent and not accepted (what was typed is shown again).
INVALID = 422


class Refused(Exception):
    """The action breaks a rule; ``message`` says which, in the reader's language."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status


def show_refused(template: str, refusal: Refused, **context):  # type: ignore[no-untyped-def]
    """The rule's message at the top of the form (``context["form"]``), with what was typed
    kept and nothing stored: the transaction is rolled back first."""
    db.session.rollback()
    context["form"].form_errors.append(str(refusal.message))
    return render_template(template, **context), refusal.status
