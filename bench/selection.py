"""Time to close a prioritization round of 300 initiatives and 5,000 ballots, with each rule.

    .venv/bin/python bench/selection.py [--seed N]

The round is generated from a seed: costs between $5M and $300M pesos, a popularity skew
(the k-th most popular initiative is chosen about 1/k^0.8 as often as the first), each voter
supports 5 to 15 initiatives, and the budget is 15% of the total cost, so that some 30 to 60
initiatives fit. The cumulative round gives each supported initiative 1 to 5 points.

Equal Shares is timed with its defaults (add1 raises the shares by 1% of the initial share,
at most ``DEFAULT_MAX_ADD1_ROUNDS`` times), without add1 (one run of the method, then greedy
completion), and with add1 to the letter (one-peso raises), stopped after 20 rounds: at this
scale one peso changes nothing, which is why the default raise is 1%.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence

from portal.rounds.selection import (
    Ballot,
    Outcome,
    Project,
    equal_shares,
    greedy,
    scores_from_ballots,
)

PROJECTS = 300
VOTERS = 5_000


def build(seed: int) -> tuple[list[Project], int, list[frozenset[str]], list[dict[str, int]]]:
    rng = random.Random(seed)  # noqa: S311 - a benchmark, not cryptography
    projects = [
        Project(str(k + 1), rng.randrange(5_000, 300_001) * 1_000, f"Iniciativa {k + 1}")
        for k in range(PROJECTS)
    ]
    budget = sum(p.cost for p in projects) * 15 // 100
    ids = [p.id for p in projects]
    popularity = [1 / (k + 1) ** 0.8 for k in range(PROJECTS)]
    rng.shuffle(popularity)
    approval: list[frozenset[str]] = []
    cumulative: list[dict[str, int]] = []
    for _ in range(VOTERS):
        wanted = rng.randint(5, 15)
        chosen: set[str] = set()
        while len(chosen) < wanted:
            chosen.update(rng.choices(ids, popularity, k=wanted - len(chosen)))
        approval.append(frozenset(chosen))
        cumulative.append({pid: rng.randint(1, 5) for pid in sorted(chosen)})
    return projects, budget, approval, cumulative


def timed(label: str, run: Callable[[], Outcome]) -> None:
    start = time.perf_counter()
    outcome = run()
    elapsed = time.perf_counter() - start
    extra = ""
    if outcome.rule == "equal-shares":
        phases = {phase: 0 for phase in ("mes", "add1", "greedy")}
        for item in outcome.selections:
            phases[item.phase] += 1
        extra = (
            f"  add1 rounds {outcome.add1_rounds}{' (capped)' if outcome.add1_capped else ''}"
            f", by phase {phases}"
        )
    print(
        f"{label:<46} {elapsed:7.2f} s  {len(outcome.selected):3d} selected, "
        f"{100 * outcome.total_cost / outcome.budget:5.1f}% of the budget{extra}"
    )


def bench(kind: str, projects: list[Project], budget: int, ballots: Sequence[Ballot]) -> None:
    timed(
        f"{kind}: greedy",
        lambda: greedy(projects, budget, scores_from_ballots(projects, ballots)),
    )
    timed(f"{kind}: equal shares (defaults)", lambda: equal_shares(projects, budget, ballots))
    timed(
        f"{kind}: equal shares (no add1)",
        lambda: equal_shares(projects, budget, ballots, max_add1_rounds=0),
    )
    timed(
        f"{kind}: equal shares (+1 peso, 20 rounds)",
        lambda: equal_shares(
            projects, budget, ballots, voter_budget_increment=1, max_add1_rounds=20
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    seed = parser.parse_args().seed
    start = time.perf_counter()
    projects, budget, approval, cumulative = build(seed)
    print(
        f"{PROJECTS} initiatives, {VOTERS:,} ballots, budget $ {budget:,} "
        f"(share $ {budget // VOTERS:,} per voter), seed {seed}, "
        f"built in {time.perf_counter() - start:.2f} s"
    )
    bench("approval", projects, budget, approval)
    bench("cumulative", projects, budget, cumulative)


if __name__ == "__main__":
    main()
