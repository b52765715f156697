"""The registry of organizations: the public list and page, and adding and editing them.

The new strings are not in the Spanish catalog yet, so pages are read in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.mesas.demo import load_demo_mesas
from portal.mesas.models import (
    ActorType,
    Membership,
    Mesa,
    Organization,
    OrganizationKind,
    Person,
    Role,
)
from portal.places.demo import load_pilot_territories
from tests.conftest import text_of
from tests.test_pages import first_visit_weight

RUT = "76.086.428-5"


@pytest.fixture
def demo(db):
    load_pilot_territories()
    load_demo_mesas()
    db.commit()


@pytest.fixture
def english(client):
    client.get("/idioma/en")
    return client


def mesa(db, slug: str) -> Mesa:
    return db.scalars(sa.select(Mesa).where(Mesa.slug == slug)).one()


def org_named(db, name: str) -> Organization | None:
    return db.scalars(sa.select(Organization).where(Organization.name == name)).one_or_none()


def make_org(db, name: str, commit: bool = True, **values) -> Organization:
    values = {"kind": OrganizationKind.COOPERATIVE, "actor_type": ActorType.PRIVATE, **values}
    org = Organization(name=name, **values)
    db.add(org)
    if commit:
        db.commit()
    return org


def seat(
    db, at: Mesa, role: Role, org: Organization | None = None, user: User | None = None, **values
) -> Membership:
    """A person sitting at a mesa; with ``user``, that account's person."""
    person = Person(user_id=user.id if user else None, name=values.pop("name", "Persona"))
    membership = Membership(
        mesa=at,
        person=person,
        role=role,
        organization=org,
        actor_type=org.actor_type if org else ActorType.SOCIAL,
        started_on=dt.date(2025, 3, 1),
        **values,
    )
    db.add(membership)
    return membership


@pytest.fixture
def secretary(db, demo, make_user):
    """An account that is secretary of a mesa: it may keep the registry."""
    user = make_user(name="Secretaria Ejecutiva")
    seat(db, mesa(db, "mesa-territorial-arauco"), Role.SECRETARY, user=user, name=user.name)
    db.commit()
    return user


def form_data(**overrides) -> dict:
    data = {
        "name": "Cooperativa Apícola Cerro Blanco",
        "short_name": "Apicoop",
        "kind": "cooperative",
        "actor_type": "private",
        "comuna": "",
        "rut": RUT,
        "website": "https://apicoop.example.cl",
    }
    data.update(overrides)
    return data


# The public list


@pytest.mark.usefixtures("demo")
def test_the_list_shows_every_organization_by_name_with_its_kind_actor_and_comuna(
    english, db, comuna
):
    make_org(
        db,
        "Cooperativa Caprina El Sauce",
        short_name="Caprisauce",
        rut=RUT,
        comuna_id=comuna("Combarbalá").id,
    )
    page = english.get("/organizaciones")
    assert page.status_code == 200
    text = text_of(page)
    assert "Caprisauce" in text and "Cooperative Private sector Combarbalá" in text
    assert "Instituto de Desarrollo Agropecuario INDAP Public service Public sector" in text
    assert RUT not in text
    html = page.get_data(as_text=True)
    indap = org_named(db, "Instituto de Desarrollo Agropecuario")
    assert f'href="/organizaciones/{indap.id}"' in html
    names = re.findall(r'<th scope="row"><a href="/organizaciones/\d+">([^<]+)</a>', html)
    assert len(names) == 50
    assert names == sorted(names)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    ("query", "expected", "left_out"),
    [
        (
            "tipo=cooperative",
            ["Cooperativa Caprina Quebrada Alta", "Cooperativa de Berries Costa Maulina"],
            ["Instituto de Desarrollo Agropecuario", "Centro de Estudios Rurales del Sur"],
        ),
        (
            "actor=knowledge",
            ["Centro de Estudios Rurales del Sur"],
            ["Cooperativa Caprina Quebrada Alta", "Instituto de Desarrollo Agropecuario"],
        ),
        (
            "tipo=indigenous_community&actor=social",
            ["Comunidad Indígena Lafkenche Costa Sur"],
            ["Junta de Vecinos Los Algarrobos", "Cooperativa Caprina Quebrada Alta"],
        ),
    ],
)
def test_the_list_can_be_filtered_by_kind_and_actor(english, query, expected, left_out):
    page = english.get(f"/organizaciones?{query}")
    assert page.status_code == 200
    text = text_of(page)
    assert f"Organizations found: {len(expected)}" in text
    for name in expected:
        assert name in text
    for name in left_out:
        assert name not in text
    # The chosen filter stays chosen in the form.
    value = query.split("&")[0].split("=")[1]
    assert f'<option selected value="{value}">' in page.get_data(as_text=True)


