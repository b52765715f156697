"""Reference data of initiatives: the gap dimensions the admin keeps, and the strategic
objectives of a territory's plan, imported from a JSON file on a page or with
``portal reference``. Pages are read in Spanish, the default language."""

from __future__ import annotations

import html as html_module
import io
import json

import jsonschema
import pytest
import sqlalchemy as sa

from portal.places.demo import load_pilot_territories
from portal.places.models import Territory
from portal.reference import services as reference
from portal.reference.models import GapDimension, StrategicObjective
from tests.conftest import text_of

SLUG = "limari-choapa"
GAPS = "/referencias/brechas"
OBJECTIVES = f"/territorios/{SLUG}/objetivos"
IMPORT = f"{OBJECTIVES}/importar"


@pytest.fixture
def territory(db) -> Territory:
    load_pilot_territories()
    db.commit()
    return db.scalars(sa.select(Territory).where(Territory.slug == SLUG)).one()


@pytest.fixture
def admin(login, make_user):
    return login(make_user(is_admin=True))


def gap(db, code: str) -> GapDimension | None:
    return db.scalars(sa.select(GapDimension).where(GapDimension.code == code)).one_or_none()


def count_gaps(db) -> int:
    return db.scalar(sa.select(sa.func.count(GapDimension.id)))


def objectives_of(db, territory: Territory) -> list[tuple[str, str, int, bool]]:
    """(code, title, position, active) of every objective, in the order of the plan."""
    db.expire_all()
    rows = db.scalars(
        sa.select(StrategicObjective)
        .where(StrategicObjective.territory_id == territory.id)
        .order_by(StrategicObjective.active.desc(), StrategicObjective.position)
    )
    return [(o.code, o.title, o.position, o.active) for o in rows]


def add_objectives(db, territory: Territory, *codes: str) -> None:
    for n, code in enumerate(codes, start=1):
        db.add(
            StrategicObjective(
                territory_id=territory.id, code=code, title=f"Objetivo antiguo {code}", position=n
            )
        )
    db.commit()


def plan(*objectives: tuple[str, str], territory: str = SLUG) -> dict:
    return {
        "territory": territory,
        "objectives": [{"code": code, "title": title} for code, title in objectives],
    }


def upload(content: bytes | str | dict | list, name: str = "objetivos.json") -> dict:
    """The import form with ``content`` as its file, and the reason the change log keeps."""
    if isinstance(content, dict | list):
        content = json.dumps(content, ensure_ascii=False, indent=2)
    if isinstance(content, str):
        content = content.encode("utf-8")
    return {"file": (io.BytesIO(content), name), "reason": "Plan acordado en la mesa territorial."}


# Gap dimensions


def test_the_default_dimensions_are_loaded_once_and_the_admins_edits_stay(db):
    assert reference.load_default_gaps() == 6
    assert [
        g.code for g in db.scalars(sa.select(GapDimension).order_by(GapDimension.position))
    ] == [
        "D1",
        "D2",
        "D3",
        "D4",
        "D5",
        "D6",
    ]
    renamed = gap(db, "D2")
    renamed.name = "Educación y capacitación"
    db.delete(gap(db, "D6"))
    db.commit()
    assert reference.load_default_gaps() == 1  # only the missing code comes back
    assert gap(db, "D2").name == "Educación y capacitación"
    assert reference.load_default_gaps() == 0
    assert count_gaps(db) == 6


