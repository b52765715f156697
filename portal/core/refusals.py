"""A rule refusing an action (``core.actions.carried_out`` shows it where the person is)."""

from __future__ import annotations

# The status of a form that was sent and not accepted (what was typed is shown again).
INVALID = 422


class Refused(Exception):
    """The action breaks a rule; ``message`` says which, in the reader's language."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status
