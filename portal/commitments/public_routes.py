"""Public accountability pages, for anyone without an account: a territory's commitments by
status, an institution's scorecard, and who contributes what to a territory.

Thin: read the query string, ask ``dashboards`` for the numbers, render. A filter that cannot
be read gets a 400 page that says why in plain words, with the form as it was sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import abort, render_template, request
from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.commitments import bp, charts, states
from portal.commitments import dashboards as dash
from portal.commitments import scorecards as scores
from portal.commitments.dashboards import Filters
from portal.commitments.states import State
from portal.convenios import services as convenio_services
from portal.core import formatting
from portal.core.clock import today
from portal.core.formatting import clp
from portal.core.forms import typed_day
from portal.core.guards import read_int
from portal.initiatives import labels as initiative_labels
from portal.mesas import labels as mesa_labels
from portal.organizations.queries import organization_by_id
from portal.places.queries import territory_by_slug

BAD_REQUEST = 400

PERIODS = {
    "trimestre": _l("This quarter"),
    "proximo-trimestre": _l("Next quarter"),
    "anio": _l("This year"),
    "anio-pasado": _l("Last year"),
}


def _quarter(day: dt.date, ahead: int = 0) -> tuple[dt.date, dt.date]:
    index = (day.month - 1) // 3 + ahead
    year, index = day.year + index // 4, index % 4
    start = dt.date(year, 3 * index + 1, 1)
    following = dt.date(year + (index == 3), (3 * index + 3) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def period(key: str, day: dt.date) -> tuple[dt.date, dt.date]:
    if key == "trimestre":
        return _quarter(day)
    if key == "proximo-trimestre":
        return _quarter(day, 1)
    year = day.year - (key == "anio-pasado")
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _whole(raw: str) -> int | None:
    return read_int(raw, high=999_999_999)


@dataclass
class Query:
    """What the query string asked for, as typed, and what could not be read in it."""

    typed: dict[str, str]
    # (id of the field to correct, or "" when the form has none, message)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def refuse(self, name: str, message: str) -> None:
        self.errors.append(("" if name == "pagina" else f"f-{name}", message))

    def error(self, name: str) -> str:
        return next((m for f, m in self.errors if f == f"f-{name}"), "")

    def page(self) -> int:
        raw = self.typed.get("pagina", "")
        number = _whole(raw) if raw else 1
        if not number:
            self.refuse("pagina", _("The page number must be a whole number, 1 or more."))
            return 1
        return number

    def choice(self, name: str, allowed: set[int] | None) -> int | None:
        """The id chosen in a list; ``allowed`` None when the list is checked afterwards."""
        raw = self.typed.get(name, "")
        if not raw:
            return None
        number = _whole(raw)
        if number is None or (allowed is not None and number not in allowed):
            self.not_in_list(name)
            return None
        return number

    def not_in_list(self, name: str) -> None:
        value = self.typed[name]
        if name == "mesa":
            message = _("Choose a mesa from the list (“%(value)s” is not one).", value=value)
        elif name == "institucion":
            message = _(
                "Choose an institution from the list (“%(value)s” is not one).", value=value
            )
        else:
            message = _("Choose a comuna from the list (“%(value)s” is not one).", value=value)
        self.refuse(name, message)

    def kept(self) -> dict[str, str]:
        """The filters to keep in the links to other pages."""
        return {k: v for k, v in self.typed.items() if v and k != "pagina"}


def _query(names: tuple[str, ...]) -> Query:
    return Query({name: request.args.get(name, "").strip()[:40] for name in names})


def _filters(query: Query, mesas, comunas, day: dt.date) -> Filters:  # type: ignore[no-untyped-def]
    """The filters asked for. The institution is only read as a number here: the list of the
    territory's institutions comes with the counts, and is checked against it then."""
    typed = query.typed
    mesa_id = query.choice("mesa", {m for m, _ in mesas})
    organization_id = query.choice("institucion", None)
    comuna_id = query.choice("comuna", {c.id for c in comunas})
    chosen = None
    if typed["estado"]:
        if typed["estado"] in {b.value for b in State}:
            chosen = State(typed["estado"])
        else:
            query.refuse("estado", _("Choose a status from the list."))
    dates = {}
    for name in ("desde", "hasta"):
        dates[name] = typed_day(typed[name]) if typed[name] else None
        if typed[name] and dates[name] is None:
            query.refuse(name, _("Write the date as day-month-year, for example 31-12-2026."))
    due_from, due_to = dates["desde"], dates["hasta"]
    if due_from and due_to and due_from > due_to:
        query.refuse("hasta", _("The “to” date must be on or after the “from” date."))
    if typed["periodo"]:
        if typed["periodo"] not in PERIODS:
            query.refuse("periodo", _("Choose a period from the list."))
        elif typed["desde"] or typed["hasta"]:
            query.refuse("periodo", _("Choose a period or write dates, not both."))
        else:
            due_from, due_to = period(typed["periodo"], day)
    return Filters(mesa_id, organization_id, chosen, comuna_id, due_from, due_to)


def _territory(slug: str):  # type: ignore[no-untyped-def]
    found = territory_by_slug(slug)
    if found is None:
        abort(404)
    return found


def _share(part: int, whole: int) -> str:
    return format_percent(part / whole if whole else 0)


def _days(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, format="#,##0.#")


