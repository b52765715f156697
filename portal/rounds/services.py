"""The rules of prioritization rounds: opening one, casting a ballot valid for its method,
entering the room's tallies, and closing it with a ranking and a stated tie-break rule that is
recorded as an agreement of a session. No request here; the caller commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import permissions
from portal.accounts.models import User
from portal.core import clock
from portal.core.formatting import clp, rounded
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.initiatives import services as initiative_services
from portal.initiatives.models import Initiative, Status
from portal.meetings import records
from portal.meetings.models import Agreement, DecisionMode, Meeting
from portal.mesas.models import Mesa, MesaKind
from portal.mesas.services import Refused
from portal.notifications import events
from portal.rounds import pabulib, selection
from portal.rounds.models import (
    SCORE_MAX,
    Ballot,
    BallotEntry,
    Criterion,
    Method,
    Round,
    RoundItem,
    RoundStatus,
)

# (item id, criterion id or None) -> value
Values = dict[tuple[int, int | None], int]


@dataclass
class Setup:
    title: str
    method: Method
    initiatives: list[Initiative]
    points: int | None = None
    max_choices: int | None = None
    criteria: tuple[tuple[str, int], ...] = ()
    secret: bool = True
    by_tally: bool = False
    budget: int | None = None


def eligible(mesa: Mesa) -> list[Initiative]:
    """What a mesa can weigh: a mesa temática its own proposals under deliberation; the mesa
    territorial what the temáticas prioritized and presented to it."""
    query = sa.select(Initiative).order_by(Initiative.created_at, Initiative.id)
    if mesa.kind == MesaKind.TERRITORIAL:
        query = query.where(
            Initiative.territory_id == mesa.territory_id,
            Initiative.status.in_((Status.PRIORITIZED, Status.PRESENTED)),
        )
    else:
        query = query.where(
            Initiative.mesa_id == mesa.id,
            Initiative.status.in_((Status.PROPOSED, Status.IN_DELIBERATION)),
        )
    return list(db.session.scalars(query))


def open_round(mesa: Mesa, setup: Setup, by: User) -> Round:
    allowed = {i.id for i in eligible(mesa)}
    if len(setup.initiatives) < 2:
        raise Refused(_l("A round weighs at least two initiatives."), INVALID)
    if any(i.id not in allowed for i in setup.initiatives):
        raise Refused(_l("Choose initiatives from the list."), INVALID)
    n = len(setup.initiatives)
    if setup.method == Method.DOTS and not setup.points:
        raise Refused(_l("Say how many points each member spreads."), INVALID)
    if setup.method == Method.APPROVAL and not (setup.max_choices and setup.max_choices <= n):
        raise Refused(
            _l("Say how many initiatives each member may choose: from 1 to %(n)d.", n=n), INVALID
        )
    if setup.method == Method.MATRIX and not setup.criteria:
        raise Refused(
            _l("A criteria matrix needs at least one criterion with its weight."), INVALID
        )
    if setup.by_tally and setup.method == Method.MATRIX:
        raise Refused(
            _l("Room tallies are counts per initiative; a matrix needs ballots."), INVALID
        )
    found = Round(
        mesa=mesa,
        title=setup.title,
        method=setup.method,
        points=setup.points if setup.method == Method.DOTS else None,
        max_choices=setup.max_choices if setup.method == Method.APPROVAL else None,
        secret=setup.secret,
        by_tally=setup.by_tally,
        budget=setup.budget,
        created_by_id=by.id,
    )
    found.items = [
        RoundItem(initiative_id=i.id, position=p) for p, i in enumerate(setup.initiatives, 1)
    ]
    if setup.method == Method.MATRIX:
        found.criteria = [
            Criterion(name=name, weight=weight, position=p)
            for p, (name, weight) in enumerate(setup.criteria, 1)
        ]
    db.session.add(found)
    db.session.flush()
    events.round_opened(found, by)
    return found


# Ballots ---------------------------------------------------------------------------------------


def check(found: Round, values: Values) -> Values:
    """The ballot without zeros, or ``Refused`` saying which rule it breaks."""
    items = {i.id for i in found.items}
    criteria = {c.id for c in found.criteria}
    if any(item not in items for item, _c in values):
        raise Refused(_l("The ballot names an initiative that is not in this round."), INVALID)
    if any(v < 0 for v in values.values()):
        raise Refused(_l("Numbers on a ballot cannot be negative."), INVALID)
    kept = {k: v for k, v in values.items() if v}
    method = found.method
    if method == Method.DOTS:
        spent = sum(kept.values())
        if spent > (found.points or 0):
            raise Refused(
                _l(
                    "You gave %(spent)d points, but each member has %(points)d. "
                    "Take some away and send it again.",
                    spent=spent,
                    points=found.points,
                ),
                INVALID,
            )
    elif method == Method.APPROVAL:
        if any(v != 1 for v in kept.values()):
            raise Refused(_l("Mark each initiative you choose, nothing else."), INVALID)
        if len(kept) > (found.max_choices or 0):
            raise Refused(
                _l(
                    "You chose %(n)d initiatives; this round allows at most %(k)d.",
                    n=len(kept),
                    k=found.max_choices,
                ),
                INVALID,
            )
    elif method in (Method.SCORE, Method.MATRIX):
        if any(v > SCORE_MAX for v in kept.values()):
            raise Refused(_l("Scores go from 0 to %(max)d.", max=SCORE_MAX), INVALID)
        if method == Method.MATRIX and any(c not in criteria for _i, c in kept):
            raise Refused(_l("The ballot names a criterion that is not in this round."), INVALID)
    elif method == Method.RANKED:
        positions = sorted(kept.values())
        if positions != list(range(1, len(positions) + 1)):
            raise Refused(
                _l(
                    "Number your choices 1, 2, 3… without repeating or skipping a number "
                    "(leave empty what you do not rank)."
                ),
                INVALID,
            )
    if not kept:
        raise Refused(_l("The ballot is empty."), INVALID)
    return kept


def may_vote(found: Round, user: User) -> bool:

    return found.takes_ballots and permissions.can(user, "mesa.take_part", found.mesa)


def ballot_of(found: Round, user: User) -> Ballot | None:
    return db.session.scalar(
        sa.select(Ballot)
        .where(Ballot.round_id == found.id, Ballot.user_id == user.id)
        .options(sa.orm.selectinload(Ballot.entries))
    )


def cast(found: Round, user: User, values: Values) -> Ballot:
    """Stores the member's ballot, replacing the earlier one. A ballot breaking the method's
    rules is refused and the earlier one stays as it was."""
    _still_open(found)
    if found.by_tally or found.imported:
        raise Refused(_l("This round takes the room's counts or an imported file, not ballots."))
    kept = check(found, values)
    ballot = ballot_of(found, user)
    if ballot is None:
        ballot = Ballot(round_id=found.id, user_id=user.id)
        db.session.add(ballot)
    ballot.entries = [
        BallotEntry(item_id=item, criterion_id=criterion, value=value)
        for (item, criterion), value in sorted(
            kept.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)
        )
    ]
    ballot.updated_at = clock.now()
    db.session.flush()
    return ballot


def ballots_cast(found: Round) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Ballot).where(Ballot.round_id == found.id)
        )
        or 0
    )


def enter_tallies(found: Round, counts: dict[int, int]) -> None:
    _still_open(found)
    if not found.by_tally:
        raise Refused(_l("This round takes no room tallies."))
    if any(v < 0 for v in counts.values()):
        raise Refused(_l("Numbers on a ballot cannot be negative."), INVALID)
    for item in found.items:
        item.tally = counts.get(item.id, 0)


# Closing ---------------------------------------------------------------------------------------


def _ballots(found: Round) -> list[list[BallotEntry]]:
    rows = db.session.scalars(
        sa.select(BallotEntry)
        .join(Ballot, Ballot.id == BallotEntry.ballot_id)
        .where(Ballot.round_id == found.id)
        .order_by(BallotEntry.ballot_id)
    )
    grouped: dict[int, list[BallotEntry]] = {}
    for entry in rows:
        grouped.setdefault(entry.ballot_id, []).append(entry)
    return list(grouped.values())


def scores(found: Round) -> tuple[dict[int, Fraction], dict[int, int]]:
    """{item id: score} and {item id: how many ballots gave it something}."""
    total = {item.id: Fraction(0) for item in found.items}
    reach = {item.id: 0 for item in found.items}
    if found.by_tally:
        for item in found.items:
            total[item.id] = Fraction(item.tally or 0)
            reach[item.id] = item.tally or 0
        return total, reach
    weights = {c.id: c.weight for c in found.criteria}
    weight_sum = sum(weights.values()) or 1
    m = len(found.items)
    for entries in _ballots(found):
        touched = set()
        for e in entries:
            touched.add(e.item_id)
            if found.method == Method.RANKED:
                total[e.item_id] += m - e.value  # Borda: first of m gets m-1 points
            elif found.method == Method.MATRIX:
                total[e.item_id] += Fraction(weights.get(e.criterion_id, 0) * e.value, weight_sum)
            else:
                total[e.item_id] += e.value
        for item_id in touched:
            reach[item_id] += 1
    return total, reach


def ranking(found: Round) -> list[tuple[RoundItem, Fraction, int]]:
    """Best first. Ties: the one more members gave something to; then the cheaper (an
    initiative without a cost goes after those with one); then the one proposed earlier."""
    total, reach = scores(found)

    def key(item: RoundItem):  # type: ignore[no-untyped-def]
        cost = item.initiative.estimated_cost
        return (-total[item.id], -reach[item.id], cost is None, cost or 0, item.initiative_id)

    ordered = sorted(found.items, key=key)
    return [(item, total[item.id], reach[item.id]) for item in ordered]


def _step(s: selection.Selection) -> dict:
    """One Equal Shares step in whole pesos that add up to its cost exactly: what the partial
    payers paid, rounded, and the rest paid by the full payers."""
    partial_paid = rounded(s.partial_paid)
    price = s.price_per_point or Fraction(0)
    return {
        "item": int(s.project_id),
        "phase": s.phase,
        "cost": s.cost,
        "price": rounded(price),
        "price_exact": price.denominator == 1,
        "full": s.full_payers,
        "full_paid": s.cost - partial_paid if s.full_payers else 0,
        "partial": s.partial_payers,
        "partial_paid": partial_paid if s.full_payers else s.cost,
        "nothing_left": s.nothing_left,
        "by_points": s.by_points,
    }


def select(found: Round, ordered: list[tuple[RoundItem, Fraction, int]]) -> dict:
    """With a budget: what fits, by greedy on the scores and, for approval and dot voting with
    ballots, by the Method of Equal Shares.

    Initiatives without a cost (none estimated, or zero) keep their place in the ranking and
    are left out of the budget, said on the result by name; what members gave them does not
    count in the budget's shares. The result also says which tie rule decided, and whether the
    raise of the shares stopped at its cap (``selection.DEFAULT_MAX_ADD1_ROUNDS``)."""
    costed = [(item, score) for item, score, _reach in ordered if item.initiative.estimated_cost]
    costed_ids = {str(item.id) for item, _ in costed}
    projects = [
        selection.Project(str(item.id), item.initiative.estimated_cost) for item, _ in costed
    ]
    record: dict = {
        "budget": found.budget,
        "without_cost": [item.id for item, _s, _r in ordered if str(item.id) not in costed_ids],
    }
    if not projects or not found.budget:
        return record
    greedy = selection.greedy(projects, found.budget, {str(i.id): s for i, s in costed})
    record["greedy"] = {
        "selected": [int(x) for x in greedy.selected],
        "total": greedy.total_cost,
        "skipped": [int(x.project_id) for x in greedy.skipped],
        "tie_rule": greedy.tie_rule,
    }
    if not found.by_tally and found.method in (Method.APPROVAL, Method.DOTS):
        ballots: list = []
        for entries in _ballots(found):
            kept = [e for e in entries if str(e.item_id) in costed_ids]
            if found.method == Method.APPROVAL:
                ballots.append(frozenset(str(e.item_id) for e in kept))
            else:
                ballots.append({str(e.item_id): e.value for e in kept})
        mes = selection.equal_shares(projects, found.budget, ballots)
        record["equal_shares"] = {
            "selected": [int(x) for x in mes.selected],
            "total": mes.total_cost,
            "voters": mes.voters,
            "initial_share": rounded(mes.initial_share or 0),
            "final_share": rounded(mes.final_share or 0),
            "raises": mes.add1_rounds,
            "capped": mes.add1_capped,
            "tie_rule": mes.tie_rule,
            "by_points": found.method == Method.DOTS,
            "steps": [_step(s) for s in mes.selections],
        }
    return record


def close(found: Round, meeting: Meeting, by: User, prioritize: int = 0) -> Agreement:
    """Ranks the initiatives, proposes what fits the budget, and records the result as an
    agreement of ``meeting`` (a started session of the same mesa). At a mesa temática the
    first ``prioritize`` initiatives become prioritized by the mesa, ready for the mesa
    territorial; their timeline names the round."""
    _still_open(found)
    if meeting.mesa_id != found.mesa_id:
        raise Refused(_l("Choose a session of this mesa."), INVALID)
    if not found.by_tally and ballots_cast(found) == 0:
        raise Refused(_l("Nobody has voted yet; a round without ballots cannot be closed."))
    ordered = ranking(found)
    for rank, (item, score, _reach) in enumerate(ordered, 1):
        item.rank = rank
        item.score = str(score)
        item.title_at_close = item.initiative.title
        item.cost_at_close = item.initiative.estimated_cost
    chosen = select(found, ordered) if found.budget else {}
    found.selection = json.dumps(chosen) if chosen else ""
    greedy_set = set(chosen.get("greedy", {}).get("selected", []))
    mes_set = set(chosen.get("equal_shares", {}).get("selected", []))
    for item, _score, _reach in ordered:
        if "greedy" in chosen:
            item.selected_greedy = item.id in greedy_set
        if "equal_shares" in chosen:
            item.selected_equal_shares = item.id in mes_set
    lines = [
        _(
            "%(rank)d. %(title)s (%(score)s)",
            rank=rank,
            title=item.initiative.title,
            score=score_text(score),
        )
        for rank, (item, score, _r) in enumerate(ordered, 1)
    ]
    statement = (
        _("The round “%(title)s” is closed. Order of priority:", title=found.title)
        + "\n\n"
        + "\n".join(lines)
    )
    if found.budget:
        statement += "\n\n" + _("Budget available: %(budget)s.", budget=clp(found.budget))
        titles = {item.id: item.initiative.title for item, _s, _r in ordered}
        rule, key = (
            (_("By the Method of Equal Shares"), "equal_shares")
            if "equal_shares" in chosen
            else (_("By score, skipping what does not fit"), "greedy")
        )
        if key in chosen:
            picked = ", ".join(titles[i] for i in chosen[key]["selected"])
            statement += " " + _(
                "%(rule)s, these fit: %(list)s (%(total)s).",
                rule=rule,
                list=picked or "-",
                total=clp(chosen[key]["total"]),
            )
    agreement = records.record(
        meeting,
        records.Decision(
            statement=statement,
            mode=DecisionMode.ROUND,
            votes_for=None,
            votes_against=None,
            votes_abstaining=None,
            dissent="",
            review_on=None,
            initiatives=[item.initiative for item, _s, _r in ordered],
        ),
        by,
        announce=False,  # the round's own notice says it, with its result
    )
    found.status = RoundStatus.CLOSED
    found.closed_at = clock.now()
    found.closed_by_id = by.id
    found.agreement_id = agreement.id
    if prioritize and found.mesa.kind == MesaKind.THEMATIC:
        for rank, (item, _score, _reach) in enumerate(ordered[:prioritize], 1):
            initiative = item.initiative
            why = _("Place %(rank)d in the round “%(title)s”.", rank=rank, title=found.title)
            while initiative.status in (Status.PROPOSED, Status.IN_DELIBERATION):
                following = initiative_services.next_status(initiative)
                assert following is not None
                initiative_services.change_status(initiative, following, why, by)
    if found.budget and chosen:
        key = "equal_shares" if "equal_shares" in chosen else "greedy"
        titles = {item.id: item.initiative.title for item, _s, _r in ordered}
        result = [titles[i] for i in chosen[key]["selected"]]
    else:
        result = [item.initiative.title for item, _s, _r in ordered]
    events.round_closed(found, result, by)
    return agreement


def _still_open(found: Round) -> None:
    if found.is_cancelled:
        raise Refused(_l("This round was cancelled."))
    if not found.is_open:
        raise Refused(_l("This round is already closed."))


def cancel(found: Round, reason: str, by: User) -> None:
    """Ends an open round without a result, with a reason everyone reads. Its ballots stay
    stored; nothing is deleted."""
    _still_open(found)
    if not reason.strip():
        raise Refused(_l("Say why the round is cancelled."), INVALID)
    found.status = RoundStatus.CANCELLED
    found.cancel_reason = reason.strip()
    found.cancelled_at = clock.now()
    found.cancelled_by_id = by.id


def stored_selection(found: Round) -> dict:
    """What ``select`` stored at closing (rounds closed before the initiatives left out were
    named kept only their number; they show none by name)."""
    chosen = json.loads(found.selection) if found.selection else {}
    if not isinstance(chosen.get("without_cost", []), list):
        chosen["without_cost"] = []
    return chosen


def closed_ranking(found: Round) -> list[tuple[RoundItem, Fraction, None]]:
    """A closed round's result as stored at closing (rank and exact score), best first."""
    ordered = sorted(found.items, key=lambda item: (item.rank or 0, item.id))
    return [(item, Fraction(item.score or "0"), None) for item in ordered]


