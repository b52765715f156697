"""A territory's plan from a JSON file: its period, objectives, indicators with their
baselines, targets per year and measurements, checked by a JSON Schema and then by the same
rules as the forms. The shape is the matrix a version keeps, with measurements added; the plan
module will send the same through the API. No request here; the caller commits.

Importing fills the working matrix: objectives and indicators by code (their text follows the
file), targets by year; measurements are facts, so one already recorded (same date, value and
source) is skipped and none is ever changed. Nothing is retired: the file adds and updates.
The mesa territorial then agrees the matrix as a new version, as for one made in the forms."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from portal.accounts.models import User
from portal.core import clock
from portal.core.refusals import INVALID, Refused
from portal.extensions import db
from portal.places.models import Territory
from portal.plans import labels, services
from portal.plans.models import (
    PERIOD_YEARS,
    Direction,
    Indicator,
    IndicatorKind,
    Measurement,
    PeriodKind,
    Plan,
)
from portal.reference.models import StrategicObjective
from portal.reference.services import CODE_MAX, CODE_PATTERN, check_territory, read_json_file

FILE_MAX_BYTES = 2 * 1024 * 1024
VALUE = {
    "oneOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^-?\d{1,14}(\.\d{1,4})?$"},
    ]
}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
YEAR = {"type": "integer", "minimum": services.FIRST_YEAR, "maximum": services.LAST_YEAR}
CODE = {"type": "string", "minLength": 1, "maxLength": CODE_MAX, "pattern": CODE_PATTERN}


def _text(most: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": most, "pattern": r"\S"}


def _object(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": properties,
    }


PLAN_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "A territory's plan: period, objectives, indicators, targets and measurements",
    **_object(
        ["territory", "objectives"],
        {
            "territory": {"type": "string", "minLength": 1, "maxLength": 120},
            "plan": _object(
                ["period", "first_year"],
                {
                    "period": {"enum": [k.value for k in PeriodKind]},
                    "first_year": YEAR,
                    "total": {"type": "integer", "minimum": 0, "maximum": 10**15},
                },
            ),
            "objectives": {
                "type": "array",
                "minItems": 1,
                "items": _object(
                    ["code", "title"],
                    {
                        "code": CODE,
                        "title": _text(300),
                        "indicators": {
                            "type": "array",
                            "items": _object(
                                [
                                    "code",
                                    "name",
                                    "kind",
                                    "unit",
                                    "direction",
                                    "source",
                                    "baseline",
                                ],
                                {
                                    "code": CODE,
                                    "name": _text(300),
                                    "kind": {"enum": [k.value for k in IndicatorKind]},
                                    "unit": _text(40),
                                    "direction": {"enum": [d.value for d in Direction]},
                                    "source": _text(300),
                                    "baseline": _object(
                                        ["value", "date", "source"],
                                        {"value": VALUE, "date": DATE, "source": _text(300)},
                                    ),
                                    "targets": {
                                        "type": "array",
                                        "items": _object(
                                            ["year", "value"], {"year": YEAR, "value": VALUE}
                                        ),
                                    },
                                    "measurements": {
                                        "type": "array",
                                        "items": _object(
                                            ["date", "value", "source"],
                                            {
                                                "date": DATE,
                                                "value": VALUE,
                                                "source": _text(300),
                                                "evidence": {"type": "string", "maxLength": 500},
                                            },
                                        ),
                                    },
                                },
                            ),
                        },
                    },
                ),
            },
        },
    ),
}
_VALIDATOR = Draft202012Validator(PLAN_SCHEMA, format_checker=FormatChecker())


@dataclass
class Imported:
    objectives_added: int = 0
    objectives_updated: int = 0
    indicators_added: int = 0
    indicators_updated: int = 0
    targets_set: int = 0
    measurements_added: int = 0
    measurements_known: int = 0
    plan_opened: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.objectives_added
            or self.objectives_updated
            or self.indicators_added
            or self.indicators_updated
            or self.targets_set
            or self.measurements_added
            or self.plan_opened
        )

    def summary(self) -> str:
        parts = [
            _(
                "objectives: %(added)d added, %(updated)d updated",
                added=self.objectives_added,
                updated=self.objectives_updated,
            ),
            _(
                "indicators: %(added)d added, %(updated)d updated",
                added=self.indicators_added,
                updated=self.indicators_updated,
            ),
            ngettext("%(num)d target set", "%(num)d targets set", self.targets_set),
            ngettext(
                "%(num)d measurement added", "%(num)d measurements added", self.measurements_added
            ),
        ]
        if self.measurements_known:
            parts.append(
                ngettext(
                    "%(num)d measurement was already recorded",
                    "%(num)d measurements were already recorded",
                    self.measurements_known,
                )
            )
        if self.plan_opened:
            parts.insert(0, _("the plan's period opened"))
        return "; ".join(parts)


def import_plan_file(territory: Territory, raw: bytes, by: User | None) -> Imported:
    return import_plan(territory, read_json_file(raw, FILE_MAX_BYTES), by)


def import_plan(territory: Territory, data: object, by: User | None) -> Imported:
    """Fills the territory's working matrix from the file's data (parsed JSON). Refused, with
    the place of the problem in plain words, when the file is for another territory, breaks the
    format or a rule of the plan; nothing is changed then (the caller rolls back)."""
    check_territory(data, territory)
    errors = sorted(_VALIDATOR.iter_errors(data), key=_document_order)
    if errors:
        raise Refused(explain(errors[0]), INVALID)
    assert isinstance(data, dict)
    result = Imported()
    if "plan" in data:
        result.plan_opened = _period(territory, data["plan"], by)
    _check_codes(data["objectives"])
    existing = {
        o.code: o
        for o in db.session.scalars(
            sa.select(StrategicObjective).where(StrategicObjective.territory_id == territory.id)
        )
    }
    for n, item in enumerate(data["objectives"], start=1):
        where = [("objectives", n - 1)]
        title = " ".join(item["title"].split())
        objective = existing.get(item["code"])
        if objective is None:
            objective = services.add_objective(territory, item["code"], title)
            result.objectives_added += 1
        elif (objective.title, objective.active) != (title, True):
            objective.title, objective.active = title, True
            result.objectives_updated += 1
        for k, spec in enumerate(item.get("indicators", []), start=1):
            _indicator(objective, spec, [*where, ("indicators", k - 1)], result, by)
    db.session.flush()
    return result


def _document_order(error: ValidationError) -> list[tuple[int, Any]]:
    """Problems of the whole file first, then as they come in it."""
    return [(0, s) if isinstance(s, int) else (1, str(s)) for s in error.absolute_path]


def _period(territory: Territory, plan: dict[str, Any], by: User | None) -> bool:
    kind = PeriodKind(plan["period"])
    first = plan["first_year"]
    found = db.session.scalar(
        sa.select(Plan).where(Plan.territory_id == territory.id, Plan.first_year == first)
    )
    if found is not None:
        if found.kind != kind or found.last_year != first + PERIOD_YEARS[kind] - 1:
            raise Refused(
                _(
                    "“plan”: the territory's plan from %(first)d is of another period"
                    " (%(kind)s) than the file says.",
                    first=first,
                    kind=labels.PERIOD[found.kind],
                ),
                INVALID,
            )
        if "total" in plan and plan["total"] != found.planned_total:
            services.set_total(found, plan["total"])
        return False
    _at([], lambda: services.open_plan(territory, kind, first, by, plan.get("total")))
    return True


def _check_codes(objectives: list[dict[str, Any]]) -> None:
    """What the schema cannot say: codes unique within the file."""
    seen: dict[str, int] = {}
    for n, item in enumerate(objectives, start=1):
        if item["code"] in seen:
            raise Refused(
                _(
                    "Objectives %(first)d and %(second)d have the same code, %(code)s.",
                    first=seen[item["code"]],
                    second=n,
                    code=item["code"],
                ),
                INVALID,
            )
        seen[item["code"]] = n
        codes: dict[str, int] = {}
        for k, indicator in enumerate(item.get("indicators", []), start=1):
            if indicator["code"] in codes:
                raise Refused(
                    _(
                        "Objective %(n)d: indicators %(first)d and %(second)d have the same"
                        " code, %(code)s.",
                        n=n,
                        first=codes[indicator["code"]],
                        second=k,
                        code=indicator["code"],
                    ),
                    INVALID,
                )
            codes[indicator["code"]] = k


def _value(raw: Any) -> Decimal:
    return Decimal(str(raw))


def _at(where: list[tuple[str, int]], action):  # type: ignore[no-untyped-def]
    """Runs a rule of the plan; its refusal says where in the file."""
    try:
        return action()
    except Refused as refusal:
        place = location(where)
        message = f"{place}: {refusal.message}" if place else str(refusal.message)
        raise Refused(message, refusal.status) from None


def _indicator(
    objective: StrategicObjective,
    spec: dict[str, Any],
    where: list[tuple[str, int]],
    result: Imported,
    by: User | None,
) -> None:
    baseline = spec["baseline"]
    data = services.IndicatorData(
        code=spec["code"],
        name=" ".join(spec["name"].split()),
        kind=IndicatorKind(spec["kind"]),
        unit=spec["unit"].strip(),
        direction=Direction(spec["direction"]),
        source=spec["source"].strip(),
        baseline_value=_value(baseline["value"]),
        baseline_on=dt.date.fromisoformat(baseline["date"]),
        baseline_source=baseline["source"].strip(),
    )
    indicator = db.session.scalar(
        sa.select(Indicator).where(
            Indicator.objective_id == objective.id, Indicator.code == data.code
        )
    )
    if indicator is None:
        indicator = _at(where, lambda: services.add_indicator(objective, data))
        result.indicators_added += 1
    else:
        if data.baseline_on > clock.today():
            raise Refused(
                location(where)
                + ": "
                + _("The baseline is a value already measured: its date cannot be in the future."),
                INVALID,
            )
        changed = False
        for name, value in data.__dict__.items():
            if getattr(indicator, name) != value:
                setattr(indicator, name, value)
                changed = True
        result.indicators_updated += changed
    for t, target in enumerate(spec.get("targets", []), start=1):
        current = {x.year: x.value for x in indicator.targets}
        value = _value(target["value"])
        if current.get(target["year"]) != value:
            _at(
                [*where, ("targets", t - 1)],
                lambda target=target, value=value: services.set_target(
                    indicator, target["year"], value
                ),
            )
            result.targets_set += 1
    known = {(m.measured_on, m.value, m.source) for m in indicator.measurements}
    for m, measured in enumerate(spec.get("measurements", []), start=1):
        day = dt.date.fromisoformat(measured["date"])
        value = _value(measured["value"])
        source = measured["source"].strip()
        if (day, value, source) in known:
            result.measurements_known += 1
            continue
        _at(
            [*where, ("measurements", m - 1)],
            lambda day=day, value=value, source=source, measured=measured: (
                services.record_measurement(
                    indicator, day, value, source, by, measured.get("evidence", "")
                )
            ),
        )
        known.add((day, value, source))
        result.measurements_added += 1
    db.session.flush()


# Errors in words -----------------------------------------------------------------------------


def _part(name: str, n: int) -> str:
    names = {
        "objectives": _("objective %(n)d", n=n),
        "indicators": _("indicator %(n)d", n=n),
        "targets": _("target %(n)d", n=n),
        "measurements": _("measurement %(n)d", n=n),
    }
    return names.get(name, name)


def location(where: list[tuple[str, int]]) -> str:
    text = ", ".join(_part(name, n + 1) for name, n in where)
    return text[:1].upper() + text[1:]


def _quoted(name: str) -> str:
    """A field's name or a value as written in the file, quoted as the language quotes."""
    return _("“%(name)s”", name=name)