def test_the_admin_adds_edits_deactivates_and_reactivates_a_dimension(db, admin):
    reference.load_default_gaps()
    db.commit()
    listing = admin.get(GAPS)
    assert listing.status_code == 200
    text = text_of(listing)
    assert "Dimensiones de brecha" in text
    assert "D1 Ingresos y pobreza" in text and "D5 Conectividad y aislamiento" in text
    html = listing.get_data(as_text=True)
    assert (
        '<div class="table-wrap" role="region" aria-labelledby="dimensiones" tabindex="0">' in html
    )
    assert 'id="dimensiones"' in html

    sent = admin.submit(
        f"{GAPS}/nueva",
        {
            "code": " D7 ",
            "name": "Medio ambiente",
            "description": "Calidad del aire, del agua y de los suelos.",
            "position": "",
            "active": "y",
            "reason": "El índice de rezago suma una dimensión.",
        },
    )
    assert sent.status_code == 302 and sent.headers["Location"] == GAPS
    added = gap(db, "D7")
    assert (added.name, added.description, added.position, added.active) == (
        "Medio ambiente",
        "Calidad del aire, del agua y de los suelos.",
        7,
        True,
    )
    after = text_of(admin.get(GAPS))
    assert "Se agregó la dimensión D7." in after
    assert "D7 Medio ambiente Calidad del aire, del agua y de los suelos. En uso" in after

    url = f"{GAPS}/{added.id}"
    form = admin.get(url)
    assert "Editar la dimensión D7" in text_of(form)
    assert 'value="Medio ambiente"' in form.get_data(as_text=True)
    # Unchecking the box takes it out of use; nothing is deleted.
    sent = admin.submit(
        url,
        {
            "code": "D7",
            "name": "Medio ambiente y territorio",
            "description": "Calidad del aire, del agua y de los suelos.",
            "position": "2",
            "reason": "Cambia su nombre en el índice.",
        },
    )
    assert sent.status_code == 302
    db.refresh(added)
    assert (added.name, added.position, added.active) == ("Medio ambiente y territorio", 2, False)
    after = text_of(admin.get(GAPS))
    assert "Tus cambios se guardaron." in after
    assert (
        "D7 Medio ambiente y territorio Calidad del aire, del agua y de los suelos. Sin uso"
        in after
    )
    sent = admin.submit(
        url, {"code": "D7", "name": "Medio ambiente", "active": "y", "reason": "Nueva dimensión."}
    )
    assert sent.status_code == 302
    db.refresh(added)
    assert added.active and added.position == 2  # left empty, the place is kept
    assert count_gaps(db) == 7
    assert admin.get(f"{GAPS}/999999").status_code == 404


@pytest.mark.parametrize("code", ["D1", "d1"])
def test_a_code_already_used_is_refused_in_spanish_and_nothing_is_stored(db, admin, code):
    reference.load_default_gaps()
    db.commit()
    page = admin.submit(
        f"{GAPS}/nueva", {"code": code, "name": "Otra dimensión", "active": "y", "reason": "x"}
    )
    assert page.status_code == 422
    text = text_of(page)
    assert "Revisa el formulario" in text
    assert "El código D1 ya lo usa la dimensión «Ingresos y pobreza». Elige otro código." in text
    assert 'href="#code"' in page.get_data(as_text=True)
    assert 'value="Otra dimensión"' in page.get_data(as_text=True)
    assert count_gaps(db) == 6
    assert (
        db.scalar(sa.select(GapDimension.id).where(GapDimension.name == "Otra dimensión")) is None
    )
    # Editing one dimension into another's code is refused the same way.
    second = gap(db, "D2")
    edited = admin.submit(f"{GAPS}/{second.id}", {"code": code, "name": "Educación", "reason": "x"})
    assert edited.status_code == 422
    assert "El código D1 ya lo usa la dimensión «Ingresos y pobreza»." in text_of(edited)
    db.refresh(second)
    assert second.code == "D2" and second.active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "", "name": "Salud"}, "Escribe el código de la dimensión, por ejemplo D1."),
        ({"code": "D 8", "name": "Salud"}, "Usa solo letras sin tilde, dígitos, puntos"),
        ({"code": "D8", "name": " "}, "Escribe el nombre de la dimensión."),
        ({"code": "D" * 21, "name": "Salud"}, "El código puede tener hasta 20 caracteres."),
        (
            {"code": "D8", "name": "Salud", "position": "0"},
            "Escribe un número entero del 1 al 999.",
        ),
    ],
)
def test_a_rejected_dimension_says_what_is_wrong(db, admin, data, message):
    page = admin.submit(f"{GAPS}/nueva", {**data, "reason": "Prueba."})
    assert page.status_code == 422
    assert message in text_of(page)
    assert count_gaps(db) == 0


