"""Reference data of initiatives: the gap dimensions of the lag index and the strategic
objectives of each territory's plan. No request object here: the pages and the ``portal
reference`` commands both call these functions and commit themselves.

A territory's objectives come from a JSON file such as::

    {"territory": "limari-choapa",
     "objectives": [{"code": "OE1", "title": "Asegurar el agua para el consumo humano…"}]}

Importing it is an upsert by code: titles and order follow the file, and the objectives the
file no longer names are retired (``active=False``), never deleted, since initiatives point at
them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from portal.core.refusals import INVALID
from portal.extensions import db
from portal.mesas.services import Refused
from portal.places.models import Territory
from portal.reference.models import GapDimension, StrategicObjective

CODE_MAX = 20
CODE_PATTERN = r"^[A-Za-z0-9._-]+$"
TITLE_MIN = 3
TITLE_MAX = 300
FILE_MAX_BYTES = 200 * 1024

DATA_DIR = Path(__file__).parent / "data"
DEMO_OBJECTIVES = {"limari-choapa": DATA_DIR / "objetivos-limari-choapa.json"}


# The gap dimensions


@dataclass(frozen=True)
class DefaultGap:
    code: str
    name: str
    description: str


# The lag index has 6 dimensions and 18 variables with equal weights (seeds/000, around lines
# 1345-1390, whose annex with the actual list is not in the source). These names are plain
# placeholders to start with: the owner of the index module sets the real list, and the admin
# edits it on the reference data pages.
DEFAULT_GAPS = (
    DefaultGap(
        "D1",
        "Ingresos y pobreza",
        "Ingresos de los hogares y pobreza por ingresos y multidimensional.",
    ),
    DefaultGap(
        "D2",
        "Educación",
        "Escolaridad, cobertura y resultados de la educación en el territorio.",
    ),
    DefaultGap(
        "D3",
        "Salud",
        "Acceso a la atención de salud y condiciones de salud de la población.",
    ),
    DefaultGap(
        "D4",
        "Vivienda y servicios básicos",
        "Calidad de la vivienda y acceso a agua potable, saneamiento y energía.",
    ),
    DefaultGap(
        "D5",
        "Conectividad y aislamiento",
        "Caminos, transporte, telecomunicaciones y distancia a servicios y mercados.",
    ),
    DefaultGap(
        "D6",
        "Trabajo y actividad productiva",
        "Empleo, formalidad y dinamismo de las actividades económicas locales.",
    ),
)


def load_default_gaps() -> int:
    """Adds the default dimensions whose codes are missing; the admin's edits stay. Returns
    how many were added (the caller commits)."""
    existing = set(db.session.scalars(sa.select(GapDimension.code)))
    added = 0
    for position, gap in enumerate(DEFAULT_GAPS, start=1):
        if gap.code in existing:
            continue
        db.session.add(
            GapDimension(
                code=gap.code, name=gap.name, description=gap.description, position=position
            )
        )
        added += 1
    db.session.flush()
    return added


def gap_code_holder(code: str, exclude: GapDimension | None = None) -> GapDimension | None:
    """The dimension that already has this code (capitals aside), other than ``exclude``."""
    query = sa.select(GapDimension).where(sa.func.lower(GapDimension.code) == code.lower())
    if exclude is not None and exclude.id is not None:
        query = query.where(GapDimension.id != exclude.id)
    return db.session.scalars(query.limit(1)).first()


def next_gap_position() -> int:
    return (db.session.scalar(sa.select(sa.func.max(GapDimension.position))) or 0) + 1


# The strategic objectives

OBJECTIVES_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Strategic objectives of a territory's plan",
    "type": "object",
    "required": ["territory", "objectives"],
    "additionalProperties": False,
    "properties": {
        "territory": {"type": "string", "minLength": 1, "maxLength": 120},
        "objectives": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "title"],
                "additionalProperties": False,
                "properties": {
                    "code": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": CODE_MAX,
                        "pattern": CODE_PATTERN,
                    },
                    "title": {"type": "string", "minLength": TITLE_MIN, "maxLength": TITLE_MAX},
                },
            },
        },
    },
}
_VALIDATOR = Draft202012Validator(OBJECTIVES_SCHEMA)


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    retired: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired)

    def summary(self) -> str:
        """Such as "3 added, 1 updated, 2 retired", in the reader's language."""
        return ", ".join(
            (
                ngettext("%(num)d added", "%(num)d added", self.added),
                ngettext("%(num)d updated", "%(num)d updated", self.updated),
                ngettext("%(num)d retired", "%(num)d retired", self.retired),
            )
        )