def _where(path: list[Any]) -> tuple[str, str]:
    """(the place in the file, the field's name) of a jsonschema path."""
    pairs: list[tuple[str, int]] = []
    name = ""
    for i, step in enumerate(path):
        if isinstance(step, int) and i > 0 and isinstance(path[i - 1], str):
            pairs.append((path[i - 1], step))
            name = ""
        elif isinstance(step, str):
            name = step
    place = location(pairs)
    if name and (not pairs or name != pairs[-1][0]):
        field_name = _quoted(name)
        place = f"{place}, {field_name}" if place else field_name
    return place or _("The file"), name


def explain(error: ValidationError) -> str:
    """One jsonschema error in words: where in the file, and what to do."""
    place, name = _where(list(error.absolute_path))
    kind = error.validator
    if kind == "required":
        required = error.validator_value if isinstance(error.validator_value, list) else []
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = next((n for n in required if n not in instance), "")
        return _("%(place)s: “%(name)s” is missing.", place=place, name=missing)
    if kind == "additionalProperties":
        allowed = (
            set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
        )
        instance = error.instance if isinstance(error.instance, dict) else {}
        extra = sorted(str(n) for n in instance if n not in allowed)
        return _(
            "%(place)s: “%(name)s” is not a field of this format; check its spelling.",
            place=place,
            name=(extra[0] if extra else "")[:40],
        )
    if kind == "enum":
        options = ", ".join(_quoted(str(o)) for o in error.validator_value)
        return _("%(place)s must be one of: %(options)s.", place=place, options=options)
    if name == "total":
        return _(
            "%(place)s: write the plan's investment in whole pesos, as a number without points.",
            place=place,
        )
    if kind in ("minimum", "maximum") or (kind == "type" and error.validator_value == "integer"):
        return _(
            "%(place)s must be a year from %(first)d to %(last)d, written as a number.",
            place=place,
            first=services.FIRST_YEAR,
            last=services.LAST_YEAR,
        )
    if name == "date" or kind == "format":
        return _("%(place)s: write the date as year-month-day, such as 2025-06-30.", place=place)
    if name == "value" or kind == "oneOf":
        return _(
            "%(place)s: write a number, with a point for decimals (at most four), such as 62.5.",
            place=place,
        )
    if name == "code":
        return _(
            "%(place)s: a code has only letters without accents, digits, dots, hyphens and"
            " underscores, such as “OE1” or “I1.2”.",
            place=place,
        )
    if kind == "minItems":
        return _("%(place)s is empty: the file needs at least one objective.", place=place)
    if kind == "maxLength":
        return _(
            "%(place)s can be at most %(max)d characters long.",
            place=place,
            max=error.validator_value,
        )
    if kind in ("minLength", "pattern"):
        return _("%(place)s is empty.", place=place)
    if kind == "type":
        expected = {
            "array": _("a list, between square brackets"),
            "object": _("an object, between braces"),
            "string": _("text, between quotes"),
        }.get(str(error.validator_value), str(error.validator_value))
        return _("%(place)s must be %(expected)s.", place=place, expected=expected)
    return _("%(place)s does not follow the format of the example.", place=place)