@pytest.mark.usefixtures("demo")
def test_the_list_finds_an_organization_by_part_of_its_name_or_short_name(english):
    by_name = text_of(english.get("/organizaciones?q=caprina"))
    assert "Organizations found: 1" in by_name and "Cooperativa Caprina Quebrada Alta" in by_name
    by_short = text_of(english.get("/organizaciones?q=indap"))
    assert "Instituto de Desarrollo Agropecuario" in by_short
    # A % or _ typed is a character like any other, not a wildcard.
    assert "Organizations found: 0" in text_of(english.get("/organizaciones?q=%25"))
    assert "Organizations found: 0" in text_of(english.get("/organizaciones?q=_"))


@pytest.mark.usefixtures("demo")
def test_a_filter_that_matches_nothing_says_so(english):
    text = text_of(english.get("/organizaciones?tipo=company"))
    assert "Organizations found: 0" in text
    assert "No organization matches these filters." in text


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tipo=ministry", "There is no such kind of organization."),
        ("actor=foreign", "There is no such kind of actor."),
        ("tipo=%00&actor=", "has a character that cannot be stored"),
    ],
)
def test_a_filter_value_that_does_not_exist_gets_a_clear_message(english, query, message):
    page = english.get(f"/organizaciones?{query}")
    assert page.status_code == 400
    text = text_of(page)
    assert message in text
    assert "Instituto de Desarrollo Agropecuario" not in text


def test_the_list_is_paginated_by_50_and_keeps_the_filters(english, db):
    for n in range(120):
        make_org(db, f"Cooperativa {n:03d}", commit=False)
    make_org(db, "Empresa Forestal del Secano", kind=OrganizationKind.COMPANY)
    first = english.get("/organizaciones?tipo=cooperative")
    text = text_of(first)
    assert "Organizations found: 120" in text and "Page 1 of 3" in text
    assert "Cooperativa 049" in text and "Cooperativa 050" not in text
    assert "Previous page" not in text
    html = first.get_data(as_text=True)
    assert 'href="/organizaciones?tipo=cooperative&amp;pagina=2" rel="next"' in html
    third = text_of(english.get("/organizaciones?tipo=cooperative&pagina=3"))
    assert "Cooperativa 100" in third and "Cooperativa 119" in third
    assert "Cooperativa 099" not in third and "Next page" not in third
    assert "Page 3 of 3" in third
    for bad in ("4", "0", "-1", "abc", "2.5", "99999999999999999999", "²"):
        assert english.get(f"/organizaciones?tipo=cooperative&pagina={bad}").status_code == 404
    assert english.get("/organizaciones?pagina=3").status_code == 200  # 121 in all
    assert english.get("/organizaciones?pagina=4").status_code == 404


def test_an_empty_registry_says_so(english):
    page = english.get("/organizaciones")
    assert page.status_code == 200
    assert "No organization has been registered yet." in text_of(page)


# The public page of an organization