def _days_text(value: float | None) -> str:
    """``4,5 días``; a dash when there is nothing to count."""
    if value is None:
        return "–"
    return ngettext("%(days)s day", "%(days)s days", 1 if value == 1 else 2, days=_days(value))


def status_chart(counts: dict[State, int], chart_id: str, title: str):  # type: ignore[no-untyped-def]
    total = sum(counts.values())
    bars = [
        charts.Bar(
            (
                _(
                    "%(status)s: %(count)s (%(share)s)",
                    status=states.LABEL[b],
                    count=formatting.number(n),
                    share=_share(n, total),
                ),
            ),
            n,
            charts.STATE_COLOUR[b],
        )
        for b, n in counts.items()
    ]
    return charts.bar_chart(bars, chart_id=chart_id, title=title)


HELPERS = {
    "State": State,
    "per_page": dash.PAGE,
    "state_of": states.of,
    "number": formatting.number,
    "share": _share,
    "days": _days,
    "days_text": _days_text,
    "STATE": states.LABEL,
    "STATE_EXPLAINED": states.MEANING,
}


@bp.route("/territorios/<slug>/compromisos")
def territory_dashboard(slug: str):
    territory = _territory(slug)
    day = today()
    query = _query(
        ("mesa", "institucion", "estado", "comuna", "periodo", "desde", "hasta", "pagina")
    )
    mesas = dash.mesas_of(territory.id)
    comunas = sorted({m.comuna for m in territory.memberships}, key=lambda c: c.name)
    filters = _filters(query, mesas, comunas, day)
    page = query.page()
    seen = dash.overview(territory.id, filters, day)
    institutions = seen.institutions
    if filters.organization_id is not None and filters.organization_id not in {
        i.id for i in institutions
    }:
        query.not_in_list("institucion")
    shown = seen.counts[filters.state] if filters.state else seen.total
    pages = dash.pages_for(shown)
    if not query.errors and page > pages:
        query.refuse(
            "pagina",
            _("There is no page %(page)s: the last one is %(pages)s.", page=page, pages=pages),
        )
    context = {
        "territory": territory,
        "today": day,
        "query": query,
        "mesas": mesas,
        "institutions": institutions,
        "institution_options": [(i.id, i.name) for i in institutions],
        "comuna_options": [(c.id, c.name) for c in comunas],
        "periods": PERIODS,
        "filters": filters,
        **HELPERS,
    }
    if query.errors:
        return render_template("commitments/public/territory.html", **context), BAD_REQUEST
    title = (
        _("Commitments by status, with the filters chosen")
        if filters.narrowed
        else _("Commitments of %(territory)s by status", territory=territory.name)
    )
    return render_template(
        "commitments/public/territory.html",
        counts=seen.counts,
        total=seen.total,
        shown=shown,
        chart=status_chart(seen.counts, "grafico-estados", title) if seen.total else None,
        chart_title=title,
        commitments=dash.listing(territory.id, filters, day, page),
        page=page,
        pages=pages,
        portfolio=dash.portfolio_progress(territory.id, day),
        initiative_status=initiative_labels.STATUS,
        **context,
    )


@bp.route("/organizaciones/<int:org_id>/compromisos")
def institution(org_id: int):
    found = organization_by_id(org_id)
    if found is None:
        abort(404)
    day = today()
    query = _query(("pagina",))
    page = query.page()
    card = scores.scorecard(found.id, day)
    pages = dash.pages_for(card.total.received)
    if not query.errors and page > pages:
        query.refuse(
            "pagina",
            _("There is no page %(page)s: the last one is %(pages)s.", page=page, pages=pages),
        )
    context = {"org": found, "card": card, "today": day, "query": query, **HELPERS}
    if query.errors:
        return render_template("commitments/public/institution.html", **context), BAD_REQUEST
    return render_template(
        "commitments/public/institution.html",
        commitments=scores.of_organization(found.id, page),
        page=page,
        pages=pages,
        **context,
    )


@bp.route("/territorios/<slug>/aportes")
def contributions(slug: str):
    territory = _territory(slug)
    found = scores.contributions(territory.id)
    committed = sum(c.committed for c in found)
    bars = []
    for c in found:
        colour = charts.ACTOR_COLOUR[c.actor_type]
        bars.append(
            charts.Bar(
                (_("committed: %(amount)s", amount=clp(c.committed)),),
                c.committed,
                colour,
                heading=str(mesa_labels.ACTOR_TYPE[c.actor_type]),
            )
        )
        bars.append(
            charts.Bar(
                (
                    _(
                        "fulfilled: %(amount)s (%(share)s)",
                        amount=clp(c.fulfilled),
                        share=_share(c.fulfilled, c.committed),
                    ),
                ),
                c.fulfilled,
                charts.FULFILLED_COLOUR,
            )
        )
    title = _(
        "Money committed and fulfilled by each kind of actor in %(territory)s",
        territory=territory.name,
    )
    return render_template(
        "commitments/public/contributions.html",
        territory=territory,
        contributions=found,
        convenios=[
            c for c in convenio_services.of_territory(territory.id) if c.in_force_on(today())
        ],
        committed=committed,
        chart=charts.bar_chart(bars, chart_id="grafico-aportes", title=title)
        if committed
        else None,
        chart_title=title,
        ACTOR=mesa_labels.ACTOR_TYPE,
        ACTOR_EXPLAINED=mesa_labels.ACTOR_TYPE_EXPLAINED,
        today=today(),
        **HELPERS,
    )
