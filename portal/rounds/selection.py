"""Budget-constrained selection: which initiatives of a prioritization round fit the budget.

Pure algorithms, standard library only: no Flask, no database. Two rules:

``greedy``
    Take the initiatives by decreasing score and keep each one that still fits in what is left
    of the budget; skip the ones that do not fit and go on with the next.

``equal_shares``
    The Method of Equal Shares (Peters, Pierczyński and Skowron) with cost satisfaction,
    completed as is done in practice: first the "add1" completion (raise every voter's share
    a little and run the method again, while the result stays within the budget and money is
    left that could fund something), then greedy completion by score for what remains.
    Under this rule a group of voters can only spend its own share of the budget, so the
    largest group cannot take the whole budget.

Both rules were written to give exactly the outcome of the reference implementation
``pabutools`` (version 1.2): ``greedy`` is ``greedy_utilitarian_welfare`` and ``equal_shares``
is ``completion_by_rule_combination`` of ``method_of_equal_shares`` (with
``voter_budget_increment``) and ``greedy_utilitarian_welfare``; both with ``Cost_Sat`` for
approval ballots, and for cumulative ballots the satisfaction "points times cost" (the cost
satisfaction weighted by the points; pabutools has no ready-made class for it, the test suite
defines it), and with the tie-breaking below (passed to pabutools, whose default is the plain
text order of the ids); for ``equal_shares``, with the same raise of the shares and as long as
the cap on add1 rounds is not reached (see there). ``tests/test_selection.py`` checks this on
generated instances and on ``.pb`` files.

Ballots
    An approval ballot is a ``frozenset`` of project ids (the initiatives the voter supports);
    a cumulative ballot is a mapping of project id to points (positive integers; zero points
    are ignored). Both kinds may be mixed: an approval is one point. Voters are identified by
    their position in the list of ballots ("voter index").

Ties
    Greedy (and the greedy completion of Equal Shares): higher score first; among equal
    scores, the cheaper initiative first; then by identifier in natural order ("2" before
    "10"). Equal Shares: lower price per unit of satisfaction first, then the same cost and
    identifier order. See ``TIE_RULES``.

Money is exact: costs and the budget are integers (pesos), shares and payments are
``fractions.Fraction``.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

__all__ = [
    "DEFAULT_MAX_ADD1_ROUNDS",
    "PHASE_ADD1",
    "PHASE_GREEDY",
    "PHASE_MES",
    "TIE_RULES",
    "Ballot",
    "Outcome",
    "Project",
    "Selection",
    "Skip",
    "equal_shares",
    "explain",
    "greedy",
    "natural_key",
    "scores_from_ballots",
]

Ballot = frozenset[str] | Mapping[str, int]
"""An approval ballot (set of project ids) or a cumulative ballot (project id -> points)."""

Score = Fraction | int | float

PHASE_GREEDY = "greedy"
"""Selected by greedy (the rule itself, or the greedy completion of Equal Shares)."""
PHASE_MES = "mes"
"""Selected by the Method of Equal Shares with the voters' equal shares of the real budget."""
PHASE_ADD1 = "add1"
"""Selected by the Method of Equal Shares only once the add1 completion raised the shares."""

TIE_RULE_GREEDY = "score-then-cost-then-id"
TIE_RULE_MES = "rho-then-cost-then-id"
TIE_RULES: dict[str, str] = {
    TIE_RULE_GREEDY: (
        "Initiatives are taken by decreasing score; among equal scores the cheaper one comes "
        "first, and among equal costs the one with the smaller identifier."
    ),
    TIE_RULE_MES: (
        "Initiatives are taken by increasing price per unit of satisfaction; among equal "
        "prices the cheaper one comes first, and among equal costs the one with the smaller "
        "identifier. The greedy completion takes them by decreasing score, with the same "
        "order among ties."
    ),
}
"""Tie-breaking codes (``Outcome.tie_rule``) and the English sentence each one stands for."""

DEFAULT_MAX_ADD1_ROUNDS = 100
"""How many times, at most, add1 raises the voters' shares (see ``equal_shares``)."""


