"""The public audit log: a page that explains it (its README), the chain as a download, and
the recorded data of the rows anyone may read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from flask import Response, render_template, stream_with_context

from portal.audit import bp, chain, labels
from portal.audit.models import GENESIS, AuditHead
from portal.commitments.models import (
    Commitment,
    DueDateChange,
    Evidence,
    Milestone,
    ProgressUpdate,
    Validation,
)
from portal.extensions import db
from portal.initiatives.models import FundingLine, Initiative, Revision, StatusChange
from portal.initiatives.models import Status as InitiativeStatus
from portal.meetings.models import Agreement, Meeting, Minutes, MinutesStatus, RecordCorrection

JSONL = "application/jsonl; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
SCRIPT = Path(__file__).with_name("verify-log.sh")


@bp.route("/registro-de-cambios")
def log_page():
    head = db.session.get(AuditHead, 1)
    return render_template(
        "audit/log.html",
        seq=head.seq if head is not None else 0,
        head=head.hash if head is not None else GENESIS,
        genesis=GENESIS,
        tables=chain.AUDITED_TABLES,
        labels=labels,
        script=SCRIPT.read_text(),
    )


def _download(lines: Iterator[str], name: str, mimetype: str = JSONL) -> Response:
    response = Response(stream_with_context(lines), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/registro-de-cambios.jsonl")
def download():
    def lines() -> Iterator[str]:
        for entry in chain.entries():
            yield chain.entry_line(entry) + "\n"

    return _download(lines(), "registro-de-cambios.jsonl")


def public_rows() -> dict[str, set[int]]:
    """The ids of the audited rows anyone may read today, by table."""
    public_commitments = sa.select(Commitment.id).where(Commitment.is_public)
    published = (
        sa.select(Agreement.id)
        .join(Meeting, Meeting.id == Agreement.meeting_id)
        .join(Minutes, Minutes.meeting_id == Meeting.id)
        .where(Minutes.status == MinutesStatus.PUBLISHED)
    )
    under_public = {
        "commitment_milestones": Milestone,
        "commitment_due_date_changes": DueDateChange,
        "commitment_updates": ProgressUpdate,
        "commitment_validations": Validation,
    }
    corrections = (
        sa.select(RecordCorrection.id)
        .join(Minutes, Minutes.meeting_id == RecordCorrection.meeting_id)
        .where(Minutes.status == MinutesStatus.PUBLISHED)
    )
    rows = {
        "agreements": set(db.session.scalars(published)),
        "record_corrections": set(db.session.scalars(corrections)),
        "commitments": set(db.session.scalars(public_commitments)),
        "commitment_evidence": set(
            db.session.scalars(
                sa.select(Evidence.id)
                .join(ProgressUpdate, ProgressUpdate.id == Evidence.update_id)
                .where(ProgressUpdate.commitment_id.in_(public_commitments))
            )
        ),
    }
    # An initiative is public once proposed (a draft is its proposer's), with its history.
    proposed = sa.select(Initiative.id).where(Initiative.status != InitiativeStatus.DRAFT)
    rows["initiatives"] = set(db.session.scalars(proposed))
    for table, model in {
        "initiative_funding": FundingLine,
        "initiative_status_changes": StatusChange,
        "initiative_revisions": Revision,
    }.items():
        rows[table] = set(
            db.session.scalars(sa.select(model.id).where(model.initiative_id.in_(proposed)))
        )
    for table, model in under_public.items():
        rows[table] = set(
            db.session.scalars(
                sa.select(model.id).where(model.commitment_id.in_(public_commitments))
            )
        )
    return rows


# Portfolios are public from their first version.
ALWAYS_PUBLIC = frozenset(
    {"portfolio_versions", "portfolio_lines", "portfolio_line_funding", "portfolio_steps"}
)


@bp.route("/registro-de-cambios/datos.jsonl")
def download_data():
    visible = public_rows()

    def lines() -> Iterator[str]:
        for entry in chain.entries():
            if entry.table_name in ALWAYS_PUBLIC or entry.row_id in visible.get(
                entry.table_name, ()
            ):
                yield f"{entry.seq} {entry.data}\n"

    return _download(lines(), "registro-de-cambios-datos.txt", TEXT)


@bp.route("/registro-de-cambios/verificar.sh")
def script():
    response = Response(SCRIPT.read_text(), mimetype=TEXT)
    response.headers["Content-Disposition"] = 'attachment; filename="verificar.sh"'
    return response