@pytest.mark.usefixtures("demo")
def test_the_page_shows_the_mesas_where_it_sits_today_with_people_by_role(english, db):
    indap = org_named(db, "Instituto de Desarrollo Agropecuario")
    indap.website = "https://www.indap.gob.cl"
    indap.rut = "61.307.000-1"
    goats = mesa(db, "limari-choapa-ganaderia-caprina")
    territorial = mesa(db, "mesa-territorial-limari-choapa")
    seat(db, goats, Role.SERVICE_REP, indap, name="Patricia Rojas Vega")
    seat(db, goats, Role.MEMBER, indap, name="Juan Pérez Soto")
    seat(db, goats, Role.MEMBER, indap, name="Luis Contreras Díaz")
    seat(db, territorial, Role.SERVICE_REP, indap, name="Ana Muñoz Lagos")
    left = mesa(db, "arauco-gastronomia-identitaria-patrimonial")
    seat(db, left, Role.MEMBER, indap, ended_on=dt.date(2025, 6, 1), name="Ex Miembro")
    seat(db, goats, Role.MEMBER, None, name="Productora Independiente")
    db.commit()

    page = english.get(f"/organizaciones/{indap.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Instituto de Desarrollo Agropecuario" in text and "INDAP" in text
    assert "Kind Public service" in text and "Actor Public" in text
    assert "Mesas where it sits today" in text
    assert (
        "Mesa de Ganadería caprina, Limarí-Choapa Member: 2, Public service representative: 1"
        in text
    )
    assert "Mesa Territorial Limarí-Choapa Public service representative: 1" in text
    assert "Gastronomía" not in text  # that membership ended
    for person in ("Patricia", "Juan", "Luis", "Ana", "Ex Miembro", "Productora"):
        assert person not in text
    assert "61.307.000-1" not in text and "RUT" not in text
    html = page.get_data(as_text=True)
    assert f'href="/mesas/{goats.slug}"' in html
    assert '<a href="https://www.indap.gob.cl" rel="nofollow noopener">' in html
    assert english.get("/organizaciones/999999").status_code == 404


@pytest.mark.usefixtures("demo")
def test_an_organization_at_no_mesa_says_so(english, db):
    org = make_org(db, "Cooperativa Sin Mesa")
    assert "Today it does not sit at any mesa." in text_of(english.get(f"/organizaciones/{org.id}"))


@pytest.mark.usefixtures("demo")
def test_the_rut_is_shown_only_to_those_who_keep_the_registry(
    client, db, login, make_user, secretary
):
    org = make_org(db, "Cooperativa con RUT", rut=RUT)
    member = make_user()
    seat(db, mesa(db, "mesa-territorial-arauco"), Role.MEMBER, user=member)
    db.commit()
    page_url = f"/organizaciones/{org.id}"
    assert RUT not in client.get(page_url).get_data(as_text=True)
    assert RUT not in login(member).get(page_url).get_data(as_text=True)
    assert RUT not in client.get("/organizaciones").get_data(as_text=True)
    assert RUT in text_of(login(secretary).get(page_url))
    assert RUT in text_of(login(make_user(is_admin=True)).get(page_url))
    # Not even a manager sees it in the public list.
    assert RUT not in client.get("/organizaciones").get_data(as_text=True)


@pytest.mark.usefixtures("demo")
def test_add_and_edit_links_appear_only_for_those_who_keep_the_registry(
    client, db, login, make_user, secretary
):
    org = org_named(db, "Servicio Agrícola y Ganadero")
    client.get("/idioma/en")
    for who in (None, make_user()):
        viewer = login(who) if who else client
        assert "Add an organization" not in text_of(viewer.get("/organizaciones"))
        assert f"/organizaciones/{org.id}/editar" not in viewer.get(
            f"/organizaciones/{org.id}"
        ).get_data(as_text=True)
    manager = login(secretary)
    assert 'href="/organizaciones/nueva"' in manager.get("/organizaciones").get_data(as_text=True)
    html = manager.get(f"/organizaciones/{org.id}").get_data(as_text=True)
    assert f'href="/organizaciones/{org.id}/editar"' in html


# Adding and editing


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("role", ["anonymous", "user", "member", "observer", "service_rep"])
def test_only_those_who_keep_the_registry_may_add_or_edit(client, db, login, make_user, role):
    org = org_named(db, "Servicio Agrícola y Ganadero")
    if role != "anonymous":
        user = make_user()
        if role != "user":
            seat(db, mesa(db, "mesa-territorial-arauco"), Role(role), user=user)
            db.commit()
        login(user)
    for url in ("/organizaciones/nueva", f"/organizaciones/{org.id}/editar"):
        page = client.get(url)
        sent = client.post(url, data=form_data())
        if role == "anonymous":
            assert page.status_code == 302
            assert page.headers["Location"].startswith("/cuenta/ingresar?next=")
        else:
            assert page.status_code == 403
            assert sent.status_code in (400, 403)  # no token: refused either way
    assert org_named(db, form_data()["name"]) is None


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("role", ["admin", "secretary", "chair"])
def test_the_admin_and_the_chairs_and_secretaries_of_mesas_may_add_and_edit(
    client, db, login, make_user, role
):
    user = make_user(is_admin=role == "admin")
    if role != "admin":
        seat(db, mesa(db, "arauco-gastronomia-identitaria-patrimonial"), Role(role), user=user)
        db.commit()
    login(user)
    org = org_named(db, "Servicio Agrícola y Ganadero")
    assert client.get("/organizaciones/nueva").status_code == 200
    assert client.get(f"/organizaciones/{org.id}/editar").status_code == 200
    assert client.get("/organizaciones/999999/editar").status_code == 404


@pytest.mark.usefixtures("demo")
def test_a_secretary_adds_an_organization_with_its_rut(client, db, login, secretary, comuna):
    login(secretary)
    client.get("/idioma/en")
    canela = comuna("Canela")
    sent = client.submit(
        "/organizaciones/nueva",
        form_data(rut="76086428-5", comuna=str(canela.id), website="apicoop.example.cl"),
    )
    assert sent.status_code == 302
    org = org_named(db, "Cooperativa Apícola Cerro Blanco")
    assert sent.headers["Location"] == f"/organizaciones/{org.id}"
    assert org.rut == RUT  # stored as on the document
    assert org.short_name == "Apicoop"
    assert org.kind == OrganizationKind.COOPERATIVE and org.actor_type == ActorType.PRIVATE
    assert org.comuna_id == canela.id
    assert org.website == "https://apicoop.example.cl"
    text = text_of(client.get(sent.headers["Location"]))
    assert "Cooperativa Apícola Cerro Blanco was added to the registry." in text
    assert "Canela" in text and RUT in text


@pytest.mark.usefixtures("demo")
def test_an_organization_needs_only_a_name_a_kind_and_an_actor(client, db, login, secretary):
    login(secretary)
    sent = client.submit(
        "/organizaciones/nueva",
        form_data(name="  Junta de Vecinos El Maitén  ", short_name="", rut="", website=""),
    )
    assert sent.status_code == 302
    org = org_named(db, "Junta de Vecinos El Maitén")
    assert (org.short_name, org.rut, org.website, org.comuna_id) == ("", None, None, None)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        (
            {"rut": "76.086.428-4"},
            "rut",
            "The RUT's check digit is not right. Check the number and the digit after the hyphen.",
        ),
        ({"rut": "76.086.A28-5"}, "rut", "Write the RUT as on the document, for example"),
        ({"rut": "123"}, "rut", "Write the RUT as on the document, for example 76.086.428-5."),
        ({"rut": "76.086.428-X"}, "rut", "Write the RUT as on the document"),
        ({"name": "  "}, "name", "Enter the name of the organization."),
        ({"name": "C" * 201}, "name", "200 characters"),
        ({"short_name": "S" * 41}, "short_name", "40 characters"),
        ({"kind": ""}, "kind", "Choose what kind of organization it is."),
        ({"kind": "ministry"}, "kind", "Choose what kind of organization it is."),
        ({"actor_type": "foreign"}, "actor_type-0", "Choose the kind of actor."),
        ({"comuna": "999999"}, "comuna", "Choose a comuna from the list."),
        ({"website": "javascript:alert(1)"}, "website", "Write the full web address"),
        ({"website": "ftp://apicoop.example.cl"}, "website", "Write the full web address"),
        ({"website": "mi pagina"}, "website", "Write the full web address"),
        ({"website": "https://x.cl/" + "a" * 300}, "website", "300 characters"),
    ],
)
def test_a_rejected_form_says_what_is_wrong_keeps_what_was_typed_and_stores_nothing(
    client, db, login, secretary, override, field, message
):
    login(secretary)
    client.get("/idioma/en")
    before = db.scalar(sa.select(sa.func.count(Organization.id)))
    page = client.submit("/organizaciones/nueva", form_data(**override))
    assert page.status_code == 422
    text = text_of(page)
    assert "Please check the form" in text and message in text
    html = page.get_data(as_text=True)
    # The summary links to the field, or to the first option of a group of radio buttons.
    assert f'href="#{field}"' in html and f'id="{field}"' in html
    typed = {**form_data(), **override}
    if field != "name":
        assert f'value="{typed["name"]}"' in html
    if field != "rut":
        assert f'value="{typed["rut"]}"' in html
    if field != "actor_type-0":
        assert re.search(r'<input checked [^>]*value="private"', html)
    assert db.scalar(sa.select(sa.func.count(Organization.id))) == before