@dataclass(frozen=True, slots=True)
class Project:
    """An initiative that can be funded: an identifier, its cost in whole pesos, a name."""

    id: str
    cost: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class Selection:
    """One initiative taken by a rule, with what is needed to explain why.

    ``running_total`` is the total cost of what was selected so far, this one included. For
    greedy (``phase == "greedy"``), ``score`` is the score it was ranked by and
    ``remaining_before`` what was left of the budget when it was taken.

    For Equal Shares (``phase`` ``"mes"`` or ``"add1"``) the cost was paid by the voters who
    support it, out of their shares: ``payments`` maps each paying voter's index to what they
    paid. ``rho`` is the price per unit of satisfaction (satisfaction = points x cost, so an
    approval is worth the cost of the initiative); ``price_per_point`` is ``rho * cost``: what
    a supporter with one point (one approval) was asked to pay. ``full_payers`` paid that
    price for each of their points; ``partial_payers`` paid less, everything they had left,
    ``partial_paid`` altogether; ``nothing_left`` supporters had no money left and paid
    nothing (they are not in ``payments``). ``by_points`` is true when some supporter gave
    more than one point (cumulative ballots): each full payer then paid ``price_per_point``
    per point.
    """

    project_id: str
    cost: int
    phase: str
    running_total: int
    remaining_before: int
    score: Score | None = None
    rho: Fraction | None = None
    price_per_point: Fraction | None = None
    payments: Mapping[int, Fraction] = field(default_factory=dict)
    full_payers: int = 0
    partial_payers: int = 0
    partial_paid: Fraction = Fraction(0)
    nothing_left: int = 0
    by_points: bool = False


