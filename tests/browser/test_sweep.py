"""Every page of the demo on a 320 px phone, as a citizen and as the goat mesa's secretary, and
every form on them sent empty: axe-core finds nothing, no page scrolls sideways, and a form
sent back with errors puts the focus on its error summary.

The pages are found by following the links of the demo from a few starting points, so a new
page is swept as soon as something links to it."""

from __future__ import annotations

import pytest

from portal.accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import AXE, Audited
from tests.crawl import MEMBER_START, START, crawl

PHONE = {"width": 320, "height": 640}


def phone_pages(page, server: str, audited: Audited):  # type: ignore[no-untyped-def]
    """Opens each page on the phone: axe finds nothing and it does not scroll sideways."""

    def open_page(path: str) -> str | None:
        response = page.goto(server + path)
        if response is None or response.status >= 400:
            assert response is None or response.status < 500, path
            return None
        audited.check()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px"
        return page.content()

    return open_page


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
    visited = crawl(phone_pages(page, demo_server, audited), START)
    assert len(visited) > 15, visited


def test_every_page_and_form_of_a_secretary_works_on_a_320_px_phone(phone, demo_server):
    page, audited = phone
    page.goto(demo_server + "/cuenta/ingresar")
    audited.check()
    page.get_by_label("Correo electrónico").fill("secretaria@demo.example")
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    visited = list(crawl(phone_pages(page, demo_server, audited), MEMBER_START + START))
    assert len(visited) > 40, visited
    refused = send_each_form_empty(page, demo_server, audited, visited)
    assert refused > 15
