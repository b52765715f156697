"""Organization pages. Thin: load, check, call a service, render."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.actions import carried_out
from portal.core.guards import read_int
from portal.core.refusals import INVALID
from portal.mesas import labels
from portal.mesas.models import ActorType, Organization, OrganizationKind
from portal.organizations import bp, queries, services
from portal.organizations.forms import FilterForm, OrganizationForm
from portal.permissions import can, require
from portal.places.queries import comuna_choices

PAGE_PARAM = "pagina"


def _page_number() -> int:
    """The page asked for in ``?pagina=``; anything but a plain positive number is not a page."""
    number = read_int(request.args.get(PAGE_PARAM, "1"), low=1, high=999_999)
    if number is None:
        abort(404)
    return number


@bp.route("/organizaciones")
def index():
    filters = FilterForm(request.args)
    page = _page_number()
    listing = None
    if filters.validate():
        kind = OrganizationKind(filters.kind.data) if filters.kind.data else None
        actor_type = ActorType(filters.actor_type.data) if filters.actor_type.data else None
        name = filters.q.data or ""
        total = queries.count_organizations(kind, actor_type, name)
        if page > queries.pages_for(total):
            abort(404)
        listing = queries.organizations_page(kind, actor_type, page, total, name)
    # The filters in force, kept in the links to the other pages.
    kept = {f.name: f.data for f in (filters.q, filters.kind, filters.actor_type) if f.data}
    return render_template(
        "organizations/index.html",
        filters=filters,
        listing=listing,
        filtered=bool(kept),
        previous_url=_page_url(kept, page - 1) if listing and page > 1 else None,
        next_url=_page_url(kept, page + 1) if listing and page < listing.pages else None,
        can_manage=can(current_user, "organization.manage"),
        labels=labels,
    ), (200 if listing is not None else 400)


def _page_url(kept: dict[str, str], page: int) -> str:
    return url_for("organizations.index", **kept, **({PAGE_PARAM: page} if page > 1 else {}))


@bp.route("/organizaciones/<int:org_id>")
def organization(org_id: int):
    found = queries.organization_by_id(org_id)
    if found is None:
        abort(404)
    return render_template(
        "organizations/organization.html",
        org=found,
        seats=queries.current_seats(found),
        show_rut=can(current_user, "organization.view_private", found),
        can_manage=can(current_user, "organization.manage"),
        labels=labels,
    )


@bp.route("/organizaciones/nueva", methods=["GET", "POST"])
def create():
    require("organization.manage")
    form = OrganizationForm()
    form.comuna.choices = comuna_choices()
    org = _accept(form)
    if org is not None:
        flash(_("%(name)s was added to the registry.", name=org.name), "success")
        return redirect(url_for("organizations.organization", org_id=org.id))
    status = INVALID if form.is_submitted() else 200
    return render_template("organizations/form.html", form=form, org=None), status


@bp.route("/organizaciones/<int:org_id>/editar", methods=["GET", "POST"])
def edit(org_id: int):
    require("organization.manage")
    org = queries.organization_by_id(org_id)
    if org is None:
        abort(404)
    form = OrganizationForm(obj=org if request.method == "GET" else None)
    form.comuna.choices = comuna_choices()
    if request.method == "GET":
        form.comuna.data = org.comuna_id
    if _accept(form, org) is not None:
        flash(_("Your changes were saved."), "success")
        return redirect(url_for("organizations.organization", org_id=org_id))
    status = INVALID if form.is_submitted() else 200
    return render_template("organizations/form.html", form=form, org=org), status


def _accept(form: OrganizationForm, org: Organization | None = None) -> Organization | None:
    """Check the form and save it in one commit: the organization, or None with the form's
    errors filled in."""
    if not form.validate_on_submit() or not _unique(form, org):
        return None
    data = services.OrganizationData(
        name=form.name.data,
        short_name=form.short_name.data or "",
        kind=OrganizationKind(form.kind.data),
        actor_type=ActorType(form.actor_type.data),
        comuna_id=form.comuna.data,
        rut=form.rut.data,
        website=form.website.data,
    )
    # Someone may have saved the same name or RUT a moment ago.
    conflict = _(
        "Another organization was saved with this name or RUT a moment ago. Check the form and "
        "send it again."
    )
    with carried_out(
        page=("organizations/form.html", {"form": form, "org": org}), conflict=conflict
    ):
        saved = services.save(data, org)
    return saved


def _unique(form: OrganizationForm, org: Organization | None) -> bool:
    """The name and the RUT are nobody else's; if they are, the form says so."""
    if services.name_taken(form.name.data, exclude=org):
        form.name.errors.append(
            _("There is already an organization with this name. Look for it in the registry.")
        )
    if form.rut.data:
        holder = services.rut_holder(form.rut.data, exclude=org)
        if holder is not None:
            form.rut.errors.append(_("This RUT already belongs to %(name)s.", name=holder.name))
    return not (form.name.errors or form.rut.errors)
