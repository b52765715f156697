"""Every route with every role: the status each one gets. A new route without a row fails."""

from __future__ import annotations

import pytest

from portal.mesas.demo import load_demo_mesas
from portal.places.demo import load_pilot_territories

ROLES = ("anonymous", "user", "admin")

# endpoint: (path, GET status for anonymous, user, admin)
ROUTES = {
    "public.home": ("/", 200, 200, 200),
    "public.territory": ("/territorios/arauco", 200, 200, 200),
    "public.set_language": ("/idioma/en", 302, 302, 302),
    "public.health": ("/salud", 200, 200, 200),
    "mesas.mesa": ("/mesas/mesa-territorial-arauco", 200, 200, 200),
    "accounts.register": ("/cuenta/registro", 200, 302, 302),
    "accounts.login": ("/cuenta/ingresar", 200, 302, 302),
    "accounts.logout": ("/cuenta/salir", 405, 405, 405),
    "accounts.forgot_password": ("/cuenta/clave/olvido", 200, 200, 200),
    "accounts.reset_password": ("/cuenta/clave/nueva/not-a-token", 410, 410, 410),
    "accounts.profile": ("/cuenta/perfil", 302, 200, 200),
    "accounts.change_password": ("/cuenta/clave", 302, 200, 200),
}


def test_every_route_has_a_row_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(ROUTES)


@pytest.fixture
def as_role(client, login, make_user, db):  # type: ignore[no-untyped-def]
    load_pilot_territories()
    load_demo_mesas()
    db.commit()

    def become(role: str):  # type: ignore[no-untyped-def]
        if role == "anonymous":
            return client
        return login(make_user(is_admin=role == "admin"))

    return become


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_each_role_gets_the_expected_status(as_role, endpoint, role):
    path, *statuses = ROUTES[endpoint]
    client = as_role(role)
    assert client.get(path).status_code == statuses[ROLES.index(role)]


@pytest.mark.parametrize("role", ROLES)
def test_every_form_refuses_a_post_without_its_token(app, as_role, role):
    client = as_role(role)
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()):
            path = ROUTES[rule.endpoint][0]
            assert client.post(path, data={"x": "1"}).status_code == 400, path
