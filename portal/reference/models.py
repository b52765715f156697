"""Reference data: the gap dimensions (brechas) of the lag index, kept by the admin, and the
strategic objectives of each territory's plan, imported from a JSON file. Initiatives are
tagged with both."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.places.models import Territory


class GapDimension(db.Model):
    """A dimension of the lag index (índice de rezago), to tag what an initiative addresses.
    The index module owns the dimensions; here they are reference data the admin keeps."""

    __tablename__ = "gap_dimensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    # Retired dimensions stay on the initiatives that used them but are not offered any more.
    active: Mapped[bool] = mapped_column(default=True)


class StrategicObjective(db.Model):
    """An objective of a territory's plan ("OE2: Mejorar la conectividad…")."""

    __tablename__ = "strategic_objectives"
    __table_args__ = (sa.UniqueConstraint("territory_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    territory: Mapped[Territory] = relationship()

    @property
    def label(self) -> str:
        return f"{self.code}: {self.title}"
