"""The CSV files: each is a list of the API (``portal.api.paging.LISTS``) laid flat, its
columns read from the list's schema in the OpenAPI document, so the file, the API and the
data dictionary on the page say the same thing.

Flat means: a nested object becomes dotted columns (``institution.name``); a list of codes
becomes one cell with the codes separated by `` | ``; a list of option and count pairs (an
agreement's votes) becomes a column per option; other lists of objects (a round's results, a
convenio's parties) are files of their own, one row per item with the id of the row it
belongs to."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.api.paging import LISTS, Listing

BATCH = 500
JOIN = " | "
SEPARATORS = {"coma": ",", "punto-y-coma": ";"}


@dataclass(frozen=True)
class Table:
    name: str  # the file's name, without .csv
    title: Any  # lazy text
    schema: str  # the list's schema in the OpenAPI document
    child: str | None = None  # a list of objects of each row, one row per item


TABLES = (
    Table("territorios", _l("Territories"), "Territory"),
    Table("comunas-de-territorios", _l("The comunas of each territory"), "Territory", "comunas"),
    Table("mesas", _l("Mesas"), "Mesa"),
    Table("organizaciones", _l("Institutions and organizations"), "Organization"),
    Table("integrantes", _l("Seats at the mesas, by organization"), "Membership"),
    Table("sesiones", _l("Sessions"), "Session"),
    Table("tablas-de-sesiones", _l("Agenda items of the sessions"), "Session", "agenda"),
    Table("acuerdos", _l("Agreements of published actas"), "Agreement"),
    Table("iniciativas", _l("Initiatives"), "Initiative"),
    Table(
        "financiamiento-de-iniciativas",
        _l("Planned money of the initiatives, by source"),
        "Initiative",
        "funding",
    ),
    Table("rondas", _l("Prioritization rounds"), "Round"),
    Table("resultados-de-rondas", _l("Results of the rounds, by initiative"), "Round", "items"),
    Table("convenios", _l("Convenios and protocolos"), "Convenio"),
    Table("aportes-de-convenios", _l("What each party contributes"), "Convenio", "parties"),
    Table("compromisos", _l("Public commitments"), "Commitment"),
    Table(
        "avances-de-compromisos",
        _l("Progress reported on the commitments"),
        "Commitment",
        "updates",
    ),
)
BY_NAME = {table.name: table for table in TABLES}


@dataclass(frozen=True)
class Column:
    name: str
    path: tuple[str, ...]
    schema: dict[str, Any]
    pivot: str | None = None  # for a list of option and count pairs: the option


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The schema itself, past a reference or an "or null"."""
    if "anyOf" in schema:
        schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_object(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


def _is_array(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "array" or (isinstance(kind, list) and "array" in kind)


def columns(
    schema: dict[str, Any], components: dict[str, Any], path: tuple[str, ...] = ()
) -> list[Column]:
    found: list[Column] = []
    for name, raw in schema.get("properties", {}).items():
        sub = _resolve(raw, components)
        here = (*path, name)
        if _is_object(sub) and "properties" in sub:
            found += columns(sub, components, here)
        elif _is_array(sub):
            items = _resolve(sub.get("items", {}), components)
            if not _is_object(items):
                found.append(Column(".".join(here), here, sub))
                continue
            pair = list(items.get("properties", {}).items())
            if len(pair) == 2 and "enum" in pair[0][1]:
                for option in pair[0][1]["enum"]:
                    found.append(Column(".".join((*here, option)), here, pair[1][1], option))
        else:
            found.append(Column(".".join(here), here, raw))
    return found


def table_columns(table: Table, document: dict[str, Any]) -> list[Column]:
    components = document["components"]["schemas"]
    schema = components[table.schema]
    if table.child is None:
        return columns(schema, components)
    child = _resolve(schema["properties"][table.child]["items"], components)
    key = _key(schema)
    parent = Column(f"{table.schema.lower()}.{key}", (key,), schema["properties"][key])
    return [parent, *columns(child, components)]


def _key(schema: dict[str, Any]) -> str:
    """What names a row of the schema: its id, or (a territory) its code."""
    return "id" if "id" in schema["properties"] else next(iter(schema["properties"]))


def _cell(item: dict[str, Any], column: Column) -> Any:
    value: Any = item
    for key in column.path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if column.pivot is not None:
        for pair in value or ():
            option, count = list(pair.values())
            if option == column.pivot:
                return count
        return None
    if isinstance(value, list):
        return JOIN.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def listing(table: Table) -> Listing:
    """The table's list, its filters read from the request (a bad one is refused here, before
    anything is sent)."""
    return LISTS[table.schema]()


def rows(table: Table, document: dict[str, Any], found: Listing) -> Iterator[list[Any]]:
    """The table's header, then its rows, reading the list a batch at a time."""
    cols = table_columns(table, document)
    yield [c.name for c in cols]
    last = 0
    while True:
        batch = found.after(last, BATCH)
        if not batch:
            return
        last = batch[-1].id
        for item in found.serialize(batch):
            if table.child is None:
                yield [_cell(item, c) for c in cols]
                continue
            for child in item[table.child]:
                yield [_cell(item, cols[0]), *(_cell(child, c) for c in cols[1:])]


def csv_lines(
    table: Table, document: dict[str, Any], found: Listing, separator: str
) -> Iterator[str]:
    """The file as text, in UTF-8 with a byte order mark so that spreadsheet programs read
    its accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    yield "\ufeff"
    for row in rows(table, document, found):
        writer.writerow(["" if v is None else v for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def type_text(schema: dict[str, Any]) -> str:
    """What a column holds, for the data dictionary."""
    nullable = False
    if "anyOf" in schema:
        nullable = any(s.get("type") == "null" for s in schema["anyOf"])
    kind = schema.get("type")
    if isinstance(kind, list):
        nullable = nullable or "null" in kind
        kind = next((k for k in kind if k != "null"), None)
    if "enum" in schema:
        values = [str(v) for v in schema["enum"] if v is not None]
        nullable = nullable or None in schema["enum"]
        said = _("one of: %(values)s", values=", ".join(values))
    elif kind == "array":
        said = _("a list, separated by « | »")
    elif schema.get("format") == "date":
        said = _("a date, YYYY-MM-DD")
    elif schema.get("format") == "date-time":
        said = _("a time, ISO 8601 with its offset")
    elif kind == "integer":
        said = _("a whole number")
    elif kind == "number":
        said = _("a number")
    elif kind == "boolean":
        said = _("true or false")
    else:
        said = _("text")
    if schema.get("description"):
        said = f"{said}. {schema['description']}"
    if nullable:
        said = _("%(what)s; may be empty", what=said)
    return said
