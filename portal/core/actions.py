"""One way to carry out what a person asked for, after the route has loaded what it needs and
asked ``can()``: the service runs, the transaction commits, and a refusal is shown where the
person is, with nothing stored.

    with carried_out(page=("commitments/new.html", context)):
        services.record(meeting, data, current_user)
    flash(...)
    return redirect(...)

A ``Refused`` from the service (or from the commit, for ``conflict``) rolls back, undoes what
was kept outside the database (``undo``, for files), and ends the request: with the message at
the top of the form on its page (``page``: template and context, ``context["form"]``) and the
refusal's status, or, for a button without a page of its own, flashed on ``back`` (303; the
address the action was sent to when not given). Any
other error rolls back, undoes and goes on up (a 500 page, logged).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request
from sqlalchemy.exc import IntegrityError

from portal.core.errors import render_error
from portal.core.refusals import Refused
from portal.extensions import db

Page = tuple[str, dict[str, Any]] | Callable[[int], Any]


def _respond(refusal: Refused, page: Page | None, form: Any, back: str | None):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):  # another system's write: the refusal as JSON
        return make_response(*render_error(refusal.status, str(refusal.message)))
    if page is None:
        flash(str(refusal.message), "error")
        return redirect(back or request.path, code=303)
    if isinstance(page, tuple):
        template, context = page
        (form or context["form"]).form_errors.append(str(refusal.message))
        return make_response(render_template(template, **context), refusal.status)
    if form is not None:
        form.form_errors.append(str(refusal.message))
    else:
        flash(str(refusal.message), "error")
    return make_response(page(refusal.status))


@contextmanager
def carried_out(
    *,
    page: Page | None = None,
    form: Any = None,
    back: str | None = None,
    undo: Callable[[], None] | None = None,
    conflict: str | None = None,
) -> Iterator[None]:
    """Runs the block and commits; see the module. ``page`` is a template with its context, or
    a function that renders the page with a status (the message then goes on ``form``, or is
    flashed on the page when there is none).
    ``conflict``: the sentence for a commit that breaks a uniqueness rule (the same thing sent
    twice at once), refused with 409."""
    try:
        yield
        db.session.commit()
    except Refused as refusal:
        db.session.rollback()
        if undo is not None:
            undo()
        abort(_respond(refusal, page, form, back))
    except IntegrityError:
        db.session.rollback()
        if undo is not None:
            undo()
        if conflict is None:
            raise
        abort(_respond(Refused(conflict), page, form, back))
    except BaseException:
        db.session.rollback()
        if undo is not None:
            undo()
        raise
