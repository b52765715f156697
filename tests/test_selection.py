"""Budget-constrained selection (portal.rounds.selection) and the Pabulib format
(portal.rounds.pabulib), checked against the reference implementation pabutools.

The reference variant:

* greedy = ``greedy_utilitarian_welfare``. It ranks by total satisfaction divided by cost;
  with ``Cost_Sat`` (an approval is worth the project's cost) that is the number of
  approvals, and with "points x cost" the total points: the score our ``greedy`` is given.
  (``Cardinality_Sat`` would rank by approvals per peso instead.)
* equal shares = ``completion_by_rule_combination`` of ``method_of_equal_shares`` with
  ``voter_budget_increment`` (add1) and then ``greedy_utilitarian_welfare``, with the same
  satisfaction. pabutools 1.2 has no ready-made "points x cost" satisfaction for cumulative
  ballots, so ``PointsCostSat`` below defines it the way pabutools defines ``Cost_Sat``.
* ties: pabutools' default is the project name in plain text order; we pass the rule our
  module uses, ``(cost, natural order of the id)``.

Selection order is compared too, except with free projects (see the zero-cost test).
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest
from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    parse_pabulib,
)
from pabutools.election import Project as RefProject
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import TieBreakingRule

from portal.rounds import pabulib, selection
from portal.rounds.selection import (
    PHASE_ADD1,
    PHASE_GREEDY,
    PHASE_MES,
    TIE_RULES,
    Ballot,
    Outcome,
    Project,
    equal_shares,
    explain,
    greedy,
    natural_key,
    scores_from_ballots,
)

DATA = Path(__file__).parent / "data" / "pabulib"
FILES = ["approval_5.pb", "cumulative_6.pb"]


# --- the reference -------------------------------------------------------------------------


class PointsCostSat(AdditiveSatisfaction):
    """Cumulative ballots: points x cost (Cost_Sat weighted by the points)."""

    def __init__(self, instance, profile, ballot):  # type: ignore[no-untyped-def]
        super().__init__(
            instance,
            profile,
            ballot,
            lambda inst, prof, b, project, pre: b.get(project, 0) * project.cost,
        )


REF_TIES = TieBreakingRule(
    lambda instance, profile, project: (project.cost, natural_key(project.name))
)


def reference_rules(instance, profile, increment):  # type: ignore[no-untyped-def]
    sat = PointsCostSat if isinstance(profile, CumulativeProfile) else Cost_Sat
    mes = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [
            {"sat_class": sat, "voter_budget_increment": increment, "tie_breaking": REF_TIES},
            {"sat_class": sat, "tie_breaking": REF_TIES},
        ],
    )
    chosen = greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=REF_TIES)
    return [p.name for p in mes], [p.name for p in chosen]


def reference(
    projects: list[Project], budget: int, ballots: list[Ballot], increment: Fraction | int
) -> tuple[list[str], list[str]]:
    instance = Instance(budget_limit=budget)
    ref = {p.id: RefProject(p.id, p.cost) for p in projects}
    for project in ref.values():
        instance.add(project)
    if any(isinstance(b, dict) for b in ballots):
        profile = CumulativeProfile(
            [CumulativeBallot({ref[k]: v for k, v in b.items()}) for b in ballots]  # type: ignore[union-attr]
        )
    else:
        profile = ApprovalProfile([ApprovalBallot({ref[k] for k in b}) for b in ballots])
    return reference_rules(instance, profile, increment)


def generate(rng: random.Random, cumulative: bool) -> tuple[list[Project], int, list[Ballot]]:
    m = rng.randint(3, 15)
    costs = rng.choice([[10, 20, 30], list(range(1, 120)), [5, 5, 6, 7], list(range(40, 50))])
    projects = [Project(str(k + 1), rng.choice(costs)) for k in range(m)]
    budget = rng.randint(1, sum(p.cost for p in projects))
    ballots: list[Ballot] = []
    for _ in range(rng.randint(5, 60)):
        chosen = rng.sample([p.id for p in projects], rng.randint(0, min(m, rng.choice([2, 5, m]))))
        if cumulative:
            ballots.append({pid: rng.randint(1, 4) for pid in chosen})
        else:
            ballots.append(frozenset(chosen))
    return projects, budget, ballots


def check_invariants(outcome: Outcome, projects: list[Project], ballots: list[Ballot]) -> None:
    """What must hold of any outcome, whatever the ballots."""
    cost = {p.id: p.cost for p in projects}
    assert outcome.total_cost == sum(cost[i] for i in outcome.selected) <= outcome.budget
    assert outcome.leftover == outcome.budget - outcome.total_cost
    assert len(set(outcome.selected)) == len(outcome.selected)
    assert [s.project_id for s in outcome.selections] == list(outcome.selected)
    running = 0
    for item in outcome.selections:
        running += item.cost
        assert item.running_total == running
    assert not set(outcome.selected) & {s.project_id for s in outcome.skipped}
    for skip in outcome.skipped:
        assert skip.reason == "did-not-fit" and skip.cost > skip.remaining
    if outcome.rule != "equal-shares":
        return
    if not ballots:
        assert outcome.initial_share is None and outcome.final_share is None
        assert all(s.phase == PHASE_GREEDY for s in outcome.selections)
        return
    assert outcome.final_share == outcome.initial_share + outcome.add1_rounds * outcome.increment
    spent = [Fraction(0)] * len(ballots)
    for item in outcome.selections:
        if item.phase == PHASE_GREEDY:
            assert not item.payments
            continue
        assert sum(item.payments.values()) == item.cost
        assert item.full_payers + item.partial_payers == len(item.payments)
        supporters = sum(
            1
            for b in ballots
            if (b.get(item.project_id, 0) if isinstance(b, dict) else item.project_id in b)
        )
        assert item.full_payers + item.partial_payers + item.nothing_left == supporters
        assert item.rho * item.cost == item.price_per_point
        partial = Fraction(0)
        for voter, paid in item.payments.items():
            ballot = ballots[voter]
            points = ballot[item.project_id] if isinstance(ballot, dict) else 1
            assert 0 < paid <= item.price_per_point * points
            if paid < item.price_per_point * points:
                partial += paid
            spent[voter] += paid
        assert partial == item.partial_paid
    assert all(total <= outcome.final_share for total in spent)
    phases = [s.phase for s in outcome.selections]
    assert phases == sorted(phases, key=lambda p: p == PHASE_GREEDY)  # completion comes last


# --- generated instances -------------------------------------------------------------------


@pytest.mark.parametrize("chunk", range(10))
@pytest.mark.parametrize("kind", ["approval", "cumulative"])
def test_generated_instances_match_pabutools(kind: str, chunk: int) -> None:
    """25 instances per chunk and kind: 250 approval and 250 cumulative in all."""
    rng = random.Random(f"{kind}-{chunk}")
    for _ in range(25):
        projects, budget, ballots = generate(rng, kind == "cumulative")
        increment = rng.choice([1, 1, 1, 2, Fraction(1, 2), None])
        mes = equal_shares(
            projects, budget, ballots, voter_budget_increment=increment, max_add1_rounds=None
        )
        chosen = greedy(projects, budget, scores_from_ballots(projects, ballots))
        assert mes.increment is not None
        ref_mes, ref_greedy = reference(projects, budget, ballots, mes.increment)
        context = (projects, budget, ballots, increment)
        assert list(mes.selected) == ref_mes, context
        assert list(chosen.selected) == ref_greedy, context
        check_invariants(mes, projects, ballots)
        check_invariants(chosen, projects, ballots)


def test_larger_generated_instances_match_pabutools(monkeypatch: pytest.MonkeyPatch) -> None:
    """30-60 projects, 100-300 voters, popularity skew; half of them with the common
    denominator reduced after every purchase (normally only once it passes 4096 bits)."""
    rng = random.Random("larger")
    for number in range(8):
        monkeypatch.setattr(selection._Mes, "reduce_bits", 1 if number % 4 < 2 else 4096)
        cumulative = number % 2 == 1
        projects = [Project(str(k + 1), rng.randint(50, 1000)) for k in range(rng.randint(30, 60))]
        budget = sum(p.cost for p in projects) * rng.randint(15, 40) // 100
        ids = [p.id for p in projects]
        popularity = [1 / (k + 1) ** 0.8 for k in range(len(projects))]
        ballots: list[Ballot] = []
        for _ in range(rng.randint(100, 300)):
            chosen = sorted(set(rng.choices(ids, popularity, k=rng.randint(1, 8))))
            if cumulative:
                ballots.append({pid: rng.randint(1, 5) for pid in chosen})
            else:
                ballots.append(frozenset(chosen))
        mes = equal_shares(projects, budget, ballots, max_add1_rounds=None)
        chosen_greedy = greedy(projects, budget, scores_from_ballots(projects, ballots))
        assert mes.increment == 1 and mes.add1_rounds > 0
        assert reference(projects, budget, ballots, 1) == (
            list(mes.selected),
            list(chosen_greedy.selected),
        )
        check_invariants(mes, projects, ballots)


def test_zero_costs_zero_budgets_and_no_ballots_select_what_pabutools_does() -> None:
    """Same sets as pabutools. The order may differ for free projects: pabutools ranks them
    as if nobody supported them (their cost satisfaction is 0), we by their score; they fit
    anyway."""
    rng = random.Random("zeros")
    for number in range(100):
        m = rng.randint(2, 8)
        projects = [Project(str(k + 1), rng.choice([0, 0, 5, 10, 20])) for k in range(m)]
        budget = rng.randint(0, sum(p.cost for p in projects))
        ballots: list[Ballot] = []
        for _ in range(rng.randint(0, 12)):
            chosen = rng.sample([p.id for p in projects], rng.randint(0, m))
            ballots.append(
                {pid: rng.randint(1, 3) for pid in chosen} if number % 2 else frozenset(chosen)
            )
        mes = equal_shares(projects, budget, ballots, max_add1_rounds=None)
        chosen_greedy = greedy(projects, budget, scores_from_ballots(projects, ballots))
        ref_mes, ref_greedy = reference(projects, budget, ballots, mes.increment or 1)
        assert set(mes.selected) == set(ref_mes)
        assert set(chosen_greedy.selected) == set(ref_greedy)
        check_invariants(mes, projects, ballots)


def test_generated_instances_exercise_every_phase() -> None:
    """The generator reaches add1 rounds, add1 selections, greedy completion and skips."""
    seen: set[str] = set()
    rng = random.Random("phases")
    for _ in range(100):
        projects, budget, ballots = generate(rng, rng.random() < 0.5)
        outcome = equal_shares(projects, budget, ballots, max_add1_rounds=None)
        seen.update(s.phase for s in outcome.selections)
        if outcome.add1_rounds:
            seen.add("rounds")
        if outcome.skipped:
            seen.add("skipped")
        if any(s.partial_payers for s in outcome.selections):
            seen.add("partial")
    assert seen == {PHASE_MES, PHASE_ADD1, PHASE_GREEDY, "rounds", "skipped", "partial"}


def test_add1_always_stops_once_the_share_reaches_the_budget() -> None:
    """The bound in equal_shares' docstring: with the share at the whole budget every run is
    exhaustive or over budget, so one raise that large is the last one."""
    rng = random.Random("bound")
    for _ in range(100):
        projects, budget, ballots = generate(rng, rng.random() < 0.5)
        outcome = equal_shares(
            projects, budget, ballots, voter_budget_increment=budget, max_add1_rounds=None
        )
        assert outcome.add1_rounds <= 1
        assert not outcome.add1_capped


# --- .pb files -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_pb_files_match_pabutools(name: str) -> None:
    path = DATA / name
    round_ = pabulib.read(path.read_text(encoding="utf-8"))
    projects, budget = round_.selection_projects(), round_.budget
    ballots = round_.selection_ballots()
    mes = equal_shares(projects, budget, ballots)
    chosen = greedy(projects, budget, scores_from_ballots(projects, ballots))
    assert mes.increment is not None and not mes.add1_capped
    instance, profile = parse_pabulib(str(path))
    assert reference_rules(instance, profile, mes.increment) == (
        list(mes.selected),
        list(chosen.selected),
    )
    check_invariants(mes, projects, ballots)
    check_invariants(chosen, projects, ballots)


def test_pb_approval_file_outcomes() -> None:
    """approval_5.pb by hand: greedy takes 1 (7 approvals), then 2 over 10 (4 approvals and
    the same cost each: natural order, "2" before "10"), then 4, which exactly fills the
    budget. Equal Shares gives the four supporters of 10 their own initiative."""
    round_ = pabulib.read((DATA / "approval_5.pb").read_text(encoding="utf-8"))
    projects, ballots = round_.selection_projects(), round_.selection_ballots()
    chosen = greedy(projects, round_.budget, scores_from_ballots(projects, ballots))
    assert chosen.selected == ("1", "2", "4")
    assert [(s.project_id, s.remaining) for s in chosen.skipped] == [
        ("10", 20_000_000),
        ("3", 0),
    ]
    mes = equal_shares(projects, round_.budget, ballots)
    assert mes.selected == ("1", "10", "4")
    assert [s.phase for s in mes.selections] == [PHASE_MES, PHASE_ADD1, PHASE_MES]
    assert mes.increment == 83_333  # 1% of the share of 100,000,000 / 12
    assert mes.selection("1").payments == {v: Fraction(50_000_000, 7) for v in range(7)}


@pytest.mark.parametrize("name", FILES)
def test_pb_files_round_trip(name: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    round_ = pabulib.read(text)
    assert pabulib.write(round_) == text
    assert pabulib.read(pabulib.write(round_)) == round_


def test_pb_extra_columns_are_kept() -> None:
    round_ = pabulib.read((DATA / "approval_5.pb").read_text(encoding="utf-8"))
    assert round_.meta["country"] == "Chile"
    assert round_.meta["max_length"] == "3"
    assert round_.projects[0].name == "Agua potable rural"
    assert round_.projects[0].extra == {"category": "agua", "votes": "7"}
    assert round_.ballots[0].extra == {"age": "34", "sex": "F"}
    assert round_.ballots[11].vote == []
    assert round_.project_columns == ["project_id", "cost", "name", "category", "votes"]


def test_pb_cumulative_points() -> None:
    round_ = pabulib.read((DATA / "cumulative_6.pb").read_text(encoding="utf-8"))
    assert round_.vote_type == "cumulative"
    assert round_.ballots[3].vote == ["A", "B", "E"]
    assert round_.ballots[3].points == [4, 3, 3]
    assert round_.selection_ballots()[3] == {"A": 4, "B": 3, "E": 3}


@pytest.mark.parametrize("cumulative", [False, True])
def test_exported_round_reads_the_same_in_pabutools(cumulative: bool) -> None:
    """A round written by from_selection + write is read by pabutools to the same outcome."""
    projects, budget, ballots = generate(random.Random(f"export-{cumulative}"), cumulative)
    text = pabulib.write(pabulib.from_selection(projects, budget, ballots, {"country": "Chile"}))
    round_ = pabulib.read(text)
    assert round_.selection_projects() == projects
    assert round_.selection_ballots() == ballots
    mes = equal_shares(projects, budget, ballots)
    chosen = greedy(projects, budget, scores_from_ballots(projects, ballots))
    assert mes.increment is not None
    instance, profile = parse_pabulib_from_string(text)
    assert reference_rules(instance, profile, mes.increment) == (
        list(mes.selected),
        list(chosen.selected),
    )


def test_pb_fields_with_semicolons_are_quoted() -> None:
    projects = [Project("1", 10, "Plaza; juegos y luz"), Project("2", 5, 'Sede "La Unión"')]
    round_ = pabulib.from_selection(projects, 12, [frozenset({"1"}), frozenset({"1", "2"})])
    text = pabulib.write(round_)
    assert '"Plaza; juegos y luz"' in text
    assert pabulib.read(text) == round_
    instance, _ = parse_pabulib_from_string(text)
    assert {instance.project_meta[p]["name"] for p in instance} == {p.name for p in projects}


def test_malformed_pb_file_is_refused_with_the_line() -> None:
    with pytest.raises(pabulib.PabulibError) as refused:
        pabulib.read((DATA / "malformed_points.pb").read_text(encoding="utf-8"))
    assert refused.value.line == 17
    assert str(refused.value) == "line 17: 2 projects in vote but 3 points"


GOOD = """META
key;value
num_projects;2
num_votes;2
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
1;60;Uno
2;50;Dos
VOTES
voter_id;vote
1;1,2
2;2
"""


def _spoil(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (GOOD.replace("META\n", "", 1), 1, "must start with the META section"),
        (_spoil("PROJECTS\n", "VOTES\n"), 7, "section VOTES is out of place"),
        (_spoil("key;value", "clave;valor"), 2, "lacks the column 'key'"),
        (_spoil("budget;100", "budget;cien"), 5, "budget must be a whole non-negative number"),
        (_spoil("vote_type;approval", "vote_type;lottery"), 6, "unknown vote_type 'lottery'"),
        (_spoil("num_votes;2", "num_votes;3"), 4, "num_votes is 3 but the file has 2"),
        (_spoil("budget;100\n", "budget;100\nbudget;200\n"), 6, "'budget' appears twice"),
        (_spoil("project_id;cost;name", "project_id;name"), 8, "lacks the column 'cost'"),
        (_spoil("2;50;Dos", "2;50,5;Dos"), 10, "cost must be a whole non-negative number"),
        (_spoil("2;50;Dos", "1;50;Dos"), 10, "project '1' appears twice"),
        (_spoil("2;50;Dos", "2;50"), 10, "2 fields where the PROJECTS header has 3"),
        (_spoil("voter_id;vote\n", "voter;vote\n"), 12, "lacks the column 'voter_id'"),
        (_spoil("2;2\n", "2;3\n"), 14, "unknown project '3'"),
        (_spoil("2;2\n", "1;2\n"), 14, "voter '1' appears twice"),
        (_spoil("1;1,2\n", "1;1,1\n"), 13, "names project '1' twice"),
        (_spoil("1;1,2\n", '1;"1,2\n'), 13, "unreadable CSV"),
    ],
)
def test_malformed_pb_input_is_refused_with_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(pabulib.PabulibError) as refused:
        pabulib.read(text)
    assert refused.value.line == line, refused.value
    assert message in refused.value.message
    assert str(refused.value).startswith(f"line {line}: ")


def test_pb_cumulative_votes_need_points() -> None:
    text = GOOD.replace("vote_type;approval", "vote_type;cumulative")
    with pytest.raises(pabulib.PabulibError, match="line 12: the VOTES header lacks the column"):
        pabulib.read(text)
    text = text.replace("voter_id;vote\n1;1,2\n2;2", "voter_id;vote;points\n1;1,2;5,x\n2;2;1")
    with pytest.raises(pabulib.PabulibError, match="line 13: points must be whole numbers"):
        pabulib.read(text)


def test_pb_missing_sections_and_keys() -> None:
    with pytest.raises(pabulib.PabulibError, match=r"^the section VOTES is missing$"):
        pabulib.read(GOOD[: GOOD.index("VOTES")])
    with pytest.raises(pabulib.PabulibError, match=r"^line 6: META lacks the key 'budget'$"):
        pabulib.read(GOOD.replace("budget;100\n", ""))


def test_pb_reader_is_tolerant_of_bom_crlf_blank_lines_and_trailing_separators() -> None:
    text = "\ufeff" + GOOD.replace("\n", "\r\n").replace("PROJECTS", "\r\nPROJECTS")
    round_ = pabulib.read(text.replace("2;50;Dos", "2;50;Dos;;"))
    assert round_.budget == 100
    assert [b.vote for b in round_.ballots] == [["1", "2"], ["2"]]


# --- by hand -------------------------------------------------------------------------------


def test_textbook_majority_cannot_take_the_whole_budget() -> None:
    """10 voters and a budget of 100: 6 support A1..A5, 4 support B1..B5, all costing 20.
    Greedy gives the 60% majority everything. Equal Shares gives each voter 10: the six
    A voters can pay for three A projects (20/6 each), the four B voters for two B projects
    (5 each); 60% and 40% of the budget."""
    projects = [Project(f"{g}{k}", 20) for g in "AB" for k in range(1, 6)]
    a = frozenset(f"A{k}" for k in range(1, 6))
    b = frozenset(f"B{k}" for k in range(1, 6))
    ballots: list[Ballot] = [a] * 6 + [b] * 4
    chosen = greedy(projects, 100, scores_from_ballots(projects, ballots))
    assert chosen.selected == ("A1", "A2", "A3", "A4", "A5")
    assert chosen.tie_rule == "score-then-cost-then-id"
    mes = equal_shares(projects, 100, ballots)
    assert mes.selected == ("A1", "A2", "A3", "B1", "B2")
    assert mes.initial_share == 10 and mes.add1_rounds == 0 and mes.leftover == 0
    assert mes.tie_rule == "rho-then-cost-then-id" and mes.tie_rule in TIE_RULES
    a1 = mes.selection("A1")
    assert a1.rho == Fraction(1, 6) and a1.price_per_point == Fraction(10, 3)
    assert a1.payments == {v: Fraction(10, 3) for v in range(6)}
    assert mes.selection("B1").payments == {v: 5 for v in range(6, 10)}
    assert reference(projects, 100, ballots, 1) == (list(mes.selected), list(chosen.selected))


def test_voters_with_less_left_pay_less() -> None:
    """4 voters, budget 40, 10 each. B (24) is supported by voters 1-3, A (12) by 0 and 1.
    B is cheaper per supporter (8 against 6 per 12, i.e. 1/3 of its cost against 1/2), so it
    goes first and leaves voters 1-3 with 2. A then costs 12: voter 1 can give only their 2,
    so voter 0 pays the other 10."""
    projects = [Project("A", 12), Project("B", 24)]
    ballots: list[Ballot] = [frozenset("A"), frozenset("AB"), frozenset("B"), frozenset("B")]
    mes = equal_shares(projects, 40, ballots)
    assert mes.selected == ("B", "A")
    assert mes.selection("B").payments == {1: 8, 2: 8, 3: 8}
    a = mes.selection("A")
    assert a.payments == {0: 10, 1: 2}
    assert (a.full_payers, a.partial_payers, a.partial_paid) == (1, 1, 2)
    assert a.rho == Fraction(5, 6)
    assert mes.total_cost == 36 and mes.leftover == 4
    assert explain(mes, "${:.0f}") == [
        "The budget of $40 was divided equally among 4 voters: $10 each.",
        "B (cost $24): 3 voters who supported it paid $8 each.",
        "A (cost $12): 1 voter who supported it paid $10 each; "
        "1 voter paid less, $2 in all, because they had less left.",
    ]
    assert reference(projects, 40, ballots, 1)[0] == list(mes.selected)


def test_add1_raises_the_shares_until_the_budget_is_used() -> None:
    """2 voters, budget 10, 5 each. X (6) is supported by both, Y (4) by voter 0. With 5
    each, X leaves 2 each and Y is out of reach although it fits. add1 raises the shares to
    6 (X leaves 3: still not enough) and then 7 (X leaves 4: Y is bought), using the whole
    budget."""
    projects = [Project("X", 6), Project("Y", 4)]
    ballots: list[Ballot] = [frozenset("XY"), frozenset("X")]
    mes = equal_shares(projects, 10, ballots, voter_budget_increment=1)
    assert mes.selected == ("X", "Y")
    assert (mes.initial_share, mes.add1_rounds, mes.final_share) == (5, 2, 7)
    assert [s.phase for s in mes.selections] == [PHASE_MES, PHASE_ADD1]
    assert mes.selection("Y").payments == {0: 4}
    capped = equal_shares(projects, 10, ballots, voter_budget_increment=1, max_add1_rounds=1)
    assert capped.add1_capped and capped.add1_rounds == 1 and capped.final_share == 6
    assert capped.selected == ("X", "Y")  # Y by greedy completion instead
    assert capped.selections[1].phase == PHASE_GREEDY
    assert reference(projects, 10, ballots, 1)[0] == list(mes.selected)


def test_add1_keeps_the_last_result_within_budget_then_greedy_completes() -> None:
    """2 voters, budget 11, 11/2 each. X (6) by both leaves 5/2 each: Y (3, voter 0) and Z
    (3, voter 1) are out of reach. Raised by 1, both become affordable and 6 + 3 + 3 = 12 is
    over budget, so the unraised result {X} is kept; greedy completion then takes Y (equal
    score and cost: Y before Z) and skips Z, for which only 2 is left."""
    projects = [Project("X", 6), Project("Y", 3), Project("Z", 3)]
    ballots: list[Ballot] = [frozenset("XY"), frozenset("XZ")]
    mes = equal_shares(projects, 11, ballots, voter_budget_increment=1)
    assert mes.selected == ("X", "Y")
    assert mes.add1_rounds == 0 and mes.final_share == Fraction(11, 2)
    assert [s.phase for s in mes.selections] == [PHASE_MES, PHASE_GREEDY]
    assert [(s.project_id, s.cost, s.remaining, s.reason) for s in mes.skipped] == [
        ("Z", 3, 2, "did-not-fit")
    ]
    assert explain(mes, "${:g}")[-2:] == [
        "Greedy completion: Y (cost $3), score 1, fit in the $5 left; total so far $9.",
        "Z was skipped: it costs $3 and only $2 was left.",
    ]
    assert reference(projects, 11, ballots, 1)[0] == list(mes.selected)


def test_cumulative_payments_follow_the_points() -> None:
    """3 voters, budget 30, 10 each. P (12) gets 3 points from voter 0 and 1 from voter 1:
    4 points, 3 per point, so voter 0 pays 9 and voter 1 pays 3."""
    projects = [Project("P", 12), Project("Q", 9)]
    ballots: list[Ballot] = [{"P": 3}, {"P": 1, "Q": 2}, {"Q": 5}]
    mes = equal_shares(projects, 30, ballots)
    p = mes.selection("P")
    assert p.by_points and p.price_per_point == 3 and p.payments == {0: 9, 1: 3}
    assert reference(projects, 30, ballots, 1)[0] == list(mes.selected)
    check_invariants(mes, projects, ballots)


def test_greedy_skips_what_does_not_fit_and_goes_on() -> None:
    projects = [Project("A", 8), Project("B", 5), Project("C", 2), Project("D", 2)]
    outcome = greedy(projects, 10, {"A": 5, "B": 4, "C": 1, "D": Fraction(1, 2)})
    assert outcome.selected == ("A", "C")
    assert [(s.project_id, s.cost, s.remaining) for s in outcome.skipped] == [
        ("B", 5, 2),
        ("D", 2, 0),
    ]
    assert [s.running_total for s in outcome.selections] == [8, 10]
    assert outcome.leftover == 0


def test_greedy_ties_cheaper_first_then_natural_id_order() -> None:
    projects = [Project("10", 5), Project("2", 5), Project("9", 4), Project("1", 6)]
    outcome = greedy(projects, 100, dict.fromkeys(["10", "2", "9", "1"], 3))
    assert outcome.selected == ("9", "2", "10", "1")


def test_greedy_scores_of_zero_and_unsupported_projects() -> None:
    projects = [Project("A", 5), Project("B", 5)]
    assert greedy(projects, 10, {"A": 2}).selected == ("A", "B")  # like pabutools
    left_out = greedy(projects, 10, {"A": 2}, skip_unsupported=True)
    assert left_out.selected == ("A",)
    assert [(s.project_id, s.reason) for s in left_out.skipped] == [("B", "no-support")]


def test_no_ballots() -> None:
    projects = [Project("A", 5), Project("B", 3)]
    outcome = equal_shares(projects, 6, [])
    assert outcome.selected == ("B",) and outcome.initial_share is None
    assert equal_shares(projects, 6, [], skip_unsupported=True).selected == ()


@pytest.mark.parametrize(
    ("projects", "ballots", "message"),
    [
        ([Project("A", 1), Project("A", 2)], [], "appears twice"),
        ([Project("A", -1)], [], "negative cost"),
        ([Project("A", 1)], [frozenset({"B"})], "unknown project 'B'"),
        ([Project("A", 1)], [{"A": -2}], "negative points"),
        ([Project("A", 1)], [{"A": 1.5}], "points must be integers"),
    ],
)
def test_bad_input_is_refused(projects: list[Project], ballots: list[Ballot], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        equal_shares(projects, 10, ballots)
