"""The administration console (/admin), for platform admins: territories, mesas, people and
the log of what was done here. Thin: load, check, call a service and log, render."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from portal.accounts import coordination
from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.admin import bp, labels
from portal.admin import services as console
from portal.admin.forms import (
    ComunaLeavesForm,
    JoinComunaForm,
    MergeForm,
    MesaForm,
    ReasonForm,
    StageForm,
    TerritoryDetailsForm,
    TerritoryForm,
)
from portal.admin.models import AdminAction
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.forms import optional_int, status_for
from portal.core.links import external_url
from portal.core.refusals import Refused
from portal.core.text import LIKE_ESCAPE, contains_pattern
from portal.extensions import db
from portal.mesas import labels as mesa_labels
from portal.mesas import services as mesas
from portal.mesas.models import (
    ActorType,
    FoundingInstrument,
    Mesa,
    MesaKind,
    Organization,
    QuorumRule,
    Role,
)
from portal.notifications.models import WAITING, Channel, OutboxMessage
from portal.organizations import services as organizations
from portal.permissions import can, require
from portal.places import services as places
from portal.places.labels import PHASE_LABELS, STATUS_LABELS
from portal.places.models import (
    Comuna,
    Province,
    Region,
    Territory,
    TerritoryComuna,
    TerritoryPhase,
    TerritoryStatus,
)

PAGE_SIZE = 25


@bp.before_request
def _only_admins():  # type: ignore[no-untyped-def]
    require("admin.console")


@bp.context_processor
def _labels() -> dict:
    return {"action_labels": labels.ACTION}


def _regions_allowed() -> frozenset[int] | None:
    """The regions whose territories and mesas the person runs here; None for all (admin)."""
    return None if current_user.is_admin else coordination.regions_of(current_user)


def _page() -> int:
    raw = request.args.get("pagina", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _paged(query: sa.Select, count: sa.Select) -> dict:
    """One page of ``query`` (two queries whatever the data) and what the pager needs."""
    page = _page()
    total = db.session.scalar(count) or 0
    rows = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).unique().all()
    pages = max(1, -(-total // PAGE_SIZE))
    return {"rows": rows, "page": page, "pages": pages, "total": total}


def _search() -> str:
    return request.args.get("q", "").strip()[:100]


def _form_page(form, title: str, button: str, status: int | None = None, **context):  # type: ignore[no-untyped-def]
    page = render_template("admin/form.html", form=form, title=title, button=button, **context)
    return page, status if status is not None else status_for(form)


@bp.route("/admin")
def index():
    counts = {
        "territories": db.session.scalar(sa.select(sa.func.count(Territory.id))),
        "mesas": db.session.scalar(sa.select(sa.func.count(Mesa.id))),
        "people": db.session.scalar(sa.select(sa.func.count(User.id))),
    }
    latest = (
        db.session.scalars(
            sa.select(AdminAction)
            .options(joinedload(AdminAction.actor))
            .order_by(AdminAction.id.desc())
            .limit(10)
        ).all()
        if can(current_user, "admin.log")
        else None
    )
    return render_template("admin/index.html", counts=counts, latest=latest)


@bp.route("/admin/registro")
def log():
    require("admin.log")
    query = sa.select(AdminAction).options(joinedload(AdminAction.actor))
    paged = _paged(query.order_by(AdminAction.id.desc()), sa.select(sa.func.count(AdminAction.id)))
    return render_template("admin/log.html", **paged)


@bp.route("/admin/correo")
def mail():
    """The outbox as its operator needs it: what waits, what went in the last day, and what
    was given up, with the mail server's answer."""
    require("admin.mail")
    # Events for other systems have their own page (portal/webhooks).
    mail_only = OutboxMessage.channel != Channel.WEBHOOK
    day_ago = clock.now() - dt.timedelta(days=1)
    waiting, sent_today, given_up = db.session.execute(
        sa.select(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(WAITING, mail_only)
            .scalar_subquery(),
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.sent_at >= day_ago, mail_only)
            .scalar_subquery(),
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.failed_at.is_not(None), mail_only)
            .scalar_subquery(),
        )
    ).one()
    oldest = db.session.scalar(
        sa.select(sa.func.min(OutboxMessage.created_at)).where(WAITING, mail_only)
    )
    query = sa.select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None), mail_only)
    paged = _paged(
        query.order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc()),
        sa.select(sa.func.count()).select_from(query.subquery()),
    )
    return render_template(
        "admin/mail.html",
        waiting=waiting,
        sent_today=sent_today,
        given_up=given_up,
        oldest=oldest,
        **paged,
    )


