"""Atom feeds of what changes in the public commitments of a territory, a mesa or an
institution, written with feedgen (the feed's XML, escaping and dates are its job).

Entry ids are tag URIs made of the portal's host, the kind of event and the id of the row
that records it, so a reader sees each event once, whatever address it used."""

from __future__ import annotations

import datetime as dt
import re

from feedgen.feed import FeedGenerator
from flask import request
from flask_babel import gettext as _

from portal.commitments import labels
from portal.commitments.events import Event, EventKind
from portal.commitments.models import Commitment
from portal.core.formatting import clp, date
from portal.core.i18n import current_language
from portal.core.links import external_url, site_host

CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# The year in the tag URIs: the portal's, fixed for good.
TAG_YEAR = "2026"
TITLE_LENGTH = 60
SUMMARY_LENGTH = 600
# Characters XML 1.0 cannot carry; text typed into a form could hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def tag(specific: str) -> str:
    return f"tag:{site_host()},{TAG_YEAR}:{specific}"


def clean(text: str) -> str:
    return NOT_XML.sub("", text)


def shorten(text: str, length: int) -> str:
    """The text on one line, cut at a word before ``length`` characters with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if " " in cut[length // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" .,;:") + "…"


def _who(commitment: Commitment) -> str:
    org = commitment.organization
    return org.short_name or org.name


def _day(value: dt.date | None) -> str:
    return date(value, "medium")


def entry_title(event: Event) -> str:
    c = event.commitment
    who, what = _who(c), shorten(c.deliverable, TITLE_LENGTH)
    match event.kind:
        case EventKind.RECORDED:
            return _(
                "%(org)s: new commitment «%(what)s» (due %(date)s)",
                org=who,
                what=what,
                date=_day(c.original_due_on),
            )
        case EventKind.RESCHEDULED:
            return _(
                "%(org)s: new date for «%(what)s» (%(date)s)",
                org=who,
                what=what,
                date=_day(event.day),
            )
        case EventKind.PROGRESS if event.percent is not None:
            return _(
                "%(org)s: progress on «%(what)s» (%(percent)d%%)",
                org=who,
                what=what,
                percent=event.percent,
            )
        case EventKind.PROGRESS:
            return _("%(org)s: progress on «%(what)s»", org=who, what=what)
        case EventKind.DELIVERY:
            return _(
                "%(org)s: reports «%(what)s» delivered (%(date)s)",
                org=who,
                what=what,
                date=_day(event.day),
            )
        case EventKind.VALIDATION:
            outcome = labels.STATUS[event.outcome] if event.outcome else ""
            return _(
                "%(org)s: the mesa's validation of «%(what)s»: %(outcome)s",
                org=who,
                what=what,
                outcome=outcome,
            )
        case EventKind.CANCELLATION:
            return _("%(org)s: «%(what)s» cancelled", org=who, what=what)
        case _:
            return _("%(org)s: observation published on «%(what)s»", org=who, what=what)


def entry_summary(event: Event) -> str:
    """A few plain sentences: what happened, with the dates, the reason or the text."""
    c = event.commitment
    text = " ".join(event.text.split())
    parts: list[str] = []
    match event.kind:
        case EventKind.RECORDED:
            parts = [
                shorten(c.deliverable, SUMMARY_LENGTH // 2),
                _("Taken at %(mesa)s on %(date)s.", mesa=c.mesa.name, date=_day(c.committed_on)),
                _("Due date: %(date)s.", date=_day(c.original_due_on)),
            ]
            if c.amount is not None:
                parts.append(_("Amount: %(amount)s.", amount=clp(c.amount)))
        case EventKind.RESCHEDULED:
            parts = [
                _("Date before: %(date)s.", date=_day(event.before)),
                _("New date: %(date)s.", date=_day(event.day)),
                _("Reason: %(reason)s", reason=text),
            ]
        case EventKind.PROGRESS:
            if event.percent is not None:
                parts.append(_("Progress: %(percent)d%%.", percent=event.percent))
            parts.append(text)
        case EventKind.DELIVERY:
            parts = [
                _(
                    "Reported delivered on %(date)s; the mesa has yet to validate it.",
                    date=_day(event.day),
                ),
                text,
            ]
        case EventKind.VALIDATION:
            outcome = labels.STATUS[event.outcome] if event.outcome else ""
            parts.append(_("The mesa's word: %(outcome)s.", outcome=outcome))
            if event.day:
                parts.append(_("Delivered on %(date)s.", date=_day(event.day)))
            parts.append(text)
        case EventKind.CANCELLATION:
            parts = [_("Reason: %(reason)s", reason=text)] if text else []
        case _:
            parts = [text]
    return clean(shorten(" ".join(p for p in parts if p), SUMMARY_LENGTH))


def atom(
    *,
    specific: str,
    title: str,
    subtitle: str,
    page_url: str,
    events: list[Event],
    since: dt.datetime,
) -> bytes:
    """The feed document. ``specific`` makes its id; ``since`` is its time when it has no
    entry yet (the time its territory, mesa or institution was recorded)."""
    feed = FeedGenerator()
    feed.id(tag(specific))
    feed.title(clean(title))
    feed.subtitle(clean(subtitle))
    feed.link(
        href=external_url(request.endpoint or "", **(request.view_args or {})),
        rel="self",
        type="application/atom+xml",
    )
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.author({"name": _("Mesa portal")})
    feed.generator(_("Mesa portal"))
    feed.language(current_language())
    feed.updated(events[0].at if events else since)
    for event in events:
        entry = feed.add_entry(order="append")
        entry.id(tag(f"compromisos/{event.kind.value}/{event.row_id}"))
        entry.title(clean(entry_title(event)))
        entry.updated(event.at)
        # feedgen 1.0 writes only the href of an entry's link (lkiesow/python-feedgen#135): a
        # link without rel is the alternate one (RFC 4287, 4.2.7.2), which is what this is.
        entry.link(
            href=external_url("commitments.commitment", commitment_id=event.commitment.id),
            rel="alternate",
            type="text/html",
        )
        entry.summary(entry_summary(event), type="text")
    return feed.atom_str(pretty=False)