@pytest.mark.usefixtures("territory")
@pytest.mark.parametrize(
    "url",
    [GAPS, f"{GAPS}/nueva", f"{GAPS}/{{gap}}", IMPORT, "/territorios/no-existe/objetivos/importar"],
)
def test_only_the_admin_reaches_the_reference_pages(db, client, login, make_user, url):
    reference.load_default_gaps()
    db.commit()
    url = url.format(gap=gap(db, "D1").id)
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/cuenta/ingresar?next=")
    form = url != GAPS
    if form:
        assert client.post(url, data={"code": "D9", "name": "X"}).status_code == 400  # no token
    login(make_user())
    assert client.get(url).status_code == 403
    if form:
        assert client.post(url, data={"code": "D9", "name": "X"}).status_code == 400
    assert gap(db, "D9") is None


# Strategic objectives: the public page


def test_the_public_page_lists_the_objectives_in_force_in_order_and_the_retired_apart(
    db, client, login, make_user, territory
):
    db.add_all(
        [
            StrategicObjective(
                territory=territory, code="OE2", title="Mejorar la conectividad", position=2
            ),
            StrategicObjective(
                territory=territory, code="OE1", title="Asegurar el agua", position=1
            ),
            StrategicObjective(
                territory=territory, code="OE0", title="Un objetivo del plan anterior", active=False
            ),
        ]
    )
    db.commit()
    page = client.get(OBJECTIVES)
    assert page.status_code == 200
    text = text_of(page)
    assert "Objetivos estratégicos de Limarí-Choapa" in text
    assert (
        "Objetivos vigentes Código Objetivo OE1 Asegurar el agua OE2 Mejorar la conectividad"
        in text
    )
    assert "Objetivos que ya no están en el plan" in text
    assert text.index("OE0 Un objetivo del plan anterior") > text.index("Objetivos que ya no")
    html = page.get_data(as_text=True)
    assert 'aria-labelledby="vigentes"' in html and 'aria-labelledby="retirados"' in html
    assert "/importar" not in html
    assert "/importar" in login(make_user(is_admin=True)).get(OBJECTIVES).get_data(as_text=True)
    assert client.get("/territorios/no-existe/objetivos").status_code == 404


def test_a_territory_without_objectives_says_so(client, territory):
    text = text_of(client.get(OBJECTIVES))
    assert "Todavía no se han cargado los objetivos del plan de este territorio." in text
    assert "Objetivos que ya no están en el plan" not in text


# Strategic objectives: importing a file


def test_the_import_page_shows_an_example_file_for_the_territory(admin, territory):
    page = admin.get(IMPORT)
    assert page.status_code == 200
    assert "Importar los objetivos estratégicos de Limarí-Choapa" in text_of(page)
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    example = html.split("<pre", 1)[1].split("<code>", 1)[1].split("</code>", 1)[0]
    data = json.loads(html_module.unescape(example))
    assert data["territory"] == SLUG and len(data["objectives"]) == 3
    # The example itself is a good file.
    jsonschema.validate(data, reference.OBJECTIVES_SCHEMA)