@pytest.mark.usefixtures("demo")
def test_a_name_or_rut_already_in_the_registry_is_refused_naming_who_has_it(
    client, db, login, secretary
):
    make_org(db, "Cooperativa Apícola Cerro Blanco", rut=RUT)
    login(secretary)
    client.get("/idioma/en")
    same_name = client.submit(
        "/organizaciones/nueva", form_data(name="COOPERATIVA apícola cerro blanco", rut="")
    )
    assert same_name.status_code == 422
    assert "There is already an organization with this name." in text_of(same_name)
    same_rut = client.submit(
        "/organizaciones/nueva", form_data(name="Otra Cooperativa", rut="760864285")
    )
    assert same_rut.status_code == 422
    assert "This RUT already belongs to Cooperativa Apícola Cerro Blanco." in text_of(same_rut)
    assert org_named(db, "Otra Cooperativa") is None


@pytest.mark.usefixtures("demo")
def test_editing_shows_what_is_saved_and_changes_it(client, db, login, secretary, comuna):
    org = make_org(
        db,
        "Cooperativa Apícola Cerro Blanco",
        rut=RUT,
        comuna_id=comuna("Canela").id,
        website="https://apicoop.example.cl",
    )
    login(secretary)
    client.get("/idioma/en")
    url = f"/organizaciones/{org.id}/editar"
    form = client.get(url)
    html = form.get_data(as_text=True)
    assert "Edit Cooperativa Apícola Cerro Blanco" in text_of(form)
    assert f'value="{RUT}"' in html and 'value="https://apicoop.example.cl"' in html
    assert '<option selected value="cooperative">' in html
    assert f'<option selected value="{comuna("Canela").id}">' in html
    # Its own name and RUT, with other capitals, are no duplicate.
    sent = client.submit(
        url,
        form_data(
            name="Cooperativa Apícola CERRO BLANCO",
            kind="producers_association",
            actor_type="social",
            rut=RUT,
            comuna="",
            website="",
        ),
    )
    assert sent.status_code == 302 and sent.headers["Location"] == f"/organizaciones/{org.id}"
    db.refresh(org)
    assert org.name == "Cooperativa Apícola CERRO BLANCO"
    assert org.kind == OrganizationKind.PRODUCERS_ASSOCIATION
    assert (org.actor_type, org.comuna_id, org.website) == (ActorType.SOCIAL, None, None)
    assert "Your changes were saved." in text_of(client.get(sent.headers["Location"]))
    taken = client.submit(url, form_data(name="Instituto de Desarrollo Agropecuario"))
    assert taken.status_code == 422
    assert "There is already an organization with this name." in text_of(taken)


