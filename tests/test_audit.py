"""The audit log: every change to an audited row is chained by SHA-256; ``portal audit verify``
names exactly the entry or the row that was changed behind the application's back; the public
download checks with the shell script its page publishes."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.audit import chain, labels
from portal.audit.models import GENESIS, AuditEntry, AuditHead
from portal.commitments import services
from portal.commitments.models import Commitment
from portal.meetings.models import Agreement
from tests import factories
from tests.conftest import text_of
from tests.test_commitments import mesa  # noqa: F401  (the fixture)

SCRIPT = Path(__file__).parents[1] / "portal" / "audit" / "verify-log.sh"


@pytest.fixture
def logged(db, mesa):  # type: ignore[no-untyped-def]  # noqa: F811
    """Two commitments recorded, one rescheduled and one reported on: a dozen entries."""
    _mesa, people, meeting, agreement = mesa
    by = people["secretary"]
    road = services.record(
        meeting,
        services.CommitmentData(
            organization=factories.demo_organization(db, "MOP Vialidad"),
            deliverable="Pavimentar el camino.",
            due_on=dt.date(2026, 9, 30),
            agreement=agreement,
        ),
        by,
    )
    help_ = services.record(
        meeting,
        services.CommitmentData(
            organization=factories.demo_organization(db, "INDAP"),
            deliverable="Asesoría a 40 familias.",
            due_on=dt.date(2026, 6, 30),
            agreement=agreement,
        ),
        by,
    )
    db.commit()
    services.reschedule(road, dt.date(2026, 12, 15), "Licitación desierta.", by)
    db.commit()
    services.report(
        help_, services.UpdateData(reported_on=dt.date(2026, 4, 1), text="Primera visita."), by
    )
    db.commit()
    return road, help_


def test_every_change_is_chained_and_the_log_holds(db, logged):
    road, _help = logged
    rows = db.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert db.get(AuditHead, 1).hash == rows[-1].hash
    # The rescheduling: the new date row and the commitment's update, in that order.
    touched = [
        (r.table_name, r.action) for r in rows if r.row_id == road.id or "due" in r.table_name
    ]
    assert ("commitment_due_date_changes", "insert") in touched
    assert ("commitments", "update") in touched
    last_of_road = [r for r in rows if r.table_name == "commitments" and r.row_id == road.id][-1]
    assert '"due_on":"2026-12-15"' in last_of_road.data
    assert '"original_due_on":"2026-09-30"' in last_of_road.data
    report = chain.verify()
    assert report.ok, report.problems
    assert report.entries == len(rows)


def test_a_row_edited_behind_the_applications_back_is_named(db, logged):
    road, _help = logged
    db.execute(
        sa.text("UPDATE commitments SET due_on = '2026-07-01' WHERE id = :id"), {"id": road.id}
    )
    report = chain.verify()
    [problem] = report.problems
    last = db.scalar(
        sa.select(sa.func.max(AuditEntry.seq)).where(
            AuditEntry.table_name == "commitments", AuditEntry.row_id == road.id
        )
    )
    assert (problem.table, problem.row) == ("commitments", road.id)
    assert (
        str(problem) == f"commitments row {road.id}: differs from its last entry ({last}) in due_on"
    )


def test_an_entry_edited_removed_or_a_row_deleted_is_named(db, logged):
    db.execute(
        sa.text("UPDATE audit_entries SET at = :at WHERE seq = 3"),
        {"at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
    )
    assert [str(p) for p in chain.verify().problems] == [
        "entry 3: its content does not match its hash"
    ]
    db.rollback()
    db.execute(sa.text("UPDATE audit_entries SET data = '{}' WHERE seq = 2"))
    assert next(str(p) for p in chain.verify().problems) == (
        "entry 2: its data does not match its data_sha256"
    )
    db.rollback()
    db.execute(sa.text("DELETE FROM commitment_updates"))
    [problem] = chain.verify().problems
    assert problem.table == "commitment_updates"
    assert "is missing although entry" in str(problem)


def test_a_refused_action_leaves_no_entry(app, db, logged):
    _road, help_ = logged
    before = db.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    with app.test_request_context(), pytest.raises(services.Refused):
        services.reschedule(help_, help_.due_on, "Igual.", help_.created_by)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_the_cli_reports_the_broken_entry_and_fails(app, db, logged):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "the log holds" in result.output
    db.execute(sa.text("UPDATE audit_entries SET action = 'delete' WHERE seq = 4"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN entry 4: its content does not match its hash" in result.output


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs sha256sum")
def test_the_downloaded_log_checks_with_the_published_script(client, db, logged, tmp_path):
    page = client.get("/registro-de-cambios")
    assert page.status_code == 200
    head = db.get(AuditHead, 1)
    assert head.hash in page.get_data(as_text=True)
    download = client.get("/registro-de-cambios.jsonl")
    assert download.mimetype == "application/jsonl"
    log = tmp_path / "registro-de-cambios.jsonl"
    log.write_bytes(download.data)
    script = tmp_path / "verificar.sh"
    script.write_bytes(client.get("/registro-de-cambios/verificar.sh").data)
    assert script.read_text() == SCRIPT.read_text()
    run = subprocess.run(["sh", str(script), str(log)], capture_output=True, text=True)
    assert run.stdout.split() == ["OK", str(head.seq), head.hash]
    # One character changed in entry 2: the script stops at entry 3, whose prev no longer
    # matches.
    lines = log.read_text().splitlines()
    lines[1] = lines[1].replace('"insert"', '"update"')
    log.write_text("\n".join(lines) + "\n")
    run = subprocess.run(["sh", str(script), str(log)], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stdout.split() == ["ERROR", "3"]


def test_the_public_data_file_holds_public_rows_only(client, db, logged):
    road, help_ = logged
    help_.is_public = False
    db.commit()
    data = client.get("/registro-de-cambios/datos.jsonl").get_data(as_text=True)
    lines = dict(line.split(" ", 1) for line in data.splitlines())
    entries = db.scalars(sa.select(AuditEntry)).all()
    for entry in entries:
        shown = str(entry.seq) in lines
        if entry.table_name == "commitments":
            assert shown == (entry.row_id == road.id)
        if shown:
            assert chain.sha256(lines[str(entry.seq)]) == entry.data_sha256
    # An agreement whose acta is not published stays out.
    agreement = db.scalars(sa.select(Agreement)).one()
    assert not any(
        e.table_name == "agreements" and e.row_id == agreement.id and str(e.seq) in lines
        for e in entries
    )
    assert db.get(Commitment, help_.id).is_public is False


def test_the_log_page_says_every_table_and_action_in_spanish_and_its_code_is_reachable(client):
    assert set(labels.TABLE) == set(chain.AUDITED_TABLES) and set(labels.ACTION) == set(
        chain.ACTIONS
    )
    page = client.get("/registro-de-cambios")
    text = text_of(page)
    assert "commitments : compromisos" in text and "insert (agregado)" in text
    assert "insert, update or delete" not in text
    html = page.get_data(as_text=True)
    blocks = re.findall(r"<pre [^>]*>", html)
    assert len(blocks) == 3
    for block in blocks:
        assert 'tabindex="0"' in block and 'role="region"' in block and "aria-label=" in block