def test_importing_a_file_adds_updates_and_retires_by_code_keeping_the_order(db, admin, territory):
    add_objectives(db, territory, "OE1", "OE2", "OE5", "OE6")
    db.scalars(
        sa.select(StrategicObjective).where(StrategicObjective.code == "OE2")
    ).one().title = "Fortalecer la ganadería caprina"
    db.commit()
    good = plan(
        ("OE1", "Asegurar el agua para el consumo humano y el riego"),
        ("OE2", "Fortalecer la ganadería caprina"),
        ("OE3", "Mejorar la conectividad   vial y digital"),
        ("OE4", "Desarrollar el turismo de intereses especiales"),
        ("OE7", "Apoyar una minería artesanal sustentable"),
    )
    sent = admin.submit(IMPORT, upload(good))
    assert sent.status_code == 302 and sent.headers["Location"] == OBJECTIVES
    assert objectives_of(db, territory) == [
        ("OE1", "Asegurar el agua para el consumo humano y el riego", 1, True),
        ("OE2", "Fortalecer la ganadería caprina", 2, True),
        ("OE3", "Mejorar la conectividad vial y digital", 3, True),
        ("OE4", "Desarrollar el turismo de intereses especiales", 4, True),
        ("OE7", "Apoyar una minería artesanal sustentable", 5, True),
        # Kept, for the initiatives that point at them, but out of the plan.
        ("OE5", "Objetivo antiguo OE5", 3, False),
        ("OE6", "Objetivo antiguo OE6", 4, False),
    ]
    text = text_of(admin.get(OBJECTIVES))
    assert (
        "Se importaron los objetivos de Limarí-Choapa: 3 agregados, 1 actualizado, 2 retirados."
        in text
    )
    assert text.index("OE7 Apoyar") < text.index("Objetivos que ya no") < text.index("OE5")

    # The same file again changes nothing; a new order and a return are updates.
    again = admin.submit(IMPORT, upload(good))
    assert again.status_code == 302
    assert "El archivo coincide con los objetivos ya guardados: no cambió nada." in text_of(
        admin.get(OBJECTIVES)
    )
    reordered = plan(
        ("OE5", "Objetivo antiguo OE5"),
        ("OE1", "Asegurar el agua para el consumo humano y el riego"),
    )
    admin.submit(IMPORT, upload(reordered))
    assert "0 agregados, 2 actualizados, 4 retirados." in text_of(admin.get(OBJECTIVES))
    assert [row[:1] + row[2:] for row in objectives_of(db, territory)][:2] == [
        ("OE5", 1, True),
        ("OE1", 2, True),
    ]


def test_a_file_with_a_byte_order_mark_is_read(db, admin, territory):
    content = "\ufeff" + json.dumps(plan(("OE1", "Asegurar el agua")))
    sent = admin.submit(IMPORT, upload(content))
    assert sent.status_code == 302
    assert objectives_of(db, territory) == [("OE1", "Asegurar el agua", 1, True)]


