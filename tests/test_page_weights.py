"""What the demo's member and session pages weigh on a first visit, compressed: under 12 KB
for a member's page without htmx, under 40 KB with it, under 20 KB for the public. The demo is
loaded once for the module."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.demo import load_demo_data
from portal.extensions import db as _db
from portal.initiatives.models import Initiative
from portal.meetings.models import Agreement
from portal.places.models import Territory
from portal.plans.models import Plan
from tests.conftest import Client, savepoint, shared_data, signed_in, text_of
from tests.test_pages import first_visit_weight

GOATS = "/mesas/limari-choapa-ganaderia-caprina"


@pytest.fixture(scope="module")
def demo(app):  # type: ignore[no-untyped-def]
    """The whole demo, loaded once for the module; ids depend on the database's sequences,
    so the first initiative and agreement are looked up."""
    with shared_data(app) as connection:
        load_demo_data()
        secretary = _db.session.scalars(
            sa.select(User).where(User.email == "secretaria@demo.example")
        ).one()
        agreement = _db.session.scalars(sa.select(Agreement).order_by(Agreement.id)).first()
        places = {
            "first": _db.session.scalar(sa.select(sa.func.min(Initiative.id))),
            "plan": _db.session.scalar(
                sa.select(Plan.id)
                .join(Territory, Territory.id == Plan.territory_id)
                .where(Territory.slug == "limari-choapa")
            ),
            "agreement": f"{GOATS}/acuerdos/{agreement.year}/{agreement.number}",
        }
        login_id = secretary.login_id
        _db.session.remove()
        yield connection, login_id, places


@pytest.fixture
def visit(app, demo):  # type: ignore[no-untyped-def]
    """A fresh browser over the demo, as nobody or as the demo secretary of the goat mesa."""
    connection, secretary, places = demo
    app.test_client_class = Client
    with savepoint(app, connection):

        def first_visit(url: str, *, as_secretary: bool = False):  # type: ignore[no-untyped-def]
            client = signed_in(app.test_client(), secretary if as_secretary else None)
            return first_visit_weight(client, places.get(url) or url.format(**places))

        yield first_visit


# The pages that use htmx: the agenda (moving items), the attendance (the quorum as people
# arrive) and the initiative's form (similar initiatives as one types).
WITH_HTMX = [
    f"{GOATS}/sesiones/2/tabla",
    f"{GOATS}/sesiones/2/asistencia",
    f"{GOATS}/iniciativas/nueva",
    "/iniciativas/{first}/editar",
]


@pytest.mark.parametrize(
    "url",
    [
        "/cuenta/perfil",
        "/cuenta/avisos",
        "/mis-mesas",
        GOATS,
        f"{GOATS}/integrantes",
        f"{GOATS}/gestion",
        f"{GOATS}/integrantes/nuevo",
        f"{GOATS}/invitar",
        "/organizaciones/nueva",
        f"{GOATS}/sesiones/nueva",
        f"{GOATS}/sesiones/2",
        f"{GOATS}/sesiones/2/acuerdos/nuevo",
        f"{GOATS}/sesiones/2/acta",
        f"{GOATS}/sesiones/2/acta/editar",
        f"{GOATS}/sesiones/2/imprimir",
        "/iniciativas/{first}/estado",
        f"{GOATS}/rondas/nueva",
        f"{GOATS}/rondas/importar",
        "/territorios/limari-choapa/objetivos",
    ],
)
def test_member_pages_without_htmx_weigh_under_12_kb_compressed_on_a_first_visit(visit, url):
    """As the demo secretary of the goat mesa, with every demo member seated."""
    total, sizes = visit(url, as_secretary=True)
    assert not any("htmx" in name for name in sizes)
    assert total < 12 * 1024, sizes


@pytest.mark.parametrize("url", WITH_HTMX)
def test_member_pages_with_htmx_weigh_under_40_kb_compressed_on_a_first_visit(visit, url):
    total, sizes = visit(url, as_secretary=True)
    assert any("htmx" in name for name in sizes)
    assert total < 40 * 1024, sizes


@pytest.mark.parametrize(
    "url",
    [
        f"{GOATS}/sesiones",
        f"{GOATS}/sesiones/1",
        f"{GOATS}/sesiones/1/acta",
        f"{GOATS}/sesiones/1/acta/imprimir",
        f"{GOATS}/sesiones/1/acta/versiones/1",
        f"{GOATS}/actas",
        "agreement",
        f"{GOATS}/iniciativas",
        "/territorios/limari-choapa/iniciativas",
        "/iniciativas/{first}",
        "/territorios/limari-choapa/objetivos",
        f"{GOATS}/rondas",
        "/territorios/limari-choapa/cartera",
        "/territorios/limari-choapa/plan",
        "/territorios/limari-choapa/plan/{plan}/versiones/1",
    ],
)
def test_public_session_pages_weigh_under_20_kb_compressed(visit, url):
    """The demo sessions: session 1 has its acta published, with two agreements."""
    total, sizes = visit(url)
    assert total < 20 * 1024, sizes


def test_the_demo_has_one_plan_in_force_and_one_proposal(app, demo):
    connection, _secretary, _places = demo
    app.test_client_class = Client
    with savepoint(app, connection):
        client = app.test_client()
        agreed = text_of(client.get("/territorios/limari-choapa/plan"))
        assert "Plan 2025–2027, versión 1." in agreed
        assert "sancionado por la mesa técnica regional" in agreed
        assert "Localidades aisladas con internet móvil" in agreed
        assert "Inversión que el plan prevé en su período: M$ 174.990.649." in agreed
        proposal = text_of(client.get("/territorios/secano-maule-sur/plan"))
        assert "Una propuesta en preparación del equipo regional" in proposal