# Territories ----------------------------------------------------------------------------------


@bp.route("/admin/territorios")
def territories():
    q = _search()
    query = sa.select(Territory).options(joinedload(Territory.region))
    count = sa.select(sa.func.count(Territory.id))
    if (allowed := _regions_allowed()) is not None:
        query = query.where(Territory.region_id.in_(allowed))
        count = count.where(Territory.region_id.in_(allowed))
    if q:
        named = Territory.name.ilike(contains_pattern(q), escape=LIKE_ESCAPE)
        query, count = query.where(named), count.where(named)
    paged = _paged(query.order_by(Territory.name), count)
    return render_template(
        "admin/territories.html", q=q, phases=PHASE_LABELS, statuses=STATUS_LABELS, **paged
    )


def _region_comunas(region: Region) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Comuna.id, Comuna.name, Province.name)
        .join(Province, Province.id == Comuna.province_id)
        .where(Province.region_id == region.id)
        .order_by(Comuna.name)
    ).all()
    return [(id_, f"{name} ({province})") for id_, name, province in rows]


@bp.route("/admin/territorios/nuevo", methods=["GET", "POST"])
def new_territory():
    regions = _regions()
    code = request.args.get("region", "")
    region = next((r for r in regions if r.code == code), None)
    if region is None:
        # First the region: its comunas are then offered on the form.
        return render_template("admin/pick_region.html", regions=regions)
    form = TerritoryForm()
    form.comunas.choices = _region_comunas(region)
    if form.validate_on_submit():
        stage = places.Stage(
            TerritoryPhase(form.phase.data),
            TerritoryStatus.LAGGING,
            form.since.data,
            decree=form.decree.data,
            decree_on=form.decree_on.data,
            reason=form.reason.data,
        )
        chosen = db.session.scalars(sa.select(Comuna).where(Comuna.id.in_(form.comunas.data)))
        comunas = list(chosen)
        title = _("New territory in %(region)s", region=region.name)
        with carried_out(
            page=lambda status: _form_page(form, title, _("Admit the territory"), status),
            form=form,
        ):
            territory = places.create_territory(
                form.name.data, region, comunas, stage, by_id=current_user.id
            )
            console.log(
                "territory.create",
                territory,
                form.reason.data,
                current_user,
                name=territory.name,
                region=region.code,
                comunas=sorted(c.code for c in comunas),
                **stage.facts(),
            )
        flash(_("The territory %(name)s was admitted.", name=territory.name), "success")
        return redirect(url_for("admin.territory", territory_id=territory.id))
    return _form_page(
        form,
        _("New territory in %(region)s", region=region.name),
        _("Admit the territory"),
        lead=_(
            "A territory declared lagging by decree: a functional group of neighboring comunas"
            " of one region."
        ),
        back=(url_for("admin.territories"), _("Territories")),
    )


def _regions() -> list[Region]:
    """The regions the person may set up territories and mesas in."""
    query = sa.select(Region).order_by(Region.position)
    if (allowed := _regions_allowed()) is not None:
        query = query.where(Region.id.in_(allowed))
    return list(db.session.scalars(query))


def _territory(territory_id: int) -> Territory:
    found = db.session.get(
        Territory,
        territory_id,
        options=[
            joinedload(Territory.region),
            selectinload(Territory.memberships).joinedload(TerritoryComuna.comuna),
            selectinload(Territory.stages),
        ],
    )
    if found is None:
        abort(404)
    require("admin.territory", found)
    return found


