"""What a citizen takes away: the Atom feeds of changes in the public commitments of a
territory, a mesa or an institution, and the printable cuenta pública of a territory or a mesa
for a period, to hand out at a community assembly. All public, no login."""

from __future__ import annotations

import datetime as dt

from babel.lists import format_list
from flask import Response, abort, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from portal.commitments import bp, feeds, labels, reports
from portal.commitments import events as changes
from portal.convenios import services as convenio_services
from portal.core import clock
from portal.core.guards import read_int
from portal.core.links import external_url
from portal.mesas import labels as mesa_labels
from portal.mesas.models import Mesa
from portal.mesas.queries import mesa_by_slug
from portal.organizations.queries import organization_by_id
from portal.places.models import Territory
from portal.places.queries import territory_by_slug
from portal.plans import labels as plan_labels
from portal.plans import services as plan_services
from portal.portfolios import money

INVALID = 400  # a period that cannot be shown


def _feed(scope: reports.Scope, *, title: str, page_url: str, since: dt.datetime) -> Response:
    events = changes.feed_events(scope)
    body = feeds.atom(
        specific=request.path.lstrip("/"),
        title=title,
        subtitle=_(
            "The last %(num)d changes to its public commitments: new commitments, new dates, "
            "progress, deliveries, the mesa's validations, cancellations and published "
            "observations.",
            num=changes.FEED_LENGTH,
        ),
        page_url=page_url,
        events=events,
        since=since,
    )
    response = Response(
        body,
        headers={
            "Content-Type": feeds.CONTENT_TYPE,
            "Cache-Control": "public, max-age=300",
            # Titles follow the reader's language, which a cookie may choose.
            "Vary": "Cookie",
        },
    )
    # A feed reader asks every few minutes: while nothing changed, it gets a 304 and no body.
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/territorios/<slug>/compromisos.atom")
def territory_feed(slug: str):
    territory = territory_by_slug(slug)
    if territory is None:
        abort(404)
    return _feed(
        reports.Scope(territory_id=territory.id),
        title=_("Commitments to %(name)s: latest changes", name=territory.name),
        page_url=external_url("public.territory", slug=territory.slug),
        since=territory.created_at,
    )


@bp.route("/mesas/<slug>/compromisos.atom")
def mesa_feed(slug: str):
    mesa = mesa_by_slug(slug)
    if mesa is None:
        abort(404)
    return _feed(
        reports.Scope(mesa_id=mesa.id),
        title=_("Commitments taken at %(name)s: latest changes", name=mesa.name),
        page_url=external_url("mesas.mesa", slug=mesa.slug),
        since=mesa.created_at,
    )


@bp.route("/organizaciones/<int:org_id>/compromisos.atom")
def institution_feed(org_id: int):
    org = organization_by_id(org_id)
    if org is None:
        abort(404)
    return _feed(
        reports.Scope(organization_id=org.id),
        title=_("Commitments of %(name)s: latest changes", name=org.name),
        page_url=external_url("organizations.organization", org_id=org.id),
        since=org.created_at,
    )


# The cuenta pública ------------------------------------------------------------------------------


def summary(report: reports.Report, *, of_mesa: bool) -> list[str]:
    """The report in a few plain sentences, for people who will not read the tables."""
    n = report.taken
    if of_mesa:
        taken = ngettext(
            "In this period the mesa took %(num)d commitment.",
            "In this period the mesa took %(num)d commitments.",
            n,
        )
    else:
        taken = ngettext(
            "In this period the mesas of the territory took %(num)d commitment.",
            "In this period the mesas of the territory took %(num)d commitments.",
            n,
        )
    sentences = [taken]
    total = report.total
    if not total:
        return [*sentences, _("No commitment was in force during the period.")]
    sentences.append(
        ngettext(
            "This report follows %(num)d commitment in force during the period.",
            "This report follows %(num)d commitments in force during the period.",
            total,
        )
    )
    states = report.states
    undated = states["fulfilled"] - report.on_time - report.late
    open_in_time = states["pending"] + states["in_progress"] + states["awaiting_validation"]
    # Each count with its sentence; the babel extractor needs the words in each call.
    parts = [
        (
            report.on_time,
            ngettext(
                "%(num)d was fulfilled on time", "%(num)d were fulfilled on time", report.on_time
            ),
        ),
        (
            report.late,
            ngettext("%(num)d was fulfilled late", "%(num)d were fulfilled late", report.late),
        ),
        (undated, ngettext("%(num)d was fulfilled", "%(num)d were fulfilled", undated)),
        (
            states["partly_fulfilled"],
            ngettext(
                "%(num)d was partly fulfilled",
                "%(num)d were partly fulfilled",
                states["partly_fulfilled"],
            ),
        ),
        (
            states["not_fulfilled"],
            ngettext(
                "%(num)d was not fulfilled", "%(num)d were not fulfilled", states["not_fulfilled"]
            ),
        ),
        (
            states["overdue"],
            ngettext("%(num)d is overdue", "%(num)d are overdue", states["overdue"]),
        ),
        (
            open_in_time,
            ngettext(
                "%(num)d is still within its date",
                "%(num)d are still within their date",
                open_in_time,
            ),
        ),
        (
            states["cancelled"],
            ngettext("%(num)d was cancelled", "%(num)d were cancelled", states["cancelled"]),
        ),
    ]
    said = [sentence for count, sentence in parts if count]
    sentences.append(
        _("Of them, %(list)s.", list=format_list(said, locale=get_locale() or "es_CL"))
    )
    if report.rescheduled:
        sentences.append(
            ngettext(
                "%(num)d commitment had its date changed.",
                "%(num)d commitments had their date changed.",
                report.rescheduled,
            )
        )
    return sentences


