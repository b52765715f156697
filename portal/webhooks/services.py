"""Registering subscribers, switching them on and off, and giving them a new secret; each in
the administration's log."""

from __future__ import annotations

import base64
import secrets

from portal.accounts.models import User
from portal.admin import services as admin
from portal.extensions import db
from portal.webhooks.models import Subscriber


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def register(name: str, url: str, events: list[str], reason: str, by: User) -> Subscriber:
    subscriber = Subscriber(
        name=name,
        url=url,
        events=" ".join(sorted(set(events))),
        secret=new_secret(),
        created_by_id=by.id,
    )
    db.session.add(subscriber)
    admin.log(
        "webhook.register", subscriber, reason, by, name=name, url=url, events=subscriber.events
    )
    return subscriber


def switch(subscriber: Subscriber, active: bool, reason: str, by: User) -> None:
    subscriber.active = active
    admin.log("webhook.on" if active else "webhook.off", subscriber, reason, by)


def rotate(subscriber: Subscriber, reason: str, by: User) -> str:
    """A new secret; events already waiting are signed with it when they go."""
    subscriber.secret = new_secret()
    admin.log("webhook.secret", subscriber, reason, by)
    return subscriber.secret