def score_text(score: Fraction) -> str:
    if score.denominator == 1:
        return str(score.numerator)
    return f"{float(score):.2f}".replace(".", ",")


def exportable(found: Round) -> bool:
    return found.is_closed and not found.by_tally and found.method != Method.MATRIX


def to_pabulib(found: Round) -> str | None:
    """The closed round as a Pabulib ``.pb`` file, so that anyone can recount it with other
    tools: projects are the initiatives with a cost (id = the initiative's number), voters
    are numbered in an order that says nothing about who voted when. ``None`` for rounds the
    format cannot hold (criteria matrices, room tallies)."""
    if not exportable(found):
        return None
    costed = {item.id: item for item in found.items if item.initiative.estimated_cost is not None}
    projects = [
        pabulib.PbProject(
            str(item.initiative_id), item.initiative.estimated_cost, item.initiative.title
        )
        for item in sorted(costed.values(), key=lambda i: i.initiative_id)
    ]
    ballots = []
    for entries in _ballots(found):
        kept = sorted(
            (e for e in entries if e.item_id in costed),
            key=lambda e: (
                (e.value, costed[e.item_id].initiative_id)
                if found.method == Method.RANKED
                else costed[e.item_id].initiative_id
            ),
        )
        ids = [str(costed[e.item_id].initiative_id) for e in kept]
        points = (
            None if found.method in (Method.APPROVAL, Method.RANKED) else [e.value for e in kept]
        )
        ballots.append((ids, points))
    ballots.sort()
    vote_type = {
        Method.APPROVAL: "approval",
        Method.DOTS: "cumulative",
        Method.SCORE: "scoring",
        Method.RANKED: "ordinal",
    }[found.method]
    meta = {
        "description": f"{found.mesa.name}: {found.title}",
        "country": "Chile",
        "unit": found.mesa.name,
        "instance": str(found.id),
        "num_projects": str(len(projects)),
        "num_votes": str(len(ballots)),
        "budget": str(found.budget or sum(p.cost for p in projects)),
        "vote_type": vote_type,
        "rule": "equal-shares" if found.method in (Method.APPROVAL, Method.DOTS) else "greedy",
        "date_begin": found.created_at.date().isoformat(),
        "date_end": (found.closed_at or found.created_at).date().isoformat(),
        "currency": "CLP",
    }
    if found.method == Method.DOTS:
        meta["max_sum_points"] = str(found.points)
    if found.method == Method.APPROVAL:
        meta["max_length"] = str(found.max_choices)
    has_points = vote_type in ("cumulative", "scoring")
    document = pabulib.Round(
        meta=meta,
        projects=projects,
        ballots=[
            pabulib.PbBallot(str(n), ids, points) for n, (ids, points) in enumerate(ballots, 1)
        ],
        vote_columns=["voter_id", "vote", "points"] if has_points else ["voter_id", "vote"],
    )
    return pabulib.write(document)


