"""The public pages: what a citizen sees, in which language, how heavy, how many queries."""

from __future__ import annotations

import datetime as dt
import gzip
import re

import pytest
from flask import abort

from portal import create_app
from portal.mesas.demo import load_demo_mesas
from portal.places.demo import load_pilot_territories
from tests.conftest import text_of

PILOT_NAMES = [
    "Arauco",
    "Costa Araucanía",
    "Limarí-Choapa",
    "Ranco",
    "Secano Maule Sur",
    "Valle del Itata",
]


@pytest.fixture
def pilots(db):
    load_pilot_territories()
    load_demo_mesas()
    db.commit()


@pytest.mark.usefixtures("pilots")
def test_the_home_page_is_in_spanish_and_lists_the_six_pilot_territories(client):
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="es-CL">' in html
    text = text_of(page)
    # North to south, the way Chileans list places.
    north_to_south = [
        "Limarí-Choapa",
        "Secano Maule Sur",
        "Valle del Itata",
        "Arauco",
        "Costa Araucanía",
        "Ranco",
    ]
    assert sorted(north_to_south) == PILOT_NAMES
    positions = [text.index(f"{name} Región") for name in north_to_south]
    assert positions == sorted(positions)
    assert "Región de Coquimbo" in text
    assert "Combarbalá, Monte Patria, Punitaqui" in text or "Canela, Combarbalá" in text
    assert 'href="/cuenta/ingresar"' in html and 'href="/cuenta/registro"' in html
    assert 'href="/territorios/valle-del-itata"' in html
    # Two plain sentences say what the portal is for.
    assert (
        "qué se le prometió a su territorio, quién lo prometió, para cuándo y si se cumplió" in text
    )


@pytest.mark.usefixtures("pilots")
def test_a_territory_page_shows_its_region_and_comunas(client):
    page = client.get("/territorios/valle-del-itata")
    text = text_of(page)
    assert page.status_code == 200
    assert "Valle del Itata" in text and "Ñuble" in text
    for comuna in ("Cobquecura", "Quillón", "San Nicolás", "Trehuaco"):
        assert comuna in text
    assert "Decreto N° 1.929 de 2015" in text
    assert client.get("/territorios/no-existe").status_code == 404


def test_a_territory_page_shows_comunas_that_left_with_their_dates(client, make_territory):
    territory = make_territory(
        comunas=("Canela",),
        left=(("Ovalle", dt.date(2014, 8, 2), dt.date(2016, 1, 1), "centro urbano"),),
    )
    text = text_of(client.get(f"/territorios/{territory.slug}"))
    current, _, former = text.partition("Comunas que fueron parte")
    assert "Canela" in current and "Ovalle" not in current
    assert "Ovalle" in former and "1 de enero de 2016" in former and "centro urbano" in former


@pytest.mark.usefixtures("pilots")
def test_the_language_switch_works_as_a_plain_link(client):
    page = client.get("/idioma/en?next=/territorios/arauco")
    assert page.status_code == 302
    assert page.headers["Location"] == "/territorios/arauco"
    english = client.get("/territorios/arauco")
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Comunas today" in text_of(english)
    assert client.get("/idioma/fr").status_code == 404
    assert client.get("/idioma/es?next=https://evil.example/").headers["Location"] == "/"
    assert '<html lang="es-CL">' in client.get("/").get_data(as_text=True)


@pytest.fixture(scope="module")
def error_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("errors")
    # A database with no tables: nothing to keep pages for.
    app = create_app(
        {"INSTANCE_PATH": str(path), "SQLALCHEMY_DATABASE_URI": "sqlite://", "PAGE_CACHE": False}
    )

    @app.route("/_status/<int:code>", methods=["GET"])
    def _status(code: int):
        abort(code)

    return app


