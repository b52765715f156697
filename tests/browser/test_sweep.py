"""Every page of the demo on a 320 px phone, as a citizen and as the goat mesa's secretary, and
every form on them sent empty: axe-core finds nothing, no page scrolls sideways, and a form
sent back with errors puts the focus on its error summary.

The pages are found by following the links of the demo from a few starting points, so a new
page is swept as soon as something links to it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portal.accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import AXE, Audited

PHONE = {"width": 320, "height": 640}
START = [
    "/",
    "/territorios/limari-choapa",
    "/mesas/limari-choapa-ganaderia-caprina",
    "/registro-de-cambios",
]
MEMBER_START = [
    "/mis-mesas",
    "/cuenta/perfil",
    "/mesas/limari-choapa-ganaderia-caprina/gestion",
    "/mesas/limari-choapa-ganaderia-caprina/sesiones",
    "/mesas/limari-choapa-ganaderia-caprina/rondas",
    "/mesas/limari-choapa-ganaderia-caprina/iniciativas",
]
# Files, feeds and ways out, which are not pages to read.
NOT_PAGES = (
    ".ics",
    ".atom",
    ".jsonl",
    ".txt",
    ".sh",
    ".pb",
    ".csv",
    "/archivos/",
    "/evidencia/",
    "/idioma/",
    "/salir",
)
# Enough to reach every kind of page of the demo; a crawl that keeps going only meets more
# of the same kinds (other territories, other mesas).
MOST = 150


def same_kind(path: str) -> str:
    """Pages of one kind differ by their slugs and numbers: one of each is enough."""
    parts = urlsplit(path).path.strip("/").split("/")
    return "/".join("#" if any(c.isdigit() for c in p) else p for p in parts[:1] + parts[2:])


def crawl(page, server: str, audited: Audited, start: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    seen_kinds: set[str] = set()
    queue = list(start)
    visited: list[str] = []
    while queue and len(visited) < MOST:
        path = queue.pop(0)
        kind = same_kind(path) if path not in start else path
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        response = page.goto(server + path)
        if response is None or response.status >= 400:
            assert response is None or response.status < 500, path
            continue
        visited.append(path)
        audited.check()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px"
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for link in links:
            parts = urlsplit(link)
            if not link.startswith(server) or any(n in parts.path for n in NOT_PAGES):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in visited and target not in queue:
                queue.append(target)
    return visited


def send_each_form_empty(page, server: str, audited: Audited, paths: list[str]) -> int:  # type: ignore[no-untyped-def]
    """On each page, each form that asks for something typed is sent with its text cleared;
    one sent back with errors has the focus on its summary, passes axe and fits the phone."""
    refused = 0
    for path in paths:
        page.goto(server + path)
        count = page.locator("main form[method=post]").count()
        for n in range(count):
            page.goto(server + path)
            form = page.locator("main form[method=post]").nth(n)
            typed = form.locator(
                "input[type=text]:visible, input[type=email]:visible, input[type=date]:visible,"
                " input[type=time]:visible, input[type=number]:visible, textarea:visible,"
                " input[type=url]:visible, input[type=password]:visible"
            )
            if typed.count() == 0:
                continue  # a button that acts (start, publish, log out): not sent here
            for i in range(typed.count()):
                typed.nth(i).fill("")
            form.locator("button[type=submit], input[type=submit]").last.click()
            page.wait_for_load_state("load")
            if page.locator(".error-summary").count() == 0:
                continue
            refused += 1
            audited.check()
            focused = page.evaluate("document.activeElement.className")
            assert "error-summary" in focused, f"{path} form {n}: focus on {focused!r}"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} form {n} scrolls sideways: {width}px"
    return refused


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, locale="es-CL", timezone_id="America/Santiago")
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    audited = Audited(page)
    yield page, audited
    assert audited.console_errors == [], audited.console_errors
    context.close()


def test_every_public_page_reads_on_a_320_px_phone(phone, demo_server):
    page, audited = phone
    visited = crawl(page, demo_server, audited, START)
    assert len(visited) > 15, visited


def test_every_page_and_form_of_a_secretary_works_on_a_320_px_phone(phone, demo_server):
    page, audited = phone
    page.goto(demo_server + "/cuenta/ingresar")
    audited.check()
    page.get_by_label("Correo electrónico").fill("secretaria@demo.example")
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    visited = crawl(page, demo_server, audited, MEMBER_START + START)
    assert len(visited) > 40, visited
    refused = send_each_form_empty(page, demo_server, audited, visited)
    assert refused > 15
