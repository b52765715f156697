"""The version of the public data: one row, one number, one more on every write."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class DataVersion(db.Model):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    number: Mapped[int] = mapped_column(sa.BigInteger)


# The row exists from the moment the table does, so that a write only ever updates it: two
# first writes never race to insert it.
sa.event.listen(
    DataVersion.__table__,
    "after_create",
    sa.DDL("INSERT INTO data_version (id, number) VALUES (1, 0)"),
)
