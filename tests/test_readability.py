"""Every kind of public page of the demo reads at 60 or more on the Fernández-Huerta index,
the Spanish adaptation of Flesch's reading ease (60 is "normal": a reader with primary
school reads it). Measured with ``textstat`` over the text of ``<main>``, each list item,
heading, paragraph, label and table cell counted as a sentence."""

from __future__ import annotations

import html
import re

import textstat

from tests.crawl import MEMBER_START, START, client_pages, crawl, demo_site

LEAST = 60
# The text's own sentence ends are kept; each of these elements also ends one.
ENDS = r"</(li|h1|h2|h3|p|dt|dd|td|th|caption|legend|label|a|button|figcaption)>"


def readable_text(page: str) -> str:
    found = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    body = found.group(1) if found else page
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<br\b[^>]*>", ". ", body)
    body = re.sub(ENDS, ". ", body)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*(\.\s*)+", ". ", text)


def fernandez_huerta(text: str) -> float:
    textstat.set_lang("es")
    return textstat.fernandez_huerta(text)


def test_the_measure_tells_plain_words_from_officialese():
    assert fernandez_huerta("Aquí ves quién está en la mesa. Se junta una vez al mes.") > 80
    hard = (
        "La institucionalidad interministerial correspondiente implementará "
        "progresivamente mecanismos de coordinación intersectorial descentralizada."
    )
    assert fernandez_huerta(hard) < 20


def test_every_kind_of_public_page_reads_at_60_or_more(app):
    with demo_site(app) as (citizen, _secretary):
        pages = crawl(client_pages(citizen), START)
    assert len(pages) > 15
    scores = {path: round(fernandez_huerta(readable_text(page)), 1) for path, page in pages.items()}
    hard = {path: score for path, score in scores.items() if score < LEAST}
    assert hard == {}, sorted(hard.items(), key=lambda item: item[1])


def test_no_page_shows_seconds_or_a_zone_abbreviation(app):
    """People read «3 de diciembre de 2026, 15:00», never «15:00:00» or «CLST»."""
    with demo_site(app) as (citizen, secretary):
        pages = crawl(client_pages(citizen), START) | crawl(client_pages(secretary), MEMBER_START)
    shown = {
        path: found
        for path, page in pages.items()
        if (found := re.findall(r"\b\d\d:\d\d:\d\d\b|\bCLS?T\b", readable_text(page)))
    }
    assert shown == {}