INVALID_JSON = """{
  "territory": "limari-choapa",
  "objectives": [
    {"code": "OE1" "title": "Agua"}
  ]
}"""


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            INVALID_JSON,
            "objetivos.json",
            "El archivo no es un JSON válido (línea 4). Revisa las comillas, comas y corchetes",
        ),
        (
            {
                "territory": SLUG,
                "objectives": [
                    {"code": "OE1", "title": "Agua potable"},
                    {"code": "OE2", "title": "Caminos"},
                    {"code": "OE3"},
                ],
            },
            "objetivos.json",
            "Objetivo 3: falta el título.",
        ),
        (
            plan(("OE1", "Asegurar el agua"), ("OE2", "Conectividad"), ("OE1", "Turismo")),
            "objetivos.json",
            "Los objetivos 1 y 3 tienen el mismo código, OE1. Cada objetivo necesita su propio",
        ),
        (
            plan(("OE1", "Asegurar el agua"), territory="arauco"),
            "objetivos.json",
            "Este archivo es del territorio «arauco», no de Limarí-Choapa («limari-choapa»).",
        ),
        (
            b"%PDF-1.4\n1 0 obj<<>>endobj\n",
            "plan.pdf",
            "Elige un archivo JSON: su nombre termina en .json.",
        ),
        (b"%PDF-1.4\n\xe2\x28\xa1 obj<<>>endobj\n", "plan.json", "El archivo no es texto UTF-8."),
        ("nombre,código\nAgua,OE1\n", "plan.json", "El archivo no es un JSON válido (línea 1)."),
        (b"", "objetivos.json", "El archivo no es un JSON válido (línea 1)."),
        (
            {"territory": SLUG, "objectives": []},
            "objetivos.json",
            "La lista de objetivos está vacía",
        ),
        (
            {"objectives": [{"code": "OE1", "title": "Agua"}]},
            "objetivos.json",
            "El archivo no dice de qué territorio es («territory»).",
        ),
        (
            [{"code": "OE1", "title": "Agua"}],
            "objetivos.json",
            "El archivo debe contener un solo objeto con «territory» y «objectives»",
        ),
        (
            plan(("OE1", "Agua potable")) | {"version": 2},
            "objetivos.json",
            "El archivo tiene un campo que no se usa: «version».",
        ),
        (
            {
                "territory": SLUG,
                "objectives": [{"code": "OE1", "title": "Agua", "comuna": "Canela"}],
            },
            "objetivos.json",
            "El objetivo 1 tiene un campo que no se usa: «comuna». Solo se admiten «code» y",
        ),
        (
            plan(("OE1", "Agua"), ("OE 2", "Caminos")),
            "objetivos.json",
            "Objetivo 2: el código solo puede tener letras sin tilde",
        ),
        (
            plan(("O" * 21, "Agua potable")),
            "objetivos.json",
            "Objetivo 1: el código puede tener hasta 20 caracteres.",
        ),
        (
            plan(("OE1", "Agua potable"), ("", "Caminos")),
            "objetivos.json",
            "Objetivo 2: el código está vacío.",
        ),
        (
            {"territory": SLUG, "objectives": [{"code": 1, "title": "Agua potable"}]},
            "objetivos.json",
            "Objetivo 1: el código debe ser texto",
        ),
        (
            {"territory": SLUG, "objectives": [{"title": "Agua potable"}]},
            "objetivos.json",
            "Objetivo 1: falta el código.",
        ),
        (
            plan(("OE1", "Agua potable"), ("OE2", "Ca")),
            "objetivos.json",
            "Objetivo 2: el título es muy corto; escribe al menos 3 caracteres.",
        ),
        (plan(("OE1", "   \n   ")), "objetivos.json", "Objetivo 1: el título es muy corto"),
        (
            plan(("OE1", "A" * 301)),
            "objetivos.json",
            "Objetivo 1: el título puede tener hasta 300 caracteres.",
        ),
        (
            {"territory": SLUG, "objectives": ["OE1"]},
            "objetivos.json",
            'El objetivo 1 debe escribirse como {"code": …, "title": …}.',
        ),
        (
            {"territory": SLUG, "objectives": {"OE1": "Agua"}},
            "objetivos.json",
            "«objectives» debe ser una lista de objetivos",
        ),
        ("[" * 5000 + "]" * 5000, "objetivos.json", "El archivo no es un JSON válido."),
        (" " * (200 * 1024 + 1), "objetivos.json", "El archivo pesa más de 200 KB."),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_spanish_message_and_nothing_changes(
    db, admin, territory, content, name, message
):
    add_objectives(db, territory, "OE1", "OE9")
    before = objectives_of(db, territory)
    page = admin.submit(IMPORT, upload(content, name))
    assert page.status_code == 422
    text = text_of(page)
    assert "Revisa el formulario" in text
    assert message in text
    assert objectives_of(db, territory) == before


def test_no_file_is_refused(db, admin, territory):
    page = admin.submit(IMPORT, {})
    assert page.status_code == 422
    assert "Elige el archivo JSON que quieres importar." in text_of(page)


def test_an_unknown_territory_has_no_import_page(admin):
    assert admin.get("/territorios/no-existe/objetivos/importar").status_code == 404


# The command line