def example(territory: Territory) -> str:
    """A small file in the expected format."""
    return json.dumps(
        {
            "territory": territory.slug,
            "plan": {"period": "triennial", "first_year": 2025, "total": 174990649000},
            "objectives": [
                {
                    "code": "OE1",
                    "title": "Asegurar el agua para el consumo humano y el riego",
                    "indicators": [
                        {
                            "code": "I1.1",
                            "name": "Hogares rurales con agua potable segura",
                            "kind": "focus",
                            "unit": "%",
                            "direction": "up",
                            "source": "Catastro de agua potable rural, DOH",
                            "baseline": {
                                "value": 62,
                                "date": "2023-06-30",
                                "source": "Catastro DOH 2023",
                            },
                            "targets": [{"year": 2025, "value": 70}, {"year": 2027, "value": 85}],
                            "measurements": [
                                {"date": "2024-06-30", "value": 66, "source": "Catastro DOH 2024"}
                            ],
                        }
                    ],
                }
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


# One measurement, as the plan module sends it (the write API) ------------------------------

MEASUREMENT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "A measurement of an indicator of a territory's plan",
    **_object(
        ["objective", "indicator", "date", "value", "source"],
        {
            "objective": CODE,
            "indicator": CODE,
            "date": DATE,
            "value": VALUE,
            "source": _text(300),
            "evidence": {"type": "string", "maxLength": 500},
        },
    ),
}
_MEASUREMENT = Draft202012Validator(MEASUREMENT_SCHEMA, format_checker=FormatChecker())


def record_measurement(territory: Territory, data: object, by: User | None) -> Measurement:
    """A measurement of the indicator named by its objective's and its own code, checked as a
    file's measurement is."""
    errors = sorted(_MEASUREMENT.iter_errors(data), key=_document_order)
    if errors:
        raise Refused(explain(errors[0]), INVALID)
    assert isinstance(data, dict)
    indicator = db.session.scalar(
        sa.select(Indicator)
        .join(StrategicObjective, StrategicObjective.id == Indicator.objective_id)
        .where(
            StrategicObjective.territory_id == territory.id,
            StrategicObjective.code == data["objective"],
            Indicator.code == data["indicator"],
        )
    )
    if indicator is None:
        raise Refused(
            _(
                "The plan of %(territory)s has no indicator “%(indicator)s” in objective"
                " “%(objective)s”.",
                territory=territory.name,
                indicator=data["indicator"],
                objective=data["objective"],
            ),
            INVALID,
        )
    return services.record_measurement(
        indicator,
        dt.date.fromisoformat(data["date"]),
        _value(data["value"]),
        data["source"].strip(),
        by,
        data.get("evidence", ""),
    )