@bp.route("/admin/territorios/<int:territory_id>")
def territory(territory_id: int):
    found = _territory(territory_id)
    mesas_of = db.session.scalars(
        sa.select(Mesa).where(Mesa.territory_id == found.id).order_by(Mesa.kind, Mesa.name)
    ).all()
    return render_template(
        "admin/territory.html",
        territory=found,
        mesas=mesas_of,
        phases=PHASE_LABELS,
        statuses=STATUS_LABELS,
        mesa_kinds=mesa_labels.MESA_KIND,
    )


def _back_to(territory: Territory) -> tuple[str, str]:
    return (url_for("admin.territory", territory_id=territory.id), territory.name)


@bp.route("/admin/territorios/<int:territory_id>/editar", methods=["GET", "POST"])
def edit_territory(territory_id: int):
    found = _territory(territory_id)
    form = TerritoryDetailsForm(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        before = {"name": found.name, "decree": found.decree, "decree_on": found.decree_on}
        with carried_out():
            found.name, found.decree = form.name.data, form.decree.data
            found.decree_on = form.decree_on.data
            after = {"name": found.name, "decree": found.decree, "decree_on": found.decree_on}
            changed = {k: [v, after[k]] for k, v in before.items() if v != after[k]}
            console.log("territory.edit", found, form.reason.data, current_user, **changed)
        flash(_("The changes were saved."), "success")
        return redirect(url_for("admin.territory", territory_id=found.id))
    return _form_page(
        form, _("Edit %(name)s", name=found.name), _("Save changes"), back=_back_to(found)
    )


@bp.route("/admin/territorios/<int:territory_id>/etapa", methods=["GET", "POST"])
def new_stage(territory_id: int):
    found = _territory(territory_id)
    form = StageForm()
    if request.method == "GET":
        form.phase.data, form.status.data = found.phase.value, found.status.value
    title = _("New stage of %(name)s", name=found.name)
    lead = _("The phase of its plan, or its exit from the program in stages, each with its decree.")
    context = {"lead": lead, "back": _back_to(found)}
    if form.validate_on_submit():
        stage = places.Stage(
            TerritoryPhase(form.phase.data),
            TerritoryStatus(form.status.data),
            form.since.data,
            decree=form.decree.data,
            decree_on=form.decree_on.data,
            reason=form.reason.data,
        )
        with carried_out(
            page=lambda status: _form_page(form, title, _("Record the stage"), status, **context),
            form=form,
        ):
            places.record_stage(found, stage, by_id=current_user.id)
            console.log("territory.stage", found, form.reason.data, current_user, **stage.facts())
        flash(_("The new stage was recorded."), "success")
        return redirect(url_for("admin.territory", territory_id=found.id))
    return _form_page(form, title, _("Record the stage"), **context)


@bp.route("/admin/territorios/<int:territory_id>/comunas", methods=["GET", "POST"])
def join_comuna(territory_id: int):
    found = _territory(territory_id)
    current = {m.comuna_id for m in found.memberships if m.valid_to is None}
    form = JoinComunaForm()
    form.comuna.choices = [
        SelectChoice("", _("Choose a comuna")),
        *(
            SelectChoice(id_, name)
            for id_, name in _region_comunas(found.region)
            if id_ not in current
        ),
    ]
    title = _("A comuna joins %(name)s", name=found.name)
    if form.validate_on_submit():
        comuna = db.session.get(Comuna, form.comuna.data)
        with carried_out(
            page=lambda status: _form_page(
                form, title, _("Add the comuna"), status, back=_back_to(found)
            ),
            form=form,
        ):
            places.add_comuna(found, comuna, form.since.data, note=form.reason.data)
            console.log(
                "territory.comuna_joins",
                found,
                form.reason.data,
                current_user,
                comuna=comuna.code,
                since=form.since.data,
            )
        flash(_("%(comuna)s is now part of the territory.", comuna=comuna.name), "success")
        return redirect(url_for("admin.territory", territory_id=found.id))
    return _form_page(form, title, _("Add the comuna"), back=_back_to(found))


@bp.route(
    "/admin/territorios/<int:territory_id>/comunas/<int:membership_id>/salida",
    methods=["GET", "POST"],
)
def comuna_leaves(territory_id: int, membership_id: int):
    found = _territory(territory_id)
    membership = next((m for m in found.memberships if m.id == membership_id), None)
    if membership is None:
        abort(404)
    form = ComunaLeavesForm()
    title = _("%(comuna)s leaves %(name)s", comuna=membership.comuna.name, name=found.name)
    if form.validate_on_submit():
        with carried_out(
            page=lambda status: _form_page(
                form, title, _("Record that it leaves"), status, back=_back_to(found)
            ),
            form=form,
        ):
            places.remove_comuna(membership, form.until.data, note=form.reason.data)
            console.log(
                "territory.comuna_leaves",
                found,
                form.reason.data,
                current_user,
                comuna=membership.comuna.code,
                until=form.until.data,
            )
        flash(_("The comuna's exit was recorded."), "success")
        return redirect(url_for("admin.territory", territory_id=found.id))
    return _form_page(form, title, _("Record that it leaves"), back=_back_to(found))


# Mesas ----------------------------------------------------------------------------------------


@bp.route("/admin/mesas")
def mesas_list():
    q = _search()
    query = sa.select(Mesa).options(joinedload(Mesa.territory), joinedload(Mesa.region))
    count = sa.select(sa.func.count(Mesa.id))
    if (allowed := _regions_allowed()) is not None:
        in_region = sa.or_(
            Mesa.region_id.in_(allowed),
            Mesa.territory_id.in_(sa.select(Territory.id).where(Territory.region_id.in_(allowed))),
        )
        query, count = query.where(in_region), count.where(in_region)
    if q:
        named = Mesa.name.ilike(contains_pattern(q), escape=LIKE_ESCAPE)
        query, count = query.where(named), count.where(named)
    paged = _paged(query.order_by(Mesa.name), count)
    return render_template("admin/mesas.html", q=q, kinds=mesa_labels.MESA_KIND, **paged)


def _first_seat(mesa: Mesa, role: Role, name: str, email: str) -> None:
    """The mesa's first chair or secretary: invited by mail, or kept on record by name; nobody
    when neither is given."""
    seat = mesas.Seat(role=role, organization=None, actor_type=ActorType.PUBLIC)
    if email:
        mesas.invite(mesa, email, name, seat, current_user)
    elif name:
        mesas.add_member(mesa, name, None, seat, mesa.status_since, current_user)


@bp.route("/admin/mesas/nueva", methods=["GET", "POST"])
def new_mesa():
    form = MesaForm()
    regions = _regions()
    territories_ = db.session.scalars(
        sa.select(Territory)
        .where(Territory.region_id.in_([r.id for r in regions]))
        .order_by(Territory.name)
    ).all()
    form.territory.choices = [
        SelectChoice("", _("Choose a territory")),
        *(SelectChoice(t.id, t.name) for t in territories_),
    ]
    form.region.choices = [
        SelectChoice("", _("Choose a region")),
        *(SelectChoice(r.id, r.name) for r in regions),
    ]
    if request.method == "GET" and request.args.get("territorio", "").isdigit():
        form.territory.data = int(request.args["territorio"])
    title = _("New mesa")
    hints = {
        "chair_email": _(
            "With an email, the person gets an invitation to take the seat with their account."
            " With a name only, the mesa keeps them on record."
        ),
        "history": _("Only for a mesa that existed before the program."),
    }
    if form.validate_on_submit():
        chosen_territory = form.territory.data
        data = mesas.NewMesa(
            kind=MesaKind(form.kind.data),
            name=form.name.data,
            territory=db.session.get(Territory, chosen_territory) if chosen_territory else None,
            region=db.session.get(Region, form.region.data) if form.region.data else None,
            theme=form.theme.data,
            chair_title=form.chair_title.data,
            quorum_rule=QuorumRule(form.quorum_rule.data),
            pre_existing=form.pre_existing.data,
            founded_on=form.founded_on.data,
            founding_instrument=(
                FoundingInstrument(form.founding_instrument.data)
                if form.founding_instrument.data
                else None
            ),
            prior_record=form.history.data or "",
        )
        with carried_out(
            page=lambda status: _form_page(form, title, _("Create the mesa"), status, hints=hints),
            form=form,
        ):
            mesa = mesas.create_mesa(data)
            for role, name, email in (
                (Role.CHAIR, form.chair_name.data, form.chair_email.data),
                (Role.SECRETARY, form.secretary_name.data, form.secretary_email.data),
            ):
                _first_seat(mesa, role, name, email)
            console.log(
                "mesa.create",
                mesa,
                form.reason.data,
                current_user,
                name=mesa.name,
                kind=mesa.kind,
                territory=mesa.territory_id,
                region=mesa.region_id,
                pre_existing=mesa.pre_existing,
                founded_on=mesa.founded_on,
                chair=form.chair_email.data or form.chair_name.data,
                secretary=form.secretary_email.data or form.secretary_name.data,
            )
        flash(_("The mesa %(name)s was created.", name=mesa.name), "success")
        return redirect(url_for("mesas.manage", slug=mesa.slug))
    return _form_page(form, title, _("Create the mesa"), hints=hints)


# People ---------------------------------------------------------------------------------------


@bp.route("/admin/personas")
def people():
    require("admin.people")
    q = _search()
    query = sa.select(User)
    count = sa.select(sa.func.count(User.id))
    if q:
        matches = sa.or_(
            User.name.ilike(contains_pattern(q), escape=LIKE_ESCAPE),
            User.email.ilike(contains_pattern(q), escape=LIKE_ESCAPE),
        )
        query, count = query.where(matches), count.where(matches)
    paged = _paged(query.order_by(User.name, User.id), count)
    return render_template("admin/people.html", q=q, **paged)


def _person(user_id: int) -> User:
    found = db.session.get(User, user_id)
    if found is None:
        abort(404)
    return found


@bp.route("/admin/personas/<int:user_id>")
def person(user_id: int):
    require("admin.people")
    found = _person(user_id)
    actions = db.session.scalars(
        sa.select(AdminAction)
        .options(joinedload(AdminAction.actor))
        .where(AdminAction.subject == "users", AdminAction.subject_id == found.id)
        .order_by(AdminAction.id.desc())
        .limit(50)
    ).all()
    coordinations = coordination.current(found)
    named = {c.region_id for c in coordinations}
    regions = db.session.scalars(sa.select(Region).order_by(Region.position)).all()
    return render_template(
        "admin/person.html",
        person=found,
        actions=actions,
        coordinations=coordinations,
        region_names={r.id: r.name for r in regions},
        open_regions=[r for r in regions if r.id not in named],
        offered=_offered(found),
        action_names={key: label for key, (label, _done) in PERSON_ACTIONS.items()},
    )


# What can be done to an account: (label, done message, service).
PERSON_ACTIONS = {
    "desactivar": (_l("Deactivate the account"), _l("The account was deactivated.")),
    "reactivar": (_l("Reactivate the account"), _l("The account was reactivated.")),
    "clave": (
        _l("Make the password stop working and mail a link to choose a new one"),
        _l("The password no longer works; a link to choose a new one was mailed."),
    ),
    "dar-admin": (
        _l("Make it a platform administrator"),
        _l("The account is now an administrator."),
    ),
    "quitar-admin": (
        _l("Remove platform administration"),
        _l("The account is no longer an administrator."),
    ),
    "dos-pasos": (
        _l("Turn off two-step sign-in (lost phone)"),
        _l("Two-step sign-in was turned off; the person turns it on again."),
    ),
}


def _offered(user: User) -> list[str]:
    if user.id == current_user.id:
        return []
    offered = ["desactivar", "clave"] if user.active else ["reactivar"]
    offered.append("quitar-admin" if user.is_admin else "dar-admin")
    if user.has_two_factor:
        offered.append("dos-pasos")
    return offered


@bp.route("/admin/personas/<int:user_id>/<action>", methods=["POST"])
def person_action(user_id: int, action: str):
    require("admin.people")
    found = _person(user_id)
    if action not in PERSON_ACTIONS:
        abort(404)
    form = ReasonForm()
    back = url_for("admin.person", user_id=found.id)
    if not form.validate_on_submit():
        flash(form.reason.errors[0] if form.reason.errors else _("Say why."), "error")
        return redirect(back, code=303)
    token = None
    with carried_out(back=back):
        if action == "desactivar":
            console.deactivate(found, current_user)
        elif action == "reactivar":
            console.reactivate(found, current_user)
        elif action == "clave":
            token = console.force_reset(found, current_user)
        elif action in ("dar-admin", "quitar-admin"):
            console.set_admin(found, action == "dar-admin", current_user)
        else:
            console.turn_off_two_factor(found, current_user)
        console.log(f"person.{action}", found, form.reason.data, current_user)
        if token is not None:
            link = external_url("accounts.reset_password", token=token)
            accounts.send_reset_mail(found, link)
    flash(str(PERSON_ACTIONS[action][1]), "success")
    return redirect(back, code=303)


@bp.route("/admin/personas/<int:user_id>/coordinacion", methods=["POST"])
def coordinate(user_id: int):
    """Names the person coordinator of a region: they run its territories and mesas here."""
    require("admin.people")
    found = _person(user_id)
    back = url_for("admin.person", user_id=found.id)
    form = ReasonForm()
    region = db.session.get(Region, optional_int(request.form.get("region")) or 0)
    if not form.validate_on_submit() or region is None:
        flash(_("Choose the region and say why."), "error")
        return redirect(back, code=303)
    with carried_out(back=back):
        if not found.active:
            raise Refused(_l("Reactivate the account first."))
        coordination.start(found, region.id)
        console.log("person.coordinate", found, form.reason.data, current_user, region=region.code)
    flash(_("%(name)s now coordinates %(region)s.", name=found.name, region=region.name), "success")
    return redirect(back, code=303)


@bp.route("/admin/personas/<int:user_id>/coordinacion/<int:coordination_id>/fin", methods=["POST"])
def stop_coordinating(user_id: int, coordination_id: int):
    require("admin.people")
    found = _person(user_id)
    back = url_for("admin.person", user_id=found.id)
    ending = next((c for c in coordination.current(found) if c.id == coordination_id), None)
    if ending is None:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Say why."), "error")
        return redirect(back, code=303)
    region = db.session.get(Region, ending.region_id)
    with carried_out(back=back):
        coordination.end(ending)
        console.log(
            "person.stop_coordinating", found, form.reason.data, current_user, region=region.code
        )
    flash(
        _("%(name)s no longer coordinates %(region)s.", name=found.name, region=region.name),
        "success",
    )
    return redirect(back, code=303)


# Organizations --------------------------------------------------------------------------------


@bp.route("/admin/organizaciones/<int:org_id>/fusionar", methods=["GET", "POST"])
def merge_organization(org_id: int):
    """Another record of the same organization is merged into this one: every membership,
    commitment, initiative, request and invitation that named it now names this one."""
    require("admin.organizations")
    keep = db.session.get(Organization, org_id)
    if keep is None:
        abort(404)
    form = MergeForm()
    others = db.session.execute(
        sa.select(Organization.id, Organization.name)
        .where(Organization.id != keep.id)
        .order_by(Organization.name)
    ).all()
    form.duplicate.choices = [
        SelectChoice("", _("Choose the duplicate")),
        *(SelectChoice(id_, name) for id_, name in others),
    ]
    title = _("Merge a duplicate into %(name)s", name=keep.name)
    context = {
        "lead": _(
            "Everything that named the duplicate (memberships, commitments, initiatives,"
            " requests, invitations) will name %(name)s; the duplicate disappears. It cannot be"
            " undone.",
            name=keep.name,
        ),
        "back": (url_for("organizations.organization", org_id=keep.id), keep.name),
    }
    if form.validate_on_submit():
        duplicate = db.session.get(Organization, form.duplicate.data)
        gone = {"id": duplicate.id, "name": duplicate.name, "rut": duplicate.rut}
        with carried_out(
            page=lambda status: _form_page(form, title, _("Merge"), status, **context),
            form=form,
        ):
            moved = organizations.merge(keep, duplicate)
            console.log(
                "organization.merge", keep, form.reason.data, current_user, merged=gone, moved=moved
            )
        flash(_("%(gone)s was merged into %(name)s.", gone=gone["name"], name=keep.name), "success")
        return redirect(url_for("organizations.organization", org_id=keep.id))
    return _form_page(form, title, _("Merge"), **context)
