"""The data page and the CSV files: every public list as a file spreadsheet programs open
with its accents right (LibreOffice reads it back cell for cell), with commas or semicolons,
with the API's filters, and a data dictionary that names every column of every file."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.opendata.tables import TABLES
from tests.conftest import savepoint
from tests.test_api_lists import walk

BOM = "\ufeff".encode()


@pytest.fixture(scope="module")
def seeded(demo):  # type: ignore[no-untyped-def]
    return demo


@pytest.fixture
def client(app: Flask, seeded) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    with savepoint(app, seeded):
        yield app.test_client()


def read(client: FlaskClient, url: str) -> tuple[bytes, list[list[str]]]:
    answer = client.get(url)
    assert answer.status_code == 200, url
    assert answer.mimetype == "text/csv" and answer.mimetype_params["charset"] == "utf-8"
    data = answer.get_data()
    delimiter = ";" if "punto-y-coma" in url else ","
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_the_data_page_offers_every_file_its_columns_and_the_api(client):
    page = client.get("/datos").get_data(as_text=True)
    assert "<h1>Datos abiertos</h1>" in page
    assert 'rel="license">CC BY 4.0</a>' in page
    for table in TABLES:
        assert f'href="/datos/{table.name}.csv"' in page
        assert f'href="/datos/{table.name}.csv?separador=punto-y-coma"' in page
        _data, rows = read(client, f"/datos/{table.name}.csv")
        for column in rows[0]:
            assert f"<code>{column}</code>" in page, (table.name, column)
    document = client.get("/api/v1/openapi.json").json
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert f"<code>{method.upper()} {path}</code>" in page
            assert operation["summary"] in page
    assert "<code>POST /api/v1/territories/{code}/plan/measurements</code>" in page
    assert "Los compromisos públicos con su historia" not in page  # summaries as written
    assert "Compromisos públicos con su historia" in page
    assert "curl http://localhost/api/v1/territories" in page or "curl https://" in page


def test_a_file_holds_the_whole_list_as_the_api_gives_it(client):
    data, rows = read(client, "/datos/compromisos.csv")
    assert data.startswith(BOM)
    header, *body = rows
    assert header[:4] == ["id", "deliverable", "institution.id", "institution.name"]
    listed = walk(client, "/api/v1/commitments?limit=100")
    assert [int(r[0]) for r in body] == [c["id"] for c in listed]
    first = dict(zip(header, body[0], strict=True))
    assert first["institution.name"] == listed[0]["institution"]["name"]
    assert first["comunas"] == " | ".join(listed[0]["comunas"])
    assert first["amount"] == ("" if listed[0]["amount"] is None else str(listed[0]["amount"]))


def test_votes_become_a_column_per_option_and_lists_of_items_files_of_their_own(client):
    _data, rows = read(client, "/datos/acuerdos.csv")
    header, *body = rows
    voted = next(
        dict(zip(header, r, strict=True)) for r in body if r[header.index("vote_event.counts.yes")]
    )
    assert (voted["vote_event.counts.yes"], voted["vote_event.counts.no"]) == ("8", "2")
    _data, rows = read(client, "/datos/resultados-de-rondas.csv")
    assert rows[0][:3] == ["round.id", "initiative_id", "title"]
    rounds = walk(client, "/api/v1/rounds")
    assert len(rows) - 1 == sum(len(r["items"]) for r in rounds)
    _data, rows = read(client, "/datos/comunas-de-territorios.csv")
    assert rows[0] == ["territory.code", "cut", "name"]
    assert ["limari-choapa", "04302", "Combarbalá"] in rows


def test_filters_and_the_separator_for_spreadsheets_in_spanish(client):
    _data, everything = read(client, "/datos/iniciativas.csv")
    _data, d4 = read(client, "/datos/iniciativas.csv?gap=D4&separador=punto-y-coma")
    gaps = d4[0].index("gaps")
    assert d4[0] == everything[0]
    assert all("D4" in row[gaps].split(" | ") for row in d4[1:])
    assert 0 < len(d4) < len(everything)
    bad = client.get("/datos/iniciativas.csv?separador=tab")
    assert bad.status_code == 400
    assert "El separador es «coma» o «punto-y-coma»." in bad.get_data(as_text=True)
    unknown = client.get("/datos/iniciativas.csv?territory=atlantida")
    assert unknown.status_code == 400
    assert "Nada tiene el código «atlantida» en «territory»." in unknown.get_data(as_text=True)
    assert client.get("/datos/nada.csv").status_code == 404


def _soffice() -> str | None:
    found = shutil.which("soffice")
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("CI installs LibreOffice (libreoffice-calc-nogui) to read the CSV files back")
    return found


@pytest.mark.parametrize("separator", ["coma", "punto-y-coma"])
def test_libreoffice_reads_every_file_back_cell_for_cell(client, tmp_path: Path, separator):
    soffice = _soffice()
    if soffice is None:
        pytest.skip("LibreOffice is not installed here (CI installs it)")
    code = {"coma": 44, "punto-y-coma": 59}[separator]
    expected = {}
    for table in TABLES:
        data, rows = read(client, f"/datos/{table.name}.csv?separador={separator}")
        (tmp_path / f"{table.name}.csv").write_bytes(data)
        expected[table.name] = rows
    # As LibreOffice opens a file with a byte order mark (its text import detects UTF-8), with
    # the file's separator, every column read as text (codes such as 04302 keep their zero,
    # as the data page tells people to do); written back as plain UTF-8 CSV to compare.
    as_text = "/".join(f"{n}/2" for n in range(1, 61))
    out = tmp_path / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            f"--infilter=CSV:{code},34,76,1,{as_text}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false",
            "--outdir",
            str(out),
            *sorted(str(p) for p in tmp_path.glob("*.csv")),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    for name, rows in expected.items():
        text = (out / f"{name}.csv").read_text(encoding="utf-8")
        back = list(csv.reader(io.StringIO(text)))
        assert back[0] == rows[0], name  # no stray byte order mark in the first column
        assert [_same(r) for r in back] == [_same(r) for r in rows], name
    accents = "".join(c for rows in expected.values() for r in rows for c in "".join(r))
    assert {"á", "í", "ñ", "Ñ"} <= set(accents)


def _same(row: list[str]) -> list[str]:
    """A row as a spreadsheet keeps it: LibreOffice drops the empty cells at a row's end."""
    while row and row[-1] == "":
        row = row[:-1]
    return row