# Weight and queries


@pytest.mark.usefixtures("demo")
def test_the_list_and_an_organization_page_weigh_under_20_kb_compressed(client, db, comuna):
    canela = comuna("Canela").id
    for n in range(60):
        make_org(db, f"Cooperativa de Productores Campesinos {n}", commit=False, comuna_id=canela)
    db.commit()
    indap = org_named(db, "Instituto de Desarrollo Agropecuario")
    for url in ("/organizaciones", f"/organizaciones/{indap.id}"):
        total, sizes = first_visit_weight(client, url)
        assert total < 20 * 1024, sizes


@pytest.mark.usefixtures("demo")
def test_list_and_page_make_the_same_queries_with_50_more_organizations_and_memberships(
    client, db, login, make_user, count_queries, comuna
):
    canela = comuna("Canela").id
    indap = org_named(db, "Instituto de Desarrollo Agropecuario")
    mesas = list(db.scalars(sa.select(Mesa).order_by(Mesa.id)))
    seat(db, mesas[0], Role.SERVICE_REP, indap)
    db.commit()
    url = f"/organizaciones/{indap.id}"

    def queries(viewer) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        with count_queries() as listing:
            assert viewer.get("/organizaciones").status_code == 200
        with count_queries() as page:
            assert viewer.get(url).status_code == 200
        return listing.count, page.count

    def add_25(start: int) -> None:
        for n in range(start, start + 25):
            make_org(db, f"Cooperativa Nueva {n}", commit=False, comuna_id=canela)
            seat(db, mesas[n % len(mesas)], list(Role)[n % len(Role)], indap)
        db.commit()

    anonymous = queries(client)
    add_25(0)
    assert queries(client) == anonymous
    # With the version of the data, read first by the page cache (portal.pagecache).
    assert anonymous[0] <= 3 and anonymous[1] <= 3
    # A manager's page also reads the account and its roles, once, and the header counts what
    # waits for the person (/pendientes).
    admin = login(make_user(is_admin=True))
    managing = queries(admin)
    add_25(25)
    assert queries(admin) == managing
    assert managing[0] <= 5 and managing[1] <= 5


@pytest.mark.usefixtures("demo")
def test_a_wrong_check_digit_is_explained_in_spanish_and_nothing_is_stored(
    client, db, login, secretary
):
    login(secretary)
    before = db.scalar(sa.select(sa.func.count(Organization.id)))
    page = client.submit("/organizaciones/nueva", form_data(rut="76.086.428-3"))
    assert page.status_code == 422
    assert "El dígito verificador del RUT no es correcto." in text_of(page)
    assert db.scalar(sa.select(sa.func.count(Organization.id))) == before