@dataclass(frozen=True, slots=True)
class Skip:
    """An initiative a greedy pass looked at and left out: ``reason`` is ``"did-not-fit"``
    (its ``cost`` was more than the ``remaining`` budget) or ``"no-support"`` (score zero,
    when unsupported initiatives are excluded)."""

    project_id: str
    cost: int
    remaining: int
    score: Score
    reason: str
    phase: str = PHASE_GREEDY


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a rule.

    ``selected`` lists the project ids in the order they were selected; ``selections`` gives
    the details of each, in the same order; ``skipped`` the initiatives a greedy pass left out,
    in the order they were considered. ``tie_rule`` is a key of ``TIE_RULES``.

    Equal Shares only: ``voters`` is the number of ballots; ``initial_share`` the budget
    divided equally among them; ``final_share`` the share of the run that was kept, after the
    add1 completion raised it ``add1_rounds`` times by ``increment``; ``add1_capped`` tells
    whether add1 stopped because of the cap rather than by itself.
    """

    rule: str
    budget: int
    selected: tuple[str, ...]
    total_cost: int
    leftover: int
    tie_rule: str
    selections: tuple[Selection, ...]
    skipped: tuple[Skip, ...] = ()
    voters: int = 0
    initial_share: Fraction | None = None
    final_share: Fraction | None = None
    increment: Fraction | None = None
    add1_rounds: int = 0
    add1_capped: bool = False

    def selection(self, project_id: str) -> Selection:
        """The details of one selected project."""
        for item in self.selections:
            if item.project_id == project_id:
                return item
        raise KeyError(project_id)


# --- helpers -------------------------------------------------------------------------------


def natural_key(text: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """Sort key for identifiers in natural order: "2" before "10", "a2" before "a10"; the
    plain text breaks the remaining ties ("01" and "1"), so the order is total."""
    parts = tuple(
        (0, int(chunk)) if chunk[0] in "0123456789" else (1, chunk)
        for chunk in re.findall(r"[0-9]+|[^0-9]+", text)
    )
    return parts, text


def _tie_key(project: Project) -> tuple[int, tuple[tuple[tuple[int, int | str], ...], str]]:
    return project.cost, natural_key(project.id)


def _check_projects(projects: Sequence[Project], budget: int) -> dict[str, Project]:
    if budget < 0:
        raise ValueError(f"the budget must not be negative, got {budget}")
    by_id: dict[str, Project] = {}
    for project in projects:
        if project.id in by_id:
            raise ValueError(f"project {project.id!r} appears twice")
        if project.cost < 0:
            raise ValueError(f"project {project.id!r} has a negative cost")
        by_id[project.id] = project
    return by_id


def _weights(ballot: Ballot, known: Mapping[str, Project], index: int) -> dict[str, int]:
    """Points of one ballot, an approval counting as one point; zero points dropped."""
    if isinstance(ballot, Mapping):
        items: Iterable[tuple[str, int]] = ballot.items()
    else:
        items = ((project_id, 1) for project_id in ballot)
    weights: dict[str, int] = {}
    for project_id, points in items:
        if project_id not in known:
            raise ValueError(f"ballot {index} names an unknown project {project_id!r}")
        if isinstance(points, bool) or not isinstance(points, int):
            raise ValueError(f"ballot {index} gives {points!r} points: points must be integers")
        if points < 0:
            raise ValueError(f"ballot {index} gives negative points to {project_id!r}")
        if points:
            weights[project_id] = points
    return weights


def scores_from_ballots(projects: Sequence[Project], ballots: Sequence[Ballot]) -> dict[str, int]:
    """Score of every project: its number of approvals, or its total points."""
    by_id = _check_projects(projects, 0)
    scores = dict.fromkeys(by_id, 0)
    for index, ballot in enumerate(ballots):
        for project_id, points in _weights(ballot, by_id, index).items():
            scores[project_id] += points
    return scores


def _greedy_pass(
    candidates: Sequence[Project],
    remaining: int,
    running_total: int,
    scores: Mapping[str, Score],
    skip_unsupported: bool,
) -> tuple[list[Selection], list[Skip]]:
    order = sorted(candidates, key=lambda p: (-scores.get(p.id, 0), _tie_key(p)))
    selections: list[Selection] = []
    skipped: list[Skip] = []
    for project in order:
        score = scores.get(project.id, 0)
        if skip_unsupported and score <= 0:
            skipped.append(Skip(project.id, project.cost, remaining, score, "no-support"))
        elif project.cost <= remaining:
            running_total += project.cost
            selections.append(
                Selection(
                    project_id=project.id,
                    cost=project.cost,
                    phase=PHASE_GREEDY,
                    running_total=running_total,
                    remaining_before=remaining,
                    score=score,
                )
            )
            remaining -= project.cost
        else:
            skipped.append(Skip(project.id, project.cost, remaining, score, "did-not-fit"))
    return selections, skipped


# --- greedy --------------------------------------------------------------------------------


def greedy(
    projects: Sequence[Project],
    budget: int,
    scores: Mapping[str, Score],
    *,
    skip_unsupported: bool = False,
) -> Outcome:
    """Greedy selection by score.

    Projects are considered by decreasing score (a project missing from ``scores`` scores 0);
    each one is selected if its cost fits in what is left of the budget, and skipped
    otherwise, and the next one is considered: a skipped expensive project does not stop
    cheaper ones below it from being selected.

    Ties (code ``"score-then-cost-then-id"``): among equal scores the cheaper project first,
    among equal costs the smaller identifier in natural order ("2" before "10").

    Projects with score 0 are considered last and, like in pabutools, selected if they fit;
    with ``skip_unsupported=True`` they are left out (reason ``"no-support"``) instead.

    With approval ballots, ``scores_from_ballots`` (number of approvals) gives pabutools'
    ``greedy_utilitarian_welfare`` with ``Cost_Sat``: the total cost satisfaction of a
    project divided by its cost is its number of approvals.
    """
    _check_projects(projects, budget)
    selections, skipped = _greedy_pass(projects, budget, 0, scores, skip_unsupported)
    total = selections[-1].running_total if selections else 0
    return Outcome(
        rule="greedy",
        budget=budget,
        selected=tuple(s.project_id for s in selections),
        total_cost=total,
        leftover=budget - total,
        tie_rule=TIE_RULE_GREEDY,
        selections=tuple(selections),
        skipped=tuple(skipped),
    )


# --- the Method of Equal Shares ------------------------------------------------------------


@dataclass(slots=True)
class _Pick:
    """One project bought in a run of MES, with the payments as integers over ``scale``."""

    project: int
    rho: Fraction
    unit: int  # price per point, over ``scale``
    scale: int
    payments: list[tuple[int, int]]  # (voter, amount over ``scale``)
    full_payers: int
    partial_payers: int
    partial_paid: int  # over ``scale``
    nothing_left: int


class _Mes:
    """The inner Method of Equal Shares, for one share per voter.

    Voter budgets are kept as integer numerators over one common denominator (``scale``), so
    that every comparison is an integer comparison; when a price does not divide evenly, all
    numerators are multiplied by what is missing. The price of a project is found by the
    usual refinement: assume every supporter pays the same price per point, mark the ones
    who cannot afford it as paying everything they have, recompute, until nobody else is
    marked. Candidates are kept in a heap by their last known price, which can only go up as
    budgets go down; only the ones that could beat the best price found are recomputed.
    """

    reduce_bits = 4096
    """When the common denominator grows past this many bits, common factors are removed."""

    def __init__(
        self,
        costs: Sequence[int],
        supporters: Sequence[Sequence[int]],
        points: Sequence[Sequence[int] | None],
        tie_keys: Sequence[object],
        voters: int,
    ) -> None:
        self.costs = costs
        self.supporters = supporters
        self.points = points  # None: every supporter has one point
        self.tie_keys = tie_keys
        self.voters = voters
        # Projects MES can buy: a positive cost and at least one supporter (with a zero cost
        # the cost satisfaction is zero, as in pabutools, and greedy completion takes them).
        self.candidates = [j for j in range(len(costs)) if costs[j] > 0 and len(supporters[j]) > 0]
        self.total_points = [
            len(supporters[j]) if points[j] is None else sum(points[j])  # type: ignore[arg-type]
            for j in range(len(costs))
        ]

    def run(self, share: Fraction) -> list[_Pick]:
        budgets = [share.numerator] * self.voters
        scale = share.denominator
        heap = [(Fraction(1, self.total_points[j]), self.tie_keys[j], j) for j in self.candidates]
        heapq.heapify(heap)
        picks: list[_Pick] = []
        while heap:
            best: tuple[Fraction, object, int, int, int] | None = None
            evaluated: list[tuple[Fraction, object, int]] = []
            while heap and (best is None or heap[0][0] <= best[0]):
                _, key, j = heapq.heappop(heap)
                price = self._price(j, budgets, scale)
                if price is None:
                    continue  # not affordable now, so never again: budgets only go down
                rest, weight = price
                rho = Fraction(rest, weight * self.costs[j] * scale)
                evaluated.append((rho, key, j))
                if best is None or (rho, key) < (best[0], best[1]):
                    best = (rho, key, j, rest, weight)
            if best is None:
                break
            rho, _, j, rest, weight = best
            for item in evaluated:
                if item[2] != j:
                    heapq.heappush(heap, item)
            common = math.gcd(rest, weight)
            factor = weight // common
            if factor > 1:
                budgets = [b * factor for b in budgets]
                scale *= factor
            unit = rest // common  # price per point, over the new scale
            payments: list[tuple[int, int]] = []
            full = partial = partial_paid = broke = 0
            pts = self.points[j]
            for position, voter in enumerate(self.supporters[j]):
                due = unit if pts is None else unit * pts[position]
                have = budgets[voter]
                if have >= due:
                    full += 1
                elif have:
                    due = have
                    partial += 1
                    partial_paid += have
                else:
                    broke += 1
                    continue
                budgets[voter] = have - due
                payments.append((voter, due))
            picks.append(_Pick(j, rho, unit, scale, payments, full, partial, partial_paid, broke))
            if scale.bit_length() > self.reduce_bits:
                common = math.gcd(scale, *budgets)
                if common > 1:
                    budgets = [b // common for b in budgets]
                    scale //= common
        return picks

    def _price(self, j: int, budgets: list[int], scale: int) -> tuple[int, int] | None:
        """``(rest, weight)`` with price per point ``rest / (weight * scale)``, or ``None``
        if the supporters cannot pay the cost together."""
        target = self.costs[j] * scale
        pts = self.points[j]
        if pts is None:
            have = [budgets[i] for i in self.supporters[j]]
            if sum(have) < target:
                return None
            rest, weight = target, len(have)
            while True:
                threshold = -(-rest // weight)  # b < rest / weight  <=>  b < ceil(...)
                poor = [b for b in have if b < threshold]
                if not poor:
                    return rest, weight
                rest -= sum(poor)
                weight -= len(poor)
                have = [b for b in have if b >= threshold]
        pairs = [(budgets[i], p) for i, p in zip(self.supporters[j], pts, strict=True)]
        if sum(b for b, _ in pairs) < target:
            return None
        rest, weight = target, sum(p for _, p in pairs)
        while True:
            poor: list[tuple[int, int]] = []
            rich: list[tuple[int, int]] = []
            for b, p in pairs:
                (poor if b * weight < rest * p else rich).append((b, p))
            if not poor:
                return rest, weight
            rest -= sum(b for b, _ in poor)
            weight -= sum(p for _, p in poor)
            pairs = rich


def equal_shares(
    projects: Sequence[Project],
    budget: int,
    ballots: Sequence[Ballot],
    *,
    voter_budget_increment: int | Fraction | None = None,
    max_add1_rounds: int | None = DEFAULT_MAX_ADD1_ROUNDS,
    skip_unsupported: bool = False,
) -> Outcome:
    """The Method of Equal Shares with add1 completion, then greedy completion.

    1. *Equal Shares.* The budget is divided equally among the voters (every ballot counts,
       an empty one too). Then, repeatedly, among the projects whose supporters still have
       enough money together, the one with the lowest price per unit of satisfaction
       ``rho`` is bought: each supporter pays ``rho`` times their satisfaction (points x
       cost; an approval is one point), or everything they have left if that is less, and
       ``rho`` is the lowest price at which these payments cover the cost. Ties: cheaper
       first, then smaller identifier in natural order (code ``"rho-then-cost-then-id"``).
    2. *add1 completion.* While the result leaves money that could still fund a supported
       project, every voter's share is raised by ``voter_budget_increment`` and step 1 is
       run again from scratch. This stops as soon as a result is exhaustive (it is kept)
       or costs more than the real budget (the previous result is kept). It always stops
       by itself once the share reaches the whole budget (from then on every result is
       exhaustive or over budget).
    3. *Greedy completion.* What is left of the real budget goes to the remaining projects
       by decreasing score (approvals or points), skipping what does not fit, as
       ``greedy`` does.

    The raise. pabutools' "add1" raises the shares by one unit of currency
    (``voter_budget_increment=1``), which is what this function does whenever the initial
    share is below 200 pesos. With real amounts in pesos one peso is nothing next to a share
    of a million: in ``bench/selection.py`` (300 initiatives, 5,000 ballots, a share of
    1.5 million pesos) add1 with 1% raises stops once the share was raised by about 530,000
    pesos; in one-peso raises that would be up to 530,000 full runs of the method (about 12
    hours), and the voters' payments change every few pesos, so runs cannot be skipped
    safely. So by default (``None``) the raise is one peso or 1% of the initial share,
    whichever is larger (rounded down to whole pesos) -- the same 1% step that pabutools'
    generic ``exhaustion_by_budget_increase`` uses by default. Pass
    ``voter_budget_increment=1`` for add1 to the letter.

    The cap. Each round is a full run of the method, so add1 also stops after
    ``max_add1_rounds`` raises (default 100: with the default raise, the share doubled;
    ``None``: no cap), keeping the last result, which is within the budget;
    ``Outcome.add1_capped`` then says so, and greedy completion does the rest.

    With the same raise, and as long as the cap is not reached, the outcome is exactly that
    of pabutools' ``completion_by_rule_combination`` of
    ``method_of_equal_shares(sat_class=..., voter_budget_increment=...)`` and
    ``greedy_utilitarian_welfare``, with ``Cost_Sat`` (approval) or points x cost
    (cumulative), and tie-breaking key ``(cost, natural id)``, selection order included.

    ``Selection.phase`` is ``"mes"`` for projects that Equal Shares also buys with the
    unraised shares, ``"add1"`` for the ones it buys only with the raised shares, and
    ``"greedy"`` for the greedy completion.
    """
    by_id = _check_projects(projects, budget)
    if voter_budget_increment is not None and voter_budget_increment <= 0:
        raise ValueError("voter_budget_increment must be positive")
    if max_add1_rounds is not None and max_add1_rounds < 0:
        raise ValueError("max_add1_rounds must not be negative")
    index = {project.id: j for j, project in enumerate(projects)}
    supporters: list[list[int]] = [[] for _ in projects]
    points: list[list[int]] = [[] for _ in projects]
    all_ones = [True] * len(projects)
    for voter, ballot in enumerate(ballots):
        for project_id, weight in _weights(ballot, by_id, voter).items():
            j = index[project_id]
            supporters[j].append(voter)
            points[j].append(weight)
            if weight != 1:
                all_ones[j] = False
    scores = {p.id: sum(points[j]) for j, p in enumerate(projects)}
    costs = [p.cost for p in projects]
    voters = len(ballots)

    picks: list[_Pick] = []
    first_run: set[int] = set()
    share = Fraction(budget, voters) if voters else None
    if voter_budget_increment is not None:
        increment = Fraction(voter_budget_increment)
    else:
        increment = Fraction(max(1, math.floor(share / 100)) if share is not None else 1)
    rounds = 0
    capped = False
    if voters:
        engine = _Mes(
            costs,
            supporters,
            [None if all_ones[j] else points[j] for j in range(len(projects))],
            [_tie_key(p) for p in projects],
            voters,
        )
        assert share is not None
        available = engine.candidates
        current = share
        picks = engine.run(current)
        first_run = {pick.project for pick in picks}
        while True:
            spent = sum(costs[pick.project] for pick in picks)
            chosen = {pick.project for pick in picks}
            if all(j in chosen or spent + costs[j] > budget for j in available):
                break  # exhaustive: nothing MES could buy still fits
            if max_add1_rounds is not None and rounds >= max_add1_rounds:
                capped = True
                break
            following = engine.run(current + increment)
            if sum(costs[pick.project] for pick in following) > budget:
                break  # over budget: keep the previous result
            current += increment
            rounds += 1
            picks = following
    selections: list[Selection] = []
    total = 0
    for pick in picks:
        j = pick.project
        cost = costs[j]
        selections.append(
            Selection(
                project_id=projects[j].id,
                cost=cost,
                phase=PHASE_MES if j in first_run else PHASE_ADD1,
                running_total=total + cost,
                remaining_before=budget - total,
                rho=pick.rho,
                price_per_point=Fraction(pick.unit, pick.scale),
                payments={v: Fraction(amount, pick.scale) for v, amount in pick.payments},
                full_payers=pick.full_payers,
                partial_payers=pick.partial_payers,
                partial_paid=Fraction(pick.partial_paid, pick.scale),
                nothing_left=pick.nothing_left,
                by_points=not all_ones[j],
            )
        )
        total += cost
    chosen_ids = {s.project_id for s in selections}
    rest = [p for p in projects if p.id not in chosen_ids]
    completion, skipped = _greedy_pass(rest, budget - total, total, scores, skip_unsupported)
    selections.extend(completion)
    total = selections[-1].running_total if selections else 0
    return Outcome(
        rule="equal-shares",
        budget=budget,
        selected=tuple(s.project_id for s in selections),
        total_cost=total,
        leftover=budget - total,
        tie_rule=TIE_RULE_MES,
        selections=tuple(selections),
        skipped=tuple(skipped),
        voters=voters,
        initial_share=share,
        final_share=(share + rounds * increment) if share is not None else None,
        increment=increment,
        add1_rounds=rounds,
        add1_capped=capped,
    )


def _voters(count: int) -> str:
    return f"{count} voter" if count == 1 else f"{count} voters"


def explain(outcome: Outcome, money: str = "$ {:,.0f}") -> list[str]:
    """The outcome in plain English, one sentence per step (for logs, the command line and
    tests; the web page builds its own translated sentences from the same fields). ``money``
    formats an amount given as a float."""

    def fmt(amount: Fraction | int) -> str:
        return money.format(float(amount))

    lines: list[str] = []
    if outcome.rule == "equal-shares" and outcome.initial_share is not None:
        lines.append(
            f"The budget of {fmt(outcome.budget)} was divided equally among "
            f"{_voters(outcome.voters)}: {fmt(outcome.initial_share)} each."
        )
        if outcome.add1_rounds:
            lines.append(
                f"As money was left, each share was raised {outcome.add1_rounds} times by "
                f"{fmt(outcome.increment or 0)}, to {fmt(outcome.final_share or 0)}."
            )
    for item in outcome.selections:
        head = f"{item.project_id} (cost {fmt(item.cost)})"
        if item.phase == PHASE_GREEDY:
            prefix = "Greedy completion: " if outcome.rule == "equal-shares" else ""
            lines.append(
                f"{prefix}{head}, score {item.score}, fit in the {fmt(item.remaining_before)} "
                f"left; total so far {fmt(item.running_total)}."
            )
            continue
        assert item.price_per_point is not None
        parts = []
        if item.full_payers:
            each = "per point they gave it" if item.by_points else "each"
            parts.append(
                f"{_voters(item.full_payers)} who supported it paid "
                f"{fmt(item.price_per_point)} {each}"
            )
        if item.partial_payers:
            parts.append(
                f"{_voters(item.partial_payers)} paid less, {fmt(item.partial_paid)} in all, "
                "because they had less left"
                if item.full_payers
                else f"{_voters(item.partial_payers)} who supported it paid all they had left"
            )
        if item.nothing_left:
            parts.append(f"{_voters(item.nothing_left)} had nothing left")
        when = " (only once the shares were raised)" if item.phase == PHASE_ADD1 else ""
        lines.append(f"{head}{when}: " + "; ".join(parts) + ".")
    for skip in outcome.skipped:
        if skip.reason == "did-not-fit":
            lines.append(
                f"{skip.project_id} was skipped: it costs {fmt(skip.cost)} and only "
                f"{fmt(skip.remaining)} was left."
            )
        else:
            lines.append(f"{skip.project_id} was left out: nobody supported it.")
    return lines
