"""Progress that rolls up: a commitment's progress feeds its initiative's, an initiative's
feeds its objective's, weighted by money where every part has an amount, and said in words.

The arithmetic is here and nowhere else:

- a commitment counts 100 % once the mesa validated it fulfilled, else the last percentage its
  institution reported (0 with no report; a commitment closed as partly or not fulfilled keeps
  what it reached); a cancelled one is left out;
- an initiative's progress is its commitments' combined; a completed initiative without
  commitments counts 100 %; withdrawn or discarded ones are left out of their objective;
- parts are weighted by their money (a commitment's amount, an initiative's money in the
  latest version of its portfolio line, else its estimated cost) when every part has some;
  when one lacks it, each part counts the same, and the sentence says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.commitments.models import Commitment, CommitmentStatus, commitment_initiatives
from portal.extensions import db
from portal.initiatives.models import Initiative, Status
from portal.portfolios.models import LineFunding, PortfolioLine, PortfolioVersion

LEFT_OUT_INITIATIVES = (Status.WITHDRAWN, Status.DISCARDED)


@dataclass(frozen=True)
class Part:
    """One thing whose progress counts: its percentage (None: nothing reported and nothing to
    count from), its money (None or 0: unknown), and whether it is left out (cancelled)."""

    percent: float | None
    money: int | None = None
    left_out: bool = False


@dataclass(frozen=True)
class Rollup:
    percent: int | None  # None: no part has progress to count
    counted: int  # the parts counted
    by_money: bool  # weighted by money (else each part the same)
    without_money: int  # counted parts without an amount
    left_out: int  # cancelled parts, not counted
    total: float | None = None  # the unrounded percentage, for the next level up

    def as_part(self, money: int | None, left_out: bool = False) -> Part:
        return Part(self.total, money, left_out)


def combine(parts: Iterable[Part]) -> Rollup:
    """The parts' progress together: weighted by money when every counted part has some,
    else a plain average. Parts without progress (None) are left out of the count."""
    parts = list(parts)
    left_out = sum(1 for p in parts if p.left_out)
    counted = [p for p in parts if not p.left_out and p.percent is not None]
    if not counted:
        return Rollup(None, 0, False, 0, left_out)
    without_money = sum(1 for p in counted if not p.money)
    if without_money == 0:
        money = sum(p.money or 0 for p in counted)
        total = sum((p.percent or 0) * (p.money or 0) for p in counted) / money
    else:
        total = sum(p.percent or 0 for p in counted) / len(counted)
    return Rollup(round(total), len(counted), without_money == 0, without_money, left_out, total)


def of_commitment(commitment: Commitment) -> Part:
    if commitment.status == CommitmentStatus.CANCELLED:
        return Part(None, commitment.amount, left_out=True)
    if commitment.status == CommitmentStatus.FULFILLED:
        return Part(100, commitment.amount)
    return Part(float(commitment.progress or 0), commitment.amount)


def of_initiative(initiative: Initiative, commitments: list[Commitment]) -> Rollup:
    rollup = combine(of_commitment(c) for c in commitments)
    if rollup.percent is None and initiative.status == Status.COMPLETED:
        return Rollup(100, 0, False, 0, rollup.left_out, 100.0)
    return rollup


def in_words(rollup: Rollup, kind: str = "commitments") -> str:
    """How the percentage was reached, in one or two sentences (of commitments, or of
    initiatives for an objective)."""
    commitments = kind == "commitments"
    if rollup.percent is None:
        text = _("No progress reported yet.")
    elif rollup.counted == 0:
        text = _("%(percent)d %%: completed.", percent=rollup.percent)
    elif rollup.counted == 1:
        text = (
            _("%(percent)d %%, from its only commitment counted.", percent=rollup.percent)
            if commitments
            else _("%(percent)d %%, from its only initiative counted.", percent=rollup.percent)
        )
    elif rollup.by_money:
        text = (
            _(
                "%(percent)d %%: the average of %(num)d commitments, each weighted by its money.",
                percent=rollup.percent,
                num=rollup.counted,
            )
            if commitments
            else _(
                "%(percent)d %%: the average of %(num)d initiatives, each weighted by its money.",
                percent=rollup.percent,
                num=rollup.counted,
            )
        )
    else:
        values = {"percent": rollup.percent, "num": rollup.counted, "missing": rollup.without_money}
        text = (
            _(
                "%(percent)d %%: the plain average of %(num)d commitments (%(missing)d without an"
                " amount, so each counts the same).",
                **values,
            )
            if commitments
            else _(
                "%(percent)d %%: the plain average of %(num)d initiatives (%(missing)d without an"
                " amount, so each counts the same).",
                **values,
            )
        )
    if rollup.left_out:
        text += " " + left_out_words(rollup.left_out, kind)
    return text


def left_out_words(n: int, kind: str) -> str:
    if kind == "commitments":
        return ngettext(
            "%(num)d cancelled commitment does not count.",
            "%(num)d cancelled commitments do not count.",
            n,
        )
    return ngettext(
        "%(num)d withdrawn or discarded initiative does not count.",
        "%(num)d withdrawn or discarded initiatives do not count.",
        n,
    )


@dataclass
class Served:
    """An initiative that serves an objective, its progress and the money it weighs with."""

    initiative: Initiative
    rollup: Rollup
    commitments: int
    money: int | None


@dataclass
class ObjectiveProgress:
    rollup: Rollup
    initiatives: list[Served]


def portfolio_money(initiative_ids: list[int]) -> dict[int, int]:
    """Each initiative's money in the latest version of the portfolio that holds it: one
    query."""
    if not initiative_ids:
        return {}
    latest = (
        sa.select(PortfolioVersion.portfolio_id, sa.func.max(PortfolioVersion.number).label("n"))
        .group_by(PortfolioVersion.portfolio_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(PortfolioLine.initiative_id, sa.func.sum(LineFunding.amount))
        .join(LineFunding, LineFunding.line_id == PortfolioLine.id)
        .join(PortfolioVersion, PortfolioVersion.id == PortfolioLine.version_id)
        .join(
            latest,
            sa.and_(
                latest.c.portfolio_id == PortfolioVersion.portfolio_id,
                latest.c.n == PortfolioVersion.number,
            ),
        )
        .where(PortfolioLine.initiative_id.in_(initiative_ids))
        .group_by(PortfolioLine.initiative_id)
    ).all()
    return {initiative_id: int(total or 0) for initiative_id, total in rows}


def commitments_of(initiative_ids: list[int]) -> dict[int, list[Commitment]]:
    """The public commitments of each initiative: one query."""
    found: dict[int, list[Commitment]] = {i: [] for i in initiative_ids}
    if not initiative_ids:
        return found
    rows = db.session.execute(
        sa.select(commitment_initiatives.c.initiative_id, Commitment)
        .join(Commitment, Commitment.id == commitment_initiatives.c.commitment_id)
        .where(commitment_initiatives.c.initiative_id.in_(initiative_ids), Commitment.is_public)
        .options(sa.orm.joinedload(Commitment.organization))
        .order_by(Commitment.due_on, Commitment.id)
    ).all()
    for initiative_id, commitment in rows:
        found[initiative_id].append(commitment)
    return found


def of_objectives(objective_ids: Iterable[int]) -> dict[int, ObjectiveProgress]:
    """The progress of each objective, from the public initiatives that serve it and their
    commitments: three queries however many there are."""
    ids = list(objective_ids)
    initiatives = (
        list(
            db.session.scalars(
                sa.select(Initiative)
                .where(Initiative.objective_id.in_(ids), Initiative.status != Status.DRAFT)
                .order_by(Initiative.title, Initiative.id)
            )
        )
        if ids
        else []
    )
    initiative_ids = [i.id for i in initiatives]
    commitments = commitments_of(initiative_ids)
    money = portfolio_money(initiative_ids)
    served: dict[int, list[Served]] = {i: [] for i in ids}
    for initiative in initiatives:
        own = commitments[initiative.id]
        served[initiative.objective_id].append(  # type: ignore[index]
            Served(
                initiative,
                of_initiative(initiative, own),
                len(own),
                money.get(initiative.id) or initiative.estimated_cost,
            )
        )
    return {
        objective_id: ObjectiveProgress(
            combine(
                s.rollup.as_part(s.money, s.initiative.status in LEFT_OUT_INITIATIVES)
                for s in parts
            ),
            parts,
        )
        for objective_id, parts in served.items()
    }
