"""A person registers, logs out and in, resets a forgotten password and switches language."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import last_mail_link


def test_register_log_out_log_in_reset_password_and_switch_language(page: Page, visit, live_app):
    visit("/")
    expect(page.locator("html")).to_have_attribute("lang", "es-CL")
    expect(page.get_by_role("heading", level=1)).to_contain_text("territorios rezagados")
    page.get_by_role("link", name="Crear una cuenta").first.click()
    visit.check()

    # A first attempt with a weak password keeps everything else she typed.
    page.get_by_label("Nombre completo").fill("Marta Rivera Olivares")
    page.get_by_label("Correo electrónico").fill("marta.rivera@demo.example")
    page.get_by_label("Contraseña", exact=True).fill("123456")
    page.get_by_label("Escribe la contraseña otra vez").fill("123456")
    page.get_by_label("Comuna donde vives o trabajas").select_option(label="Monte Patria")
    page.get_by_role("button", name="Crear mi cuenta").click()
    visit.check()
    expect(page.get_by_role("alert")).to_contain_text("Usa al menos 10 caracteres")
    expect(page.get_by_label("Nombre completo")).to_have_value("Marta Rivera Olivares")
    expect(page.get_by_label("Correo electrónico")).to_have_value("marta.rivera@demo.example")

    page.get_by_role("alert").get_by_role("link").first.click()
    expect(page.get_by_label("Contraseña", exact=True)).to_be_focused()
    page.get_by_label("Contraseña", exact=True).fill("chivos en la quebrada")
    page.get_by_label("Escribe la contraseña otra vez").fill("chivos en la quebrada")
    page.get_by_role("button", name="Crear mi cuenta").click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisa tu correo")
    expect(page.get_by_text("Enviamos un mensaje a marta.rivera@demo.example")).to_be_visible()

    # The mailed link confirms her address; then she logs in.
    visit(last_mail_link(live_app, "/cuenta/confirmar/"))
    expect(page.get_by_role("status")).to_contain_text("Tu correo quedó confirmado")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingresar")
    page.get_by_label("Correo electrónico").fill("marta.rivera@demo.example")
    page.get_by_label("Contraseña").fill("chivos en la quebrada")
    page.get_by_role("button", name="Ingresar").click()
    visit.check()
    expect(page.get_by_role("link", name="Mi cuenta")).to_be_visible()
    page.get_by_role("button", name="Salir").click()
    visit.check()
    expect(page.get_by_role("status")).to_contain_text("Saliste del portal")

    # She forgets her password and resets it through the mailed link.
    page.get_by_role("link", name="Ingresar").first.click()
    visit.check()
    page.get_by_role("link", name="Olvidé mi contraseña").click()
    visit.check()
    page.get_by_label("Correo electrónico").fill("marta.rivera@demo.example")
    page.get_by_role("button", name="Envíame el enlace").click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisa tu correo")

    visit(last_mail_link(live_app, "/cuenta/clave/nueva/"))
    page.get_by_label("Contraseña nueva").fill("cabras del secano 2026")
    page.get_by_label("Escribe la contraseña otra vez").fill("cabras del secano 2026")
    page.get_by_role("button", name="Guardar la contraseña nueva").click()
    visit.check()
    expect(page.get_by_role("status")).to_contain_text("Tu contraseña se cambió")

    # The language switch, a plain link.
    page.get_by_role("link", name="English").click()
    visit.check()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="My account")).to_be_visible()
    page.get_by_role("link", name="My account").click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    page.get_by_role("link", name="Español").click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mi cuenta")