def open_ballots(found: Round) -> list[tuple[str, dict[int, int]]]:
    """For a round whose ballots are not secret: each voter's name and what they gave each
    item (a matrix ballot's criteria added up), by name."""
    rows = db.session.execute(
        sa.select(User.name, BallotEntry.item_id, sa.func.sum(BallotEntry.value))
        .join(Ballot, Ballot.id == BallotEntry.ballot_id)
        .join(User, User.id == Ballot.user_id)
        .where(Ballot.round_id == found.id)
        .group_by(User.name, Ballot.id, BallotEntry.item_id)
        .order_by(User.name, Ballot.id)
    ).all()
    voters: dict[str, dict[int, int]] = {}
    for name, item_id, value in rows:
        voters.setdefault(name, {})[item_id] = int(value)
    return list(voters.items())


PABULIB_METHODS = {
    "approval": Method.APPROVAL,
    "choose-1": Method.APPROVAL,
    "cumulative": Method.DOTS,
    "scoring": Method.SCORE,
    "ordinal": Method.RANKED,
}


def import_pabulib(mesa: Mesa, title: str, text: str, by: User) -> Round:
    """A round whose ballots come from a Pabulib file: a vote held elsewhere (on paper, in
    another tool) over initiatives of this mesa, whose numbers are the file's project ids.
    The round stays open for the secretary to close in a session, as any other."""
    try:
        document = pabulib.read(text)
    except pabulib.PabulibError as problem:
        if problem.line is not None:
            raise Refused(
                _l(
                    "The file is not in the Pabulib format (line %(line)d). Check it against "
                    "the description of the format.",
                    line=problem.line,
                ),
                INVALID,
            ) from None
        raise Refused(_l("The file is not in the Pabulib format."), INVALID) from None
    method = PABULIB_METHODS[document.vote_type]
    allowed = {str(i.id): i for i in eligible(mesa)}
    unknown = [p.id for p in document.projects if p.id not in allowed]
    if unknown:
        raise Refused(
            _l(
                "These projects of the file are not initiatives this mesa can weigh now: "
                "%(ids)s. A project's id must be the initiative's number.",
                ids=", ".join(unknown[:10]),
            ),
            INVALID,
        )
    if not document.ballots:
        raise Refused(_l("The file has no votes."), INVALID)
    longest = max(len(b.vote) for b in document.ballots)
    most = max(sum(b.points or []) for b in document.ballots)
    if method == Method.SCORE and any(
        p > SCORE_MAX for b in document.ballots for p in b.points or []
    ):
        raise Refused(_l("Scores go from 0 to %(max)d.", max=SCORE_MAX), INVALID)
    found = open_round(
        mesa,
        Setup(
            title=title,
            method=method,
            initiatives=[allowed[p.id] for p in document.projects],
            points=int(document.meta.get("max_sum_points") or most or 1),
            max_choices=int(document.meta.get("max_length") or longest or 1),
            budget=document.budget or None,
        ),
        by,
    )
    found.imported = True
    items = {str(item.initiative_id): item.id for item in found.items}
    for ballot in document.ballots:
        if method == Method.RANKED:
            values = {(items[p], None): place for place, p in enumerate(ballot.vote, 1)}
        elif ballot.points is not None:
            values = {(items[p], None): v for p, v in zip(ballot.vote, ballot.points, strict=True)}
        else:
            values = {(items[p], None): 1 for p in ballot.vote}
        kept = check(found, values)
        db.session.add(
            Ballot(
                round_id=found.id,
                entries=[
                    BallotEntry(item_id=i, criterion_id=c, value=v) for (i, c), v in kept.items()
                ],
            )
        )
    db.session.flush()
    return found
