"""The admin creates a write key for a territory (shown once, only its fingerprint kept) and
revokes it with a reason; both go to the administration's log."""

from __future__ import annotations

import sqlalchemy as sa

from portal.admin.models import AdminAction
from portal.api.models import ApiToken
from portal.api.tokens import digest, holder
from tests import factories
from tests.conftest import text_of


def test_the_admin_creates_a_key_sees_it_once_and_revokes_it(client, db, login, make_user):
    login(make_user(is_admin=True))
    factories.demo_data(db)
    db.commit()
    territory = factories.goat_mesa(db).territory
    form = "/admin/claves-api/nueva"
    empty = client.submit(form, {"name": "", "territory": "", "reason": ""})
    assert empty.status_code == 422
    said = text_of(empty)
    assert "Elige el territorio para el que escribe." in said
    assert "Elige al menos un tipo de escritura." in said
    page = client.submit(
        form,
        {
            "name": "Módulo del plan, GORE Coquimbo",
            "territory": str(territory.id),
            "scopes": ["plan", "measurements"],
            "reason": "Convenio con el módulo del plan",
        },
    )
    assert page.status_code == 200
    found = db.scalars(sa.select(ApiToken)).one()
    shown = next(w for w in text_of(page).split() if w.startswith("pmt_"))
    assert digest(shown) == found.token_hash and shown.endswith(found.hint)
    assert found.scope_list == ["plan", "measurements"]
    assert holder(shown) == found
    listing = client.get("/admin/claves-api").get_data(as_text=True)
    assert shown not in listing and f"…{found.hint}" in listing
    refused = client.submit(
        f"/admin/claves-api/{found.id}/revocar",
        {f"key{found.id}-reason": ""},
        form_url="/admin/claves-api",
    )
    assert refused.status_code == 422
    assert holder(shown) == found
    revoked = client.submit(
        f"/admin/claves-api/{found.id}/revocar",
        {f"key{found.id}-reason": "El convenio terminó"},
        form_url="/admin/claves-api",
    )
    assert revoked.status_code == 302
    db.expire_all()
    assert holder(shown) is None
    actions = db.scalars(sa.select(AdminAction.action).order_by(AdminAction.id)).all()
    assert actions[-2:] == ["token.create", "token.revoke"]
    assert "La clave ya no sirve." in text_of(client.get("/admin/claves-api"))
