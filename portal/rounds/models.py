"""Prioritization rounds: a mesa weighs a set of initiatives with one method, each active
member casts (and may change) one ballot until the round closes, or the secretary enters the
room's tallies; closing ranks the initiatives with a stated tie-break rule."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.initiatives.models import Initiative
from portal.meetings.models import Agreement
from portal.mesas.models import Mesa


class Method(enum.StrEnum):
    DOTS = "dots"  # each voter spreads N points
    APPROVAL = "approval"  # choose up to k
    SCORE = "score"  # 0 to 5 each
    RANKED = "ranked"  # Borda
    MATRIX = "matrix"  # criteria with weights, 0 to 5 per initiative and criterion


class RoundStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    # Ended by the mesa without a result, with a reason everyone reads; never deleted.
    CANCELLED = "cancelled"


SCORE_MAX = 5


class Round(db.Model):
    __tablename__ = "rounds"
    __table_args__ = (
        sa.CheckConstraint("points IS NULL OR points > 0", name="points_positive"),
        sa.CheckConstraint("max_choices IS NULL OR max_choices > 0", name="choices_positive"),
        sa.CheckConstraint("budget IS NULL OR budget > 0", name="budget_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    method: Mapped[Method] = mapped_column(enum_column(Method, "round_method"))
    points: Mapped[int | None]  # dots
    max_choices: Mapped[int | None]  # approval
    secret: Mapped[bool] = mapped_column(default=True)
    # The room's counts, entered by the secretary, instead of ballots.
    by_tally: Mapped[bool] = mapped_column(default=False)
    budget: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Its ballots came from a Pabulib file (a vote held elsewhere), not from members here.
    imported: Mapped[bool] = mapped_column(default=False)
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus, "round_status"), default=RoundStatus.OPEN
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"))
    # How the budget was spent, set on closing (JSON: see round_services.select).
    selection: Mapped[str] = mapped_column(sa.Text, default="")
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    mesa: Mapped[Mesa] = relationship()
    agreement: Mapped[Agreement | None] = relationship()
    items: Mapped[list[RoundItem]] = relationship(
        back_populates="round", order_by="RoundItem.position", cascade="all, delete-orphan"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def takes_ballots(self) -> bool:
        """Open, and voted in with ballots: ``takes_ballots()`` below says it in SQL."""
        return self.is_open and not self.by_tally and not self.imported

    @property
    def is_closed(self) -> bool:
        """Closed with a result (a cancelled round has none)."""
        return self.status == RoundStatus.CLOSED

    @property
    def is_cancelled(self) -> bool:
        return self.status == RoundStatus.CANCELLED


def takes_ballots() -> sa.ColumnElement[bool]:
    """In SQL: open, and voted in with ballots (not a room's tally, not imported): a round
    where a member may still have a vote to cast (``rounds.services.may_vote`` says who)."""
    return sa.and_(
        Round.status == RoundStatus.OPEN, Round.by_tally.is_(False), Round.imported.is_(False)
    )


class RoundItem(db.Model):
    """An initiative on the round's ballot; after closing, its score, rank and selection."""

    __tablename__ = "round_items"
    __table_args__ = (sa.UniqueConstraint("round_id", "initiative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id"))
    position: Mapped[int]
    # The room's count (by_tally rounds).
    tally: Mapped[int | None]
    # Set on closing. The score is exact: a fraction written "n/d" (matrix averages).
    score: Mapped[str | None] = mapped_column(sa.String(60))
    rank: Mapped[int | None]
    selected_greedy: Mapped[bool | None]
    selected_equal_shares: Mapped[bool | None]
    # The initiative as it was when the round closed: the result shows these, whatever is
    # edited later (the page says so and links to the change).
    title_at_close: Mapped[str | None] = mapped_column(sa.String(200))
    cost_at_close: Mapped[int | None] = mapped_column(sa.BigInteger)

    @property
    def shown_title(self) -> str:
        return self.title_at_close if self.title_at_close is not None else self.initiative.title

    @property
    def shown_cost(self) -> int | None:
        if self.title_at_close is not None:
            return self.cost_at_close
        return self.initiative.estimated_cost

    @property
    def changed_since_closing(self) -> bool:
        return self.title_at_close is not None and (
            self.initiative.title != self.title_at_close
            or self.initiative.estimated_cost != self.cost_at_close
        )

    round: Mapped[Round] = relationship(back_populates="items")
    initiative: Mapped[Initiative] = relationship()


class Criterion(db.Model):
    """A criterion of a matrix round (impact on the gap, beneficiaries…) with its weight."""

    __tablename__ = "round_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    weight: Mapped[int]
    position: Mapped[int]

    round: Mapped[Round] = relationship(back_populates="criteria")


class Ballot(db.Model):
    """One member's ballot; changed in place until the round closes. A ballot imported from
    a Pabulib file belongs to nobody here (``user_id`` empty)."""

    __tablename__ = "ballots"
    __table_args__ = (sa.UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    entries: Mapped[list[BallotEntry]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan"
    )


class BallotEntry(db.Model):
    """Points, an approval (1), a score, a rank position, or a criterion's score."""

    __tablename__ = "ballot_entries"
    __table_args__ = (sa.CheckConstraint("value >= 0", name="value_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("round_items.id"))
    criterion_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round_criteria.id"))
    value: Mapped[int]

    ballot: Mapped[Ballot] = relationship(back_populates="entries")