def test_the_command_line_imports_a_file_and_reports_errors(app, db, territory, tmp_path):
    runner = app.test_cli_runner()
    good = tmp_path / "objetivos.json"
    good.write_text(
        json.dumps(plan(("OE1", "Asegurar el agua"), ("OE2", "Mejorar la conectividad")))
    )
    without = runner.invoke(args=["reference", "import-objectives", SLUG, str(good)])
    assert without.exit_code != 0 and "--reason" in without.output
    why = ["--reason", "Plan anual 2027 acordado."]
    result = runner.invoke(args=["reference", "import-objectives", SLUG, str(good), *why])
    assert result.exit_code == 0, result.output
    assert (
        "Se importaron los objetivos de Limarí-Choapa: 2 agregados, 0 actualizados, 0 retirados."
        in result.output
    )
    assert [row[0] for row in objectives_of(db, territory)] == ["OE1", "OE2"]

    other = tmp_path / "arauco.json"
    other.write_text(json.dumps(plan(("OE1", "Otro plan"), territory="arauco")))
    result = runner.invoke(args=["reference", "import-objectives", SLUG, str(other), *why])
    assert result.exit_code == 1
    assert (
        "arauco.json: Este archivo es del territorio «arauco», no de Limarí-Choapa" in result.output
    )
    broken = tmp_path / "roto.json"
    broken.write_text(INVALID_JSON)
    result = runner.invoke(args=["reference", "import-objectives", SLUG, str(broken), *why])
    assert result.exit_code == 1
    assert "El archivo no es un JSON válido (línea 4)." in result.output
    result = runner.invoke(args=["reference", "import-objectives", "no-existe", str(good), *why])
    assert result.exit_code == 1 and "no-existe" in result.output
    assert [row[1] for row in objectives_of(db, territory)] == [
        "Asegurar el agua",
        "Mejorar la conectividad",
    ]
    from portal.admin.models import AdminAction

    logged = db.scalars(sa.select(AdminAction)).one()
    assert (logged.action, logged.actor_id, logged.reason) == (
        "objectives.import",
        None,
        "Plan anual 2027 acordado.",
    )


def test_the_command_line_loads_the_default_dimensions(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reference", "load-gaps"])
    assert first.exit_code == 0 and "6 gap dimensions added" in first.output
    second = runner.invoke(args=["reference", "load-gaps"])
    assert second.exit_code == 0 and "0 gap dimensions added" in second.output
    assert count_gaps(db) == 6


# Demo data


def test_the_demo_objectives_are_loaded_only_where_there_are_none(db, territory):
    assert reference.load_demo_objectives() == 5
    rows = objectives_of(db, territory)
    assert [row[0] for row in rows] == ["OE1", "OE2", "OE3", "OE4", "OE5"]
    assert all(row[3] for row in rows)
    assert reference.load_demo_objectives() == 0
    # An admin's own list is never replaced by the demo's.
    db.execute(sa.delete(StrategicObjective))
    add_objectives(db, territory, "X1")
    assert reference.load_demo_objectives() == 0
    assert [row[0] for row in objectives_of(db, territory)] == ["X1"]


def test_the_demo_file_is_inside_the_package():
    assert reference.DEMO_OBJECTIVES[SLUG].is_file()
    assert "portal/reference/data" in reference.DEMO_OBJECTIVES[SLUG].as_posix()


def test_each_change_of_reference_data_is_in_the_change_log_with_its_reason(db, admin, territory):
    from portal.admin.models import AdminAction

    admin.submit(
        f"{GAPS}/nueva",
        {"code": "D7", "name": "Medio ambiente", "active": "y", "reason": "Lo pide el índice."},
    )
    without = admin.submit(f"{GAPS}/nueva", {"code": "D8", "name": "Salud", "active": "y"})
    assert without.status_code == 422 and "Di por qué" in text_of(without)
    admin.submit(IMPORT, upload({"territory": territory.slug, "objectives": [
        {"code": "OE1", "title": "Agua para producir"}
    ]}))  # fmt: skip
    logged = db.scalars(sa.select(AdminAction).order_by(AdminAction.id)).all()
    assert [(a.action, a.reason) for a in logged] == [
        ("gap.create", "Lo pide el índice."),
        ("objectives.import", "Plan acordado en la mesa territorial."),
    ]
