"""Searching a territory on a 320 px phone, with JavaScript on and off."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.initiatives.models import Initiative, InitiativeKind, Ownership, Stage, Status
from portal.mesas.models import Mesa

PHONE = {"width": 320, "height": 640}
TITLE = "Ruta costera a Cañete con ciclovía"


@pytest.fixture
def initiative(live_app):  # type: ignore[no-untyped-def]
    """A public initiative of Arauco, removed afterwards (the browser database is shared)."""
    with live_app.app_context():
        mesa = db.session.scalars(
            sa.select(Mesa).where(Mesa.slug == "mesa-territorial-arauco")
        ).one()
        found = Initiative(
            mesa=mesa,
            territory_id=mesa.territory_id,
            title=TITLE,
            summary="Un camino seguro entre Cañete y Contulmo para quienes van en bicicleta.",
            kind=InitiativeKind.INVESTMENT,
            ownership=Ownership.PUBLIC,
            stage=Stage.PROFILE,
            status=Status.PROPOSED,
        )
        db.session.add(found)
        db.session.commit()
        initiative_id = found.id
    yield initiative_id
    with live_app.app_context():
        db.session.delete(db.session.get(Initiative, initiative_id))
        db.session.commit()


def test_a_citizen_finds_an_initiative_from_the_search_box(page: Page, visit, initiative):
    page.set_viewport_size(PHONE)
    visit("/territorios/arauco/buscar")
    page.get_by_label("Palabras que buscar").fill("CANETE caminos")
    page.get_by_role("button", name="Buscar").click()
    visit.check()
    expect(page.get_by_role("heading", level=2)).to_have_text("1 resultado para «CANETE caminos»")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator("mark").first).to_have_text("Cañete")
    page.get_by_role("link", name=TITLE).click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    too_long = visit("/territorios/arauco/buscar?q=" + "camino+" * 40)
    assert too_long.status == 400
    expect(page.get_by_role("alert")).to_contain_text("La búsqueda es demasiado larga")
    expect(page.get_by_label("Palabras que buscar")).to_have_attribute("aria-invalid", "true")


def test_the_search_works_with_javascript_off(no_js_page, initiative):
    page = no_js_page
    page.goto("/territorios/arauco/buscar")
    page.get_by_label("Palabras que buscar").fill("ciclovias")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    page.goto("/territorios/limari-choapa/buscar?q=ciclovias")
    expect(page.get_by_text("Nada público en este territorio")).to_be_visible()
