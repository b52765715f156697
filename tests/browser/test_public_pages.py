"""The public pages on a 320 px phone, with JavaScript on and off."""

from __future__ import annotations

from playwright.sync_api import Page, expect

PHONE = {"width": 320, "height": 640}
PAGES = [
    "/",
    "/territorios/limari-choapa",
    "/mesas/mesa-territorial-limari-choapa",
    "/mesas/limari-choapa-ganaderia-caprina",
    "/mesas/mesa-tecnica-regional-coquimbo",
    "/cuenta/ingresar",
    "/cuenta/registro",
]


def test_home_and_territory_pages_read_well_on_a_320_px_phone(page: Page, visit):
    page.set_viewport_size(PHONE)
    for path in PAGES:
        visit(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px"
    visit("/")
    page.get_by_role("link", name="Limarí-Choapa").click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Limarí-Choapa")
    for comuna in ("Canela", "Combarbalá", "Monte Patria", "Punitaqui"):
        expect(page.get_by_text(comuna, exact=False).first).to_be_visible()
    page.get_by_role("link", name="Mesa Territorial Limarí-Choapa").click()
    visit.check()
    page.get_by_role("link", name="Mesa de Ganadería caprina, Limarí-Choapa").click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mesa de Ganadería caprina, Limarí-Choapa"
    )


def test_the_public_pages_and_the_language_switch_work_with_javascript_off(no_js_page, visit):
    page = no_js_page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("territorios rezagados")
    page.get_by_role("link", name="Costa Araucanía").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Costa Araucanía")
    expect(page.get_by_text("Teodoro Schmidt")).to_be_visible()
    page.get_by_role("link", name="Mesa Territorial Costa Araucanía").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mesa Territorial Costa Araucanía")
    expect(page.get_by_text("Sus mesas temáticas")).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Comunas today")).to_be_visible()
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill("nadie@demo.example")
    page.get_by_label("Password").fill("no es la clave")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("The email or the password is not correct.")
    # The same pages, audited by axe-core in a browser where scripts can run.
    for path in (
        "/",
        "/territorios/costa-araucania",
        "/mesas/mesa-territorial-costa-araucania",
        "/cuenta/ingresar",
    ):
        visit(path)
