"""The audit log: one row per change to a row of an audited table, each carrying the SHA-256
of the entry before it (see ``portal.audit.chain``)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import UTCDateTime
from portal.extensions import db

GENESIS = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_table_row", "table_name", "row_id", "seq"),)

    # The position in the chain, from 1, without gaps.
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None]
    # insert, update or delete.
    action: Mapped[str] = mapped_column(sa.String(10))
    table_name: Mapped[str] = mapped_column(sa.String(60))
    row_id: Mapped[int]
    # The row as it was after the change, as canonical JSON ("null" once deleted).
    data: Mapped[str] = mapped_column(sa.Text)
    data_sha256: Mapped[str] = mapped_column(sa.String(64))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditHead(db.Model):
    """The last entry of the chain, one row, locked by whoever appends so that two
    transactions never chain onto the same entry."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(sa.String(64))
