"""Every form follows one pattern (after the GOV.UK Design System): a question answered by a
choice says its own message when left unanswered, and the error summary lists every error,
takes the focus and links each one to its field."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

from flask_wtf import FlaskForm
from wtforms.fields import SelectFieldBase
from wtforms.fields.core import UnboundField

import portal
from portal.core.forms import Choice
from tests.conftest import text_of


def form_classes() -> list[type[FlaskForm]]:
    found = {}
    for info in pkgutil.walk_packages(portal.__path__, "portal."):
        if info.name.rsplit(".", 1)[-1] != "forms":
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def test_no_choice_question_answers_with_wtforms_own_message():
    """WTForms checks a choice before the form's validators and says "Not a valid choice"
    ("Opción inválida."): every choice field leaves that check to its own validator."""
    classes = form_classes()
    assert len(classes) > 30
    checked = 0
    wrong: list[str] = []
    for cls in classes:
        for name in dir(cls):
            unbound = getattr(cls, name)
            if isinstance(unbound, UnboundField) and issubclass(
                unbound.field_class, SelectFieldBase
            ):
                checked += 1
                if (
                    not issubclass(unbound.field_class, Choice)
                    and unbound.kwargs.get("validate_choice") is not False
                ):
                    wrong.append(f"{cls.__name__}.{name}")
    assert checked > 20
    assert wrong == []


def summary_links(html: str) -> list[str]:
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary, "no error summary"
    return re.findall(r'<a href="#([^"]+)">', summary.group(1))


def test_an_empty_sign_up_lists_every_problem_at_once_and_each_link_leads_to_its_answer(client):
    page = client.submit("/cuenta/registro", {"locale": ""})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    # The summary takes the focus when the page opens, without JavaScript.
    assert re.search(r'<div class="error-summary"[^>]*tabindex="-1" autofocus', html)
    links = summary_links(html)
    assert links == ["name", "email", "password", "confirm", "comuna", "locale-0"]
    for target in links:
        assert f'id="{target}"' in html
    assert "Elige un idioma." in text_of(page) and "Opción inválida" not in text_of(page)
    # The unanswered group is marked invalid and described by its message.
    assert re.search(
        r'<fieldset id="locale" role="radiogroup" aria-describedby="locale-error" '
        r'aria-invalid="true">',
        html,
    )
