"""Paper: what the secretary prints for a session and what a citizen prints to read at home,
printed to PDF by Chromium on A4 and read back page by page."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from portal.accounts.demo import DEMO_PASSWORD

GOATS = "/mesas/limari-choapa-ganaderia-caprina"


def printed(page, path: str, server: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The text of each A4 page of ``path`` as Chromium prints it."""
    page.goto(server + path)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=False)
    page.emulate_media(media="screen")
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def secretary(browser, demo_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="es-CL", timezone_id="America/Santiago")
    page = context.new_page()
    page.goto(demo_server + "/cuenta/ingresar")
    page.get_by_label("Correo electrónico").fill("secretaria@demo.example")
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    yield page
    context.close()


def test_the_attendance_sheet_of_thirteen_people_prints_on_two_pages_each_named(
    secretary, demo_server
):
    pages = printed(secretary, f"{GOATS}/sesiones/3/imprimir", demo_server)
    assert len(pages) == 2, [p[:120] for p in pages]
    signers = re.findall(r"Firma", " ".join(pages))
    assert signers, "no attendance sheet"
    # Every page that holds part of the sheet says which mesa, session and day it is for.
    for text in pages:
        if "Firma" in text:
            assert "Mesa de Ganadería caprina, Limarí-Choapa · Sesión 3 ·" in text, text[:300]
    # The heading is never left alone at the bottom of a page.
    for text in pages:
        if "Hoja de asistencia" in text:
            assert text.rstrip().split("Hoja de asistencia", 1)[1].strip(), "heading alone"


def test_the_cuenta_publica_prints_without_a_spilled_footer(page, demo_server):
    pages = printed(page, "/territorios/limari-choapa/cuenta-publica", demo_server)
    last = pages[-1]
    # The footer (who generated it, from where) stays with what comes before it.
    footer = re.search(r"Cuenta pública de Limarí-Choapa, del", last)
    assert footer, f"the footer is not on the last page: {last[:300]}"
    before = re.sub(r"^\d+ / \d+", "", last[: footer.start()]).strip()  # the page number
    assert len(before) > 50, last[:300]


def test_a_draft_acta_prints_marked_as_such_with_its_commitments_and_signature_lines(
    secretary, demo_server
):
    approved = " ".join(printed(secretary, f"{GOATS}/sesiones/1/acta/imprimir", demo_server))
    assert "BORRADOR" not in approved
    assert "Compromisos asumidos en la sesión" in approved
    assert "Municipalidad de Combarbalá" in approved  # a commitment taken in session 1
    assert "Presidencia" in approved and "Secretaría" in approved  # the signature lines
    draft = " ".join(printed(secretary, f"{GOATS}/sesiones/2/acta/imprimir", demo_server))
    assert "BORRADOR: la mesa todavía no aprueba esta acta." in draft


def test_a_printed_commitment_gives_its_web_address_and_leaves_out_the_form(page, demo_server):
    page.goto(demo_server + "/territorios/limari-choapa/compromisos")
    link = page.locator("main a[href^='/compromisos/']").first.get_attribute("href")
    text = " ".join(printed(page, link, demo_server))
    assert "Sigue este compromiso, y cuenta lo que ves en terreno, en" in text
    assert f"{demo_server}{link}" in text.replace(" ", "")  # a long address may wrap
    assert "Enviar la observación" not in text and "¿Qué ves en terreno?" not in text
