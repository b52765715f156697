"""A convenio or protocolo, its parties and their contributions, and the initiatives it
finances. Written once: what was signed does not change under its readers."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.initiatives.models import Initiative
from portal.meetings.models import Agreement
from portal.mesas.models import Organization
from portal.places.models import Territory


class ConvenioKind(enum.StrEnum):
    CONVENIO = "convenio"  # binding, with contributions
    PROTOCOLO = "protocolo"  # a protocol of intentions


convenio_initiatives = sa.Table(
    "convenio_initiatives",
    db.metadata,
    sa.Column("convenio_id", sa.ForeignKey("convenios.id"), primary_key=True),
    sa.Column("initiative_id", sa.ForeignKey("initiatives.id"), primary_key=True, index=True),
)


class Convenio(db.Model):
    __tablename__ = "convenios"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="term_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    kind: Mapped[ConvenioKind] = mapped_column(enum_column(ConvenioKind, "convenio_kind"))
    title: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    signed_on: Mapped[dt.date] = mapped_column(sa.Date)
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    # None: in force until a party ends it.
    ends_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # When its parties must decide whether to renew it.
    renewal_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # "Resolución exenta N° 123 del GORE de Coquimbo", or a web address.
    document: Mapped[str] = mapped_column(sa.String(300))
    # The agreement of a mesa that backs it, when there is one.
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    territory: Mapped[Territory] = relationship()
    agreement: Mapped[Agreement | None] = relationship()
    parties: Mapped[list[ConvenioParty]] = relationship(
        back_populates="convenio", order_by="ConvenioParty.position"
    )
    initiatives: Mapped[list[Initiative]] = relationship(
        secondary=convenio_initiatives, order_by="Initiative.title"
    )

    def in_force_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def money(self) -> int:
        return sum(p.amount or 0 for p in self.parties if not p.in_kind)

    @property
    def in_kind(self) -> int:
        return sum(p.amount or 0 for p in self.parties if p.in_kind)


class ConvenioParty(db.Model):
    """An organization that signs, the role of who signs for it, and what it contributes:
    money, or goods, work or land in kind (then ``amount`` is their valuation)."""

    __tablename__ = "convenio_parties"
    __table_args__ = (
        sa.UniqueConstraint("convenio_id", "organization_id"),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convenio_id: Mapped[int] = mapped_column(sa.ForeignKey("convenios.id"), index=True)
    position: Mapped[int]
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    # "Gobernador regional", "Gerente general", "Presidenta de la cooperativa".
    signatory_role: Mapped[str] = mapped_column(sa.String(160))
    # Pesos, or the valuation of what is given in kind; None: contributes no money.
    amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    in_kind: Mapped[bool] = mapped_column(default=False)
    # What it contributes, in words ("30 jornadas de trabajo", "el terreno del galpón").
    contribution: Mapped[str] = mapped_column(sa.String(300), default="")

    convenio: Mapped[Convenio] = relationship(back_populates="parties")
    organization: Mapped[Organization] = relationship()
