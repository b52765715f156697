"""The admin's pages for the systems that receive events: the list, registering one (its
secret shown once), one with its delivery log, switching it on and off, a new secret."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin.forms import ReasonForm
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.forms import status_for
from portal.extensions import db
from portal.notifications.models import WAITING, Channel, OutboxMessage
from portal.permissions import require
from portal.webhooks import bp, services
from portal.webhooks.emit import EVENTS
from portal.webhooks.forms import SubscriberForm
from portal.webhooks.models import Delivery, Subscriber

LOG = 50


@bp.before_request
def _only_admins():  # type: ignore[no-untyped-def]
    require("admin.webhooks")


def _counts() -> dict[int, dict[str, int]]:
    """Per subscriber: events waiting, delivered in the last day, given up."""
    day_ago = clock.now() - dt.timedelta(days=1)
    mine = OutboxMessage.channel == Channel.WEBHOOK
    rows = db.session.execute(
        sa.select(
            OutboxMessage.subscriber_id,
            sa.func.sum(sa.case((WAITING, 1), else_=0)),
            sa.func.sum(sa.case((OutboxMessage.sent_at >= day_ago, 1), else_=0)),
            sa.func.sum(sa.case((OutboxMessage.failed_at.is_not(None), 1), else_=0)),
        )
        .where(mine)
        .group_by(OutboxMessage.subscriber_id)
    ).all()
    return {
        row[0]: {
            "waiting": int(row[1] or 0),
            "delivered": int(row[2] or 0),
            "given_up": int(row[3] or 0),
        }
        for row in rows
    }


@bp.route("/admin/suscriptores")
def subscribers():
    found = db.session.scalars(sa.select(Subscriber).order_by(Subscriber.name)).all()
    return render_template("webhooks/list.html", subscribers=found, counts=_counts(), events=EVENTS)


@bp.route("/admin/suscriptores/nuevo", methods=["GET", "POST"])
def register():
    form = SubscriberForm()
    form.events.choices = list(EVENTS.items())
    if form.validate_on_submit():
        with carried_out():
            subscriber = services.register(
                form.name.data, form.url.data, form.events.data, form.reason.data, current_user
            )
        return _page(subscriber, secret=subscriber.secret)
    return render_template(
        "admin/form.html",
        form=form,
        title=_("Register a system that receives events"),
        button=_("Register"),
        back=(url_for("webhooks.subscribers"), _("Systems that receive events")),
        lead=_(
            "It receives each event it chooses as a signed HTTP POST. Its secret is shown once,"
            " when it is registered."
        ),
    ), status_for(form)


def _subscriber(subscriber_id: int) -> Subscriber:
    found = db.session.get(Subscriber, subscriber_id)
    if found is None:
        abort(404)
    return found


ACTIONS = ("desactivar", "activar", "clave")


def _page(subscriber: Subscriber, secret: str | None = None, status: int = 200, failed=None):  # type: ignore[no-untyped-def]
    """The subscriber's page; ``failed``: the action form sent back with its error."""
    forms = {action: ReasonForm(prefix=action, formdata=None) for action in ACTIONS}
    if failed is not None:
        forms[failed[0]] = failed[1]
    log = db.session.execute(
        sa.select(Delivery, OutboxMessage.kind, OutboxMessage.message_id)
        .join(OutboxMessage, OutboxMessage.id == Delivery.message_id)
        .where(Delivery.subscriber_id == subscriber.id)
        .order_by(Delivery.id.desc())
        .limit(LOG)
    ).all()
    return render_template(
        "webhooks/subscriber.html",
        subscriber=subscriber,
        secret=secret,
        log=log,
        counts=_counts().get(subscriber.id, {"waiting": 0, "delivered": 0, "given_up": 0}),
        events=EVENTS,
        forms=forms,
        failed=failed[1] if failed is not None else None,
    ), status


@bp.route("/admin/suscriptores/<int:subscriber_id>")
def subscriber(subscriber_id: int):
    return _page(_subscriber(subscriber_id))


@bp.route("/admin/suscriptores/<int:subscriber_id>/<action>", methods=["POST"])
def act(subscriber_id: int, action: str):
    found = _subscriber(subscriber_id)
    if action not in ACTIONS:
        abort(404)
    form = ReasonForm(prefix=action)
    if not form.validate_on_submit():
        return _page(found, status=status_for(form), failed=(action, form))
    if action == "clave":
        with carried_out():
            secret = services.rotate(found, form.reason.data, current_user)
        return _page(found, secret=secret)
    with carried_out():
        services.switch(found, action == "activar", form.reason.data, current_user)
    flash(
        _("The system receives events again.")
        if found.active
        else _("The system receives no more events; those waiting are given up."),
        "success",
    )
    return redirect(url_for("webhooks.subscriber", subscriber_id=found.id))
