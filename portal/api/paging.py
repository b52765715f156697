"""How the API's lists are read: a page at a time, in the order of their stable ids, with an
opaque cursor to the next page (``next`` in the body and a ``Link`` header), and how the
filters of a list are read from the query string. A bad value is a 400 that says which."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Response, abort, request
from flask_babel import gettext as _

from portal.api.responses import respond
from portal.extensions import db
from portal.mesas.models import Mesa
from portal.places.models import Territory
from portal.places.queries import territory_by_slug

LIMIT = 50
LIMIT_MAX = 100

E = TypeVar("E", bound=enum.Enum)


def _refuse(message: str) -> NoReturn:
    abort(400, description=message)


def limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= LIMIT_MAX:
        _refuse(_("«limit» must be a whole number from 1 to %(max)d.", max=LIMIT_MAX))
    return int(raw)


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).rstrip(b"=").decode()


def _after() -> int:
    raw = request.args.get("cursor")
    if raw is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    kind, _sep, number = text.partition(":")
    if kind != "id" or not (number.isascii() and number.isdigit()) or len(number) > 18:
        _refuse(_("This cursor is not one the API gave. Start again without it."))
    return int(number)


def territory_or_404(code: str) -> Territory:
    """The territory whose code is in the address, or a 404."""
    found = territory_by_slug(code)
    if found is None:
        abort(404)
    return found


def text(name: str) -> str | None:
    """The parameter as sent (None when absent); an empty value is a value, and wrong for
    every filter."""
    return request.args.get(name)


def choice(name: str, kind: type[E]) -> E | None:
    value = text(name)
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in kind)
        _refuse(_("«%(name)s» must be one of: %(allowed)s.", name=name, allowed=allowed))


def day(name: str) -> dt.date | None:
    value = text(name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _refuse(_("«%(name)s» must be a date written YYYY-MM-DD.", name=name))


def found(name: str, column: Any, key: Any) -> int | None:
    """The id of the row whose ``key`` is the parameter's value (a code or a slug), or a 400
    naming what was not found."""
    value = text(name)
    if value is None:
        return None
    row_id = db.session.scalar(sa.select(column).where(key == value).limit(1))
    if row_id is None:
        _refuse(_("Nothing has the code «%(value)s» for «%(name)s».", value=value, name=name))
    return row_id


def number(name: str) -> int | None:
    value = text(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        _refuse(_("«%(name)s» must be a whole number.", name=name))
    return int(value)


def _next_link(last_id: int) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    return request.path + "?" + urlencode([*args, ("cursor", encode(last_id))])


@dataclass(frozen=True)
class Listing:
    """A list of the API: the query of its rows (one entity, filters applied), its key (the
    id, in whose order it is read) and how a batch of rows becomes JSON, all at once, so
    that it loads what they need in a fixed number of queries."""

    query: sa.Select  # type: ignore[type-arg]
    key: Any
    serialize: Callable[[list[Any]], Iterable[dict[str, Any]]]

    def after(self, last_id: int, size: int) -> list[Any]:
        return list(
            db.session.scalars(self.query.where(self.key > last_id).order_by(self.key).limit(size))
        )


# Each list's builder by the name of its schema in the OpenAPI document: the API pages it,
# the data page (``portal/opendata``) downloads it whole as CSV.
LISTS: dict[str, Callable[[], Listing]] = {}


def listing(schema: str) -> Callable[[Callable[[], Listing]], Callable[[], Listing]]:
    def register(build: Callable[[], Listing]) -> Callable[[], Listing]:
        LISTS[schema] = build
        return build

    return register


def page(found: Listing) -> Response:
    """One page of the list after the cursor, with the link to the next."""
    size = limit()
    rows = found.after(_after(), size + 1)
    more = len(rows) > size
    rows = rows[:size]
    following = _next_link(rows[-1].id) if more else None
    response = respond({"data": list(found.serialize(rows)), "next": following})
    if following is not None:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


def flag(name: str) -> bool | None:
    value = text(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        _refuse(_("«%(name)s» must be true or false.", name=name))
    return value == "true"


# -- The filters every list shares ----------------------------------------------------------


def in_territory(column: Any) -> list[sa.ColumnElement[bool]]:
    """``?territory=<code>`` on a column holding a territory's id."""
    territory = found("territory", Territory.id, Territory.slug)
    return [] if territory is None else [column == territory]


def of_mesa(column: Any) -> list[sa.ColumnElement[bool]]:
    """``?mesa=<code>`` on a column holding a mesa's id."""
    mesa = found("mesa", Mesa.id, Mesa.slug)
    return [] if mesa is None else [column == mesa]


def mesa_in_territory(column: Any) -> list[sa.ColumnElement[bool]]:
    """``?mesa=`` and ``?territory=`` on a column holding a mesa's id."""
    return of_mesa(column) + [
        column.in_(sa.select(Mesa.id).where(where)) for where in in_territory(Mesa.territory_id)
    ]