def _page_asked(choice: reports.PeriodChoice) -> int:
    raw = request.args.get("pagina", "").strip()[:40]
    page = read_int(raw, high=999_999_999) if raw else 1
    if not page:
        choice.errors["pagina"] = _("The page number must be a whole number, 1 or more.")
        return 1
    return page


def _report(
    scope: reports.Scope,
    endpoint: str,
    slug: str,
    *,
    name: str,
    page_url: str,
    feed_url: str,
    csv_filter: dict[str, str],
    mesa: Mesa | None = None,
    plan_of: Territory | None = None,
):  # type: ignore[no-untyped-def]
    """The report of the period in ``desde`` and ``hasta``, or the form with what is wrong."""
    today = clock.today()
    choice = reports.choose_period(request.args.get("desde"), request.args.get("hasta"), today)
    page = _page_asked(choice)
    first = (page - 1) * reports.LINES_PER_PAGE
    report = (
        reports.public_report(scope, choice.period, today, first=first) if choice.period else None
    )
    pages = max(-(-report.total // reports.LINES_PER_PAGE), 1) if report else 1
    if report is not None and "pagina" not in choice.errors and page > pages:
        choice.errors["pagina"] = _(
            "There is no page %(page)s: the last one is %(pages)s.", page=page, pages=pages
        )
    if choice.errors:
        report = None
    # A territory's report says how its plan stands: indicators against targets, and each
    # portfolio line's money executed against what was approved.
    plan = money_lines = convenio_lines = None
    if report is not None and plan_of is not None:
        convenio_lines = convenio_services.contributions(
            plan_of.id, report.period.start, report.period.end
        )
        plan = plan_services.plan_lines(plan_of, report.period.end)
        money_lines = money.lines_of(plan_of.id, report.period.end.year)
    # The address of this very report, printed at its foot so that a reader can find it.
    period = (
        {"desde": report.period.start.isoformat(), "hasta": report.period.end.isoformat()}
        if report
        else {}
    )
    report_url = external_url(endpoint, slug=slug, **period) if report else ""
    lines = report.lines if report else []
    return render_template(
        "commitments/report.html",
        choice=choice,
        report=report,
        sentences=summary(report, of_mesa=mesa is not None) if report else [],
        name=name,
        of_mesa=mesa is not None,
        territory=mesa.territory if mesa is not None else None,
        page_url=page_url,
        feed_url=feed_url,
        form_url=url_for(endpoint, slug=slug),
        report_url=report_url,
        lines=lines,
        first=first,
        validated=[line for line in lines if line.validation is not None],
        page=page,
        pages=pages,
        pager_args={"slug": slug, **period},
        csv_url=url_for("opendata.download", name="commitments", **csv_filter),
        csv_semicolon_url=url_for(
            "opendata.download", name="commitments", separador="punto-y-coma", **csv_filter
        ),
        observations=report.observations if report else [],
        plan=plan,
        money_lines=money_lines,
        convenio_lines=convenio_lines,
        report_slug=slug,
        plan_labels=plan_labels,
        generated_at=clock.now(),
        labels=labels,
        mesa_labels=mesa_labels,
    ), (200 if report else INVALID)


@bp.route("/territorios/<slug>/cuenta-publica")
def territory_report(slug: str):
    territory = territory_by_slug(slug)
    if territory is None:
        abort(404)
    return _report(
        reports.Scope(territory_id=territory.id),
        "commitments.territory_report",
        territory.slug,
        name=territory.name,
        page_url=url_for("public.territory", slug=territory.slug),
        feed_url=url_for("commitments.territory_feed", slug=territory.slug),
        csv_filter={"territory": territory.slug},
        plan_of=territory,
    )


@bp.route("/mesas/<slug>/cuenta-publica")
def mesa_report(slug: str):
    mesa = mesa_by_slug(slug)
    if mesa is None:
        abort(404)
    return _report(
        reports.Scope(mesa_id=mesa.id),
        "commitments.mesa_report",
        mesa.slug,
        name=mesa.name,
        page_url=url_for("mesas.mesa", slug=mesa.slug),
        feed_url=url_for("commitments.mesa_feed", slug=mesa.slug),
        csv_filter={"mesa": mesa.slug},
        mesa=mesa,
    )