def example_file(territory: Territory) -> str:
    """A small file in the expected format, for the import page."""
    example = {
        "territory": territory.slug,
        "objectives": [
            {"code": "OE1", "title": "Asegurar el agua para el consumo humano y el riego"},
            {"code": "OE2", "title": "Mejorar la conectividad vial y digital del territorio"},
            {"code": "OE3", "title": "Fortalecer la ganadería caprina y sus productos"},
        ],
    }
    return json.dumps(example, ensure_ascii=False, indent=2)


def read_json_file(raw: bytes, limit: int = FILE_MAX_BYTES) -> object:
    """The JSON in an uploaded file, or Refused saying plainly what is wrong with it."""
    if len(raw) > limit:
        raise Refused(_("The file is larger than %(limit)s KB.", limit=limit // 1024), INVALID)
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark, as some editors write, is fine
    except UnicodeDecodeError:
        raise Refused(
            _("The file is not UTF-8 text. Save it as UTF-8 and choose it again."), INVALID
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Refused(
            _(
                "The file is not valid JSON (line %(line)s). Check the quotes, commas and "
                "brackets around that line.",
                line=exc.lineno,
            ),
            INVALID,
        ) from None
    except (ValueError, RecursionError):  # nested too deep, or a number too long
        raise Refused(_("The file is not valid JSON."), INVALID) from None


def import_objectives(territory: Territory, data: object) -> ImportResult:
    """Upserts the territory's objectives from the file's data (already parsed from JSON).
    Refused, with the place of the problem in plain words, when the file is for another
    territory or does not follow the format; nothing is changed then. The caller commits."""
    check_territory(data, territory)
    errors = sorted(_VALIDATOR.iter_errors(data), key=_document_order)
    if errors:
        raise Refused(_explain(errors[0]), INVALID)
    # The schema held: an object whose objectives each have a code and a title.
    objectives: list[dict[str, str]] = data["objectives"]  # type: ignore[index]
    items = [(item["code"], " ".join(item["title"].split())) for item in objectives]
    _check_items(items)

    existing = {
        o.code: o
        for o in db.session.scalars(
            sa.select(StrategicObjective).where(StrategicObjective.territory_id == territory.id)
        )
    }
    added = updated = retired = 0
    for position, (code, title) in enumerate(items, start=1):
        found = existing.pop(code, None)
        if found is None:
            db.session.add(
                StrategicObjective(
                    territory_id=territory.id, code=code, title=title, position=position
                )
            )
            added += 1
        elif (found.title, found.position, found.active) != (title, position, True):
            found.title, found.position, found.active = title, position, True
            updated += 1
    for left_out in existing.values():
        if left_out.active:
            left_out.active = False
            retired += 1
    db.session.flush()
    return ImportResult(added=added, updated=updated, retired=retired)


def check_territory(data: object, territory: Territory) -> None:
    """Refused when a file names another territory than the one it is imported into."""
    if isinstance(data, dict) and isinstance(data.get("territory"), str):
        named = data["territory"]
        if named.strip() != territory.slug:
            raise Refused(
                _(
                    "This file is for the territory “%(found)s”, not for %(territory)s "
                    "(“%(slug)s”). Check that you chose the right file.",
                    found=named[:120],
                    territory=territory.name,
                    slug=territory.slug,
                ),
                INVALID,
            )


def import_objectives_file(territory: Territory, raw: bytes) -> ImportResult:
    return import_objectives(territory, read_json_file(raw))


def _check_items(items: list[tuple[str, str]]) -> None:
    """What the schema cannot say: codes unique, and titles not just spaces."""
    first_with: dict[str, int] = {}
    for n, (code, title) in enumerate(items, start=1):
        if len(title) < TITLE_MIN:
            raise Refused(_too_short_title(n), INVALID)
        if code in first_with:
            raise Refused(
                _(
                    "Objectives %(first)s and %(second)s have the same code, %(code)s. Each "
                    "objective needs a code of its own.",
                    first=first_with[code],
                    second=n,
                    code=code,
                ),
                INVALID,
            )
        first_with[code] = n


def _document_order(error: ValidationError) -> tuple:
    """Problems of the whole file first, then objective by objective as they come."""
    path = list(error.absolute_path)
    index = path[1] if len(path) > 1 and isinstance(path[1], int) else -1
    return (len(path) > 1, index, len(path), str(error.validator))


def _too_short_title(n: int) -> str:
    return _(
        "Objective %(n)s: the title is too short; write at least %(min)s characters.",
        n=n,
        min=TITLE_MIN,
    )


def _explain(error: ValidationError) -> str:
    """One jsonschema error in words: where in the file, and what to do."""
    path = list(error.absolute_path)
    kind = error.validator
    if not path:
        return _explain_file(error)
    if path == ["territory"]:
        return _(
            "“territory” must be the territory's name as in its web address, such as "
            "“limari-choapa”."
        )
    if path == ["objectives"]:
        if kind == "minItems":
            return _("The list of objectives is empty: the file needs at least one objective.")
        return _("“objectives” must be a list of objectives, between square brackets.")
    n = path[1] + 1 if len(path) > 1 and isinstance(path[1], int) else None
    if n is None:
        return _("The file does not follow the format of the example.")
    if len(path) == 2:
        if kind == "required":
            missing = _missing_property(error)
            if missing == "code":
                return _("Objective %(n)s: the code is missing.", n=n)
            return _("Objective %(n)s: the title is missing.", n=n)
        if kind == "additionalProperties":
            return _(
                "Objective %(n)s has a field that is not used: “%(name)s”. Only “code” and "
                "“title” are allowed.",
                n=n,
                name=_extra_property(error),
            )
        return _('Objective %(n)s must be written as {"code": …, "title": …}.', n=n)
    if path[2] == "code":
        if kind == "type":
            return _("Objective %(n)s: the code must be text, such as “OE1”.", n=n)
        if kind == "minLength":
            return _("Objective %(n)s: the code is empty.", n=n)
        if kind == "maxLength":
            return _(
                "Objective %(n)s: the code can be at most %(max)s characters long.",
                n=n,
                max=CODE_MAX,
            )
        return _(
            "Objective %(n)s: the code can have only letters without accents, digits, dots, "
            "hyphens and underscores, such as “OE1” or “OE-2.1”.",
            n=n,
        )
    if kind == "type":
        return _("Objective %(n)s: the title must be text.", n=n)
    if kind == "minLength":
        return _too_short_title(n)
    return _(
        "Objective %(n)s: the title can be at most %(max)s characters long.", n=n, max=TITLE_MAX
    )


def _explain_file(error: ValidationError) -> str:
    if error.validator == "required":
        if _missing_property(error) == "territory":
            return _("The file does not say which territory it is for (“territory”).")
        return _("The file has no list of objectives (“objectives”).")
    if error.validator == "additionalProperties":
        return _(
            "The file has a field that is not used: “%(name)s”. Only “territory” and "
            "“objectives” are allowed.",
            name=_extra_property(error),
        )
    return _(
        "The file must hold a single object with “territory” and “objectives”, as in the example."
    )


def _missing_property(error: ValidationError) -> str:
    """The property a ``required`` error is about (the first one the instance lacks)."""
    required = error.validator_value if isinstance(error.validator_value, list) else []
    instance = error.instance if isinstance(error.instance, dict) else {}
    return next((name for name in required if name not in instance), "")


def _extra_property(error: ValidationError) -> str:
    allowed = set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
    instance = error.instance if isinstance(error.instance, dict) else {}
    extra = sorted(str(name) for name in instance if name not in allowed)
    return extra[0][:40] if extra else ""


# Demo data


def load_demo_objectives() -> int:
    """The demo plans' objectives, for the territories that have none yet (an admin's own
    import is never touched). Returns how many objectives were added (the caller commits)."""
    added = 0
    for slug, path in DEMO_OBJECTIVES.items():
        territory = db.session.scalars(sa.select(Territory).where(Territory.slug == slug)).first()
        if territory is None:
            continue
        has_any = db.session.scalar(
            sa.select(StrategicObjective.id)
            .where(StrategicObjective.territory_id == territory.id)
            .limit(1)
        )
        if has_any is not None:
            continue
        added += import_objectives_file(territory, path.read_bytes()).added
    return added
