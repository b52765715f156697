"""The admin's pages for the write API's keys: the list, creating one (shown once), revoking
one. Revoked keys stay listed, with when."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from portal.admin.forms import ReasonForm
from portal.api import keys_bp as bp
from portal.api import tokens
from portal.api.key_forms import KeyForm
from portal.api.models import ApiToken
from portal.core.actions import carried_out
from portal.core.forms import status_for
from portal.extensions import db
from portal.permissions import require
from portal.places.models import Territory


@bp.before_request
def _only_admins():  # type: ignore[no-untyped-def]
    require("admin.api_keys")


def _listing(
    token: str | None = None, created: ApiToken | None = None, status: int = 200, failed=None
):  # type: ignore[no-untyped-def]
    keys = db.session.scalars(
        sa.select(ApiToken)
        .options(joinedload(ApiToken.territory), joinedload(ApiToken.created_by))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.name, ApiToken.id)
    ).all()
    forms = {k.id: ReasonForm(prefix=f"key{k.id}", formdata=None) for k in keys if not k.is_revoked}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "api/keys.html",
        keys=keys,
        forms=forms,
        failed=failed[1] if failed is not None else None,
        token=token,
        created=created,
        scopes=tokens.SCOPES,
    ), status


@bp.route("/admin/claves-api")
def keys():
    return _listing()


@bp.route("/admin/claves-api/nueva", methods=["GET", "POST"])
def new_key():
    form = KeyForm()
    form.scopes.choices = list(tokens.SCOPES.items())
    territories = db.session.scalars(sa.select(Territory).order_by(Territory.name)).all()
    form.territory.choices = [
        SelectChoice("", _("Choose a territory")),
        *(SelectChoice(t.id, t.name) for t in territories),
    ]
    if form.validate_on_submit():
        territory = db.session.get(Territory, form.territory.data)
        with carried_out():
            created, token = tokens.create(
                form.name.data, territory, form.scopes.data, form.reason.data, current_user
            )
        return _listing(token=token, created=created)
    return render_template(
        "admin/form.html",
        form=form,
        title=_("Create a write key for the API"),
        button=_("Create the key"),
        back=(url_for("api_keys.keys"), _("Write keys of the API")),
        lead=_(
            "A system with this key writes for one territory what the key allows. The key is"
            " shown once, when it is created; the portal keeps only its fingerprint."
        ),
    ), status_for(form)


@bp.route("/admin/claves-api/<int:key_id>/revocar", methods=["POST"])
def revoke(key_id: int):
    found = db.session.get(ApiToken, key_id)
    if found is None:
        abort(404)
    if found.is_revoked:
        flash(_("This key was already revoked."), "info")
        return redirect(url_for("api_keys.keys"))
    form = ReasonForm(prefix=f"key{found.id}")
    if not form.validate_on_submit():
        return _listing(status=status_for(form), failed=(found.id, form))
    with carried_out():
        tokens.revoke(found, form.reason.data, current_user)
    flash(_("The key no longer works."), "success")
    return redirect(url_for("api_keys.keys"))