ERRORS = {
    400: ("No entendimos lo que se envió", "The request could not be understood"),
    403: ("No puedes hacer esto", "You cannot do this"),
    404: ("No encontramos esta página", "Page not found"),
    405: ("Aquí no se puede hacer eso", "That action is not available here"),
    413: ("Lo que enviaste es demasiado grande", "What you sent is too large"),
    429: ("Demasiados intentos", "Too many attempts"),
    500: ("Algo falló de nuestra parte", "Something went wrong on our side"),
}


@pytest.mark.parametrize("code", sorted(ERRORS))
@pytest.mark.parametrize("lang", ["es", "en"])
def test_error_pages_speak_both_languages(error_app, code, lang):
    client = error_app.test_client()
    client.set_cookie("lang", lang)
    page = client.post("/_status/404") if code == 405 else client.get(f"/_status/{code}")
    assert page.status_code == code
    spanish, english = ERRORS[code]
    assert (spanish if lang == "es" else english) in text_of(page)
    assert f'<html lang="{"es-CL" if lang == "es" else "en"}">' in page.get_data(as_text=True)


GZIP_ONLY = {"Accept-Encoding": "gzip"}


def first_visit_weight(client, url: str) -> tuple[int, dict[str, int]]:
    """Bytes a first visit downloads on the wire, for a client that accepts only gzip: the page
    and its CSS and JS, as the portal sends them."""
    page = client.get(url, headers=GZIP_ONLY)
    assert page.status_code == 200
    wire = page.get_data()
    html = gzip.decompress(wire) if page.headers.get("Content-Encoding") == "gzip" else wire
    sizes = {url: len(wire)}
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', html):
        sent = client.get(asset.decode(), headers=GZIP_ONLY)
        assert sent.headers.get("Content-Encoding") == "gzip", asset
        sizes[asset.decode()] = len(sent.get_data())
    return sum(sizes.values()), sizes


@pytest.mark.usefixtures("pilots")
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/territorios/arauco",
        "/mesas/mesa-territorial-arauco",
        "/mesas/mesa-tecnica-regional-biobio",
        "/cuenta/ingresar",
        "/cuenta/registro",
        "/datos",
    ],
)
def test_public_pages_weigh_under_20_kb_compressed_on_a_first_visit(client, url):
    total, sizes = first_visit_weight(client, url)
    assert total < 20 * 1024, sizes


@pytest.mark.usefixtures("pilots")
def test_pages_are_sent_compressed_and_assets_cached_for_a_year(client):
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.get_data()).decode()
    css = re.search(r'href="(/static/css/portal.css\?v=\w+)"', html).group(1)
    asset = client.get(css)
    assert "max-age=31536000" in asset.headers["Cache-Control"]
    # Compressed ahead of time: gzip for whoever accepts only it, Brotli for whoever accepts it.
    plain = client.get(css, headers={"Accept-Encoding": "identity"}).get_data()
    zipped = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain
    assert len(zipped.get_data()) < len(plain) / 2
    brotli = client.get(css, headers={"Accept-Encoding": "br, gzip"})
    assert brotli.headers["Content-Encoding"] == "br"
    assert len(brotli.get_data()) < len(zipped.get_data())
    assert brotli.headers["X-Content-Type-Options"] == "nosniff"


def test_home_and_territory_pages_make_the_same_queries_with_6_and_600_territories(
    client, make_territory, count_queries
):
    def queries() -> tuple[int, int]:
        with count_queries() as home:
            assert client.get("/").status_code == 200
        with count_queries() as territory:
            assert client.get("/territorios/territorio-1").status_code == 200
        return home.count, territory.count

    for _ in range(6):
        make_territory(comunas=("Canela", "Combarbalá", "Punitaqui"))
    with_6 = queries()
    for _ in range(594):
        make_territory(comunas=("Canela", "Combarbalá", "Punitaqui"), commit=False)
    client.application.extensions["sqlalchemy"].session.commit()
    with_600 = queries()
    assert with_6 == with_600
    # One of them reads the version of the data (portal.pagecache).
    assert with_6[0] <= 4 and with_6[1] <= 4
    assert text_of(client.get("/")).count("Canela") == 600
