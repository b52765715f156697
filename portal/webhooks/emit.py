"""The events other systems can subscribe to, and how one is written: a row in the outbox
for each active subscriber to it, in the caller's transaction, so that an event exists if and
only if its change was committed. ``portal.notifications.events`` calls ``emit``; nothing is
sent from here.

An event is thin: what happened, to which record, when, and links to the API and the page
where the record stands; a receiver reads the record there. Only public changes are events."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.core import clock
from portal.core.links import site_url
from portal.extensions import db
from portal.notifications import notices
from portal.notifications.models import Channel, OutboxMessage
from portal.places.models import Territory
from portal.webhooks.models import Subscriber

EVENTS = {
    "portfolio.step": _l("A portfolio version is agreed, presented or approved"),
    "funding.decided": _l("A source decides on the money of a portfolio line"),
    "plan.agreed": _l("The mesa territorial agrees a version of the plan"),
    "plan.sanctioned": _l("A version of the plan comes into force"),
    "measurement.recorded": _l("A measurement of a plan indicator is recorded"),
    "commitment.changed": _l(
        "A public commitment is made, reports progress, changes its date, is validated or is "
        "cancelled"
    ),
    "agreement.published": _l("An agreement is published with the acta of its session"),
}


def body(
    event_id: str,
    kind: str,
    territory: Territory | None,
    data: dict[str, Any],
    api: str | None,
    page: str | None,
) -> str:
    return json.dumps(
        {
            "id": event_id,
            "type": kind,
            "occurred_at": clock.now().isoformat(),
            "territory": territory.slug if territory is not None else None,
            "data": data,
            "links": {
                "api": site_url(api) if api else None,
                "page": site_url(page) if page else None,
            },
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def emit(
    kind: str,
    *,
    territory: Territory | None,
    data: dict[str, Any],
    api: str | None = None,
    page: str | None = None,
) -> int:
    """Writes the event for each active subscriber to ``kind``; returns how many. The demo's
    history, written quietly, is nobody's news."""
    assert kind in EVENTS, kind
    if notices.is_quiet():
        return 0
    chosen = [
        s
        for s in db.session.scalars(sa.select(Subscriber).where(Subscriber.active.is_(True)))
        if kind in s.event_types
    ]
    if not chosen:
        return 0
    event_id = f"evt_{uuid.uuid4().hex}"
    text = body(event_id, kind, territory, data, api, page)
    for subscriber in chosen:
        db.session.add(
            OutboxMessage(
                channel=Channel.WEBHOOK,
                kind=kind,
                to=subscriber.url,
                subscriber_id=subscriber.id,
                subject="",
                text=text,
                message_id=event_id,
                key=f"webhook:{subscriber.id}:{event_id}",
            )
        )
    return len(chosen)
