"""Read and write prioritization rounds in the Pabulib ``.pb`` format (pabulib.org).

A ``.pb`` file is text in three sections, in this order, each opened by a line holding only
its name and followed by a header line; fields are separated by ``;`` (CSV, so a field may be
quoted with ``"``)::

    META
    key;value
    description;Mesa Limarí-Choapa 2026
    num_projects;3
    num_votes;2
    budget;100000000
    vote_type;approval
    PROJECTS
    project_id;cost;name
    1;60000000;Agua potable rural
    ...
    VOTES
    voter_id;vote
    1;1,3
    ...

``META`` holds ``key;value`` lines; ``budget`` and ``vote_type`` (``approval``,
``choose-1``, ``cumulative``, ``scoring`` or ``ordinal``) are required, and ``num_projects``
and ``num_votes``, when present, must match the sections. ``PROJECTS`` needs the columns
``project_id`` and ``cost``; ``VOTES`` needs ``voter_id`` and ``vote`` (project ids separated
by commas, most preferred first for ordinal votes), plus ``points`` for cumulative and scoring
votes. Other keys and columns are kept as they are and written back. Costs and the budget are
whole amounts. Malformed input raises ``PabulibError`` with the line number.

Standard library only; ``tests/test_selection.py`` checks the files against pabutools'
parser.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from portal.rounds.selection import Ballot, Project

__all__ = [
    "VOTE_TYPES",
    "PabulibError",
    "PbBallot",
    "PbProject",
    "Round",
    "from_selection",
    "read",
    "write",
]

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINT_VOTE_TYPES = ("cumulative", "scoring")
SECTIONS = ("meta", "projects", "votes")
_WHOLE = re.compile(r"[0-9]+(?:\.0*)?")
_INTEGER = re.compile(r"-?[0-9]+")


class PabulibError(ValueError):
    """Malformed ``.pb`` input. ``line`` is the 1-based line number (``None`` when the
    problem is not on one line, such as a missing section at the end of the file)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass
class PbProject:
    """A row of ``PROJECTS``: the id, the cost, the name, and the other columns as text."""

    id: str
    cost: int
    name: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def as_project(self) -> Project:
        return Project(self.id, self.cost, self.name)


@dataclass
class PbBallot:
    """A row of ``VOTES``: the voter id, the project ids in the order written, their points
    (cumulative and scoring votes; ``None`` otherwise), and the other columns as text."""

    voter_id: str
    vote: list[str]
    points: list[int] | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Round:
    """A round as stored in a ``.pb`` file.

    ``project_columns`` and ``vote_columns`` are the headers of the sections, in order; the
    writer adds any column that appears in an ``extra`` dictionary but not there.
    """

    meta: dict[str, str]
    projects: list[PbProject]
    ballots: list[PbBallot]
    project_columns: list[str] = field(default_factory=lambda: ["project_id", "cost", "name"])
    vote_columns: list[str] = field(default_factory=lambda: ["voter_id", "vote"])

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    @property
    def budget(self) -> int:
        return _whole(self.meta["budget"], "budget", None)

    def selection_projects(self) -> list[Project]:
        """The projects, for ``portal.rounds.selection``."""
        return [project.as_project() for project in self.projects]

    def selection_ballots(self) -> list[Ballot]:
        """The ballots, for ``portal.rounds.selection``: a set of project ids for
        approval (and choose-1) votes, project id -> points for cumulative and scoring votes.
        Ordinal votes have no such form and raise ``ValueError``."""
        if self.vote_type in POINT_VOTE_TYPES:
            return [dict(zip(b.vote, b.points or [], strict=True)) for b in self.ballots]
        if self.vote_type == "ordinal":
            raise ValueError("ordinal votes cannot be used for selection")
        return [frozenset(b.vote) for b in self.ballots]


def from_selection(
    projects: Sequence[Project],
    budget: int,
    ballots: Sequence[Ballot],
    meta: Mapping[str, str] | None = None,
) -> Round:
    """A ``Round`` from the data of ``portal.rounds.selection``, for export. Voters get
    ids 1, 2, ...; the vote type is cumulative if some ballot is a mapping of points,
    approval otherwise. ``meta`` adds (or overrides) META keys."""
    cumulative = any(isinstance(ballot, Mapping) for ballot in ballots)
    vote_type = "cumulative" if cumulative else "approval"
    rows: list[PbBallot] = []
    for number, ballot in enumerate(ballots, start=1):
        if isinstance(ballot, Mapping):
            ids = list(ballot)
            rows.append(PbBallot(str(number), ids, [int(ballot[i]) for i in ids]))
        else:
            ids = sorted(ballot)
            rows.append(PbBallot(str(number), ids, [1] * len(ids) if cumulative else None))
    full_meta = {
        "description": "",
        "num_projects": str(len(projects)),
        "num_votes": str(len(ballots)),
        "budget": str(budget),
        "vote_type": vote_type,
    }
    full_meta.update(meta or {})
    return Round(
        meta=full_meta,
        projects=[PbProject(p.id, p.cost, p.name) for p in projects],
        ballots=rows,
        vote_columns=["voter_id", "vote", "points"] if cumulative else ["voter_id", "vote"],
    )


# --- reading -------------------------------------------------------------------------------


def _whole(text: str, what: str, line: int | None) -> int:
    """A non-negative whole amount; "1500" and "1500.0" are accepted."""
    text = text.strip()
    if not _WHOLE.fullmatch(text):
        raise PabulibError(f"{what} must be a whole non-negative number, got {text!r}", line)
    return int(text.split(".")[0])


def _header(row: list[str], required: Sequence[str], section: str, line: int) -> list[str]:
    columns = [cell.strip() for cell in row]
    for name in columns:
        if not name:
            raise PabulibError(f"empty column name in the {section} header", line)
        if columns.count(name) > 1:
            raise PabulibError(f"column {name!r} appears twice in the {section} header", line)
    for name in required:
        if name not in columns:
            raise PabulibError(f"the {section} header lacks the column {name!r}", line)
    return columns


def _split_ids(text: str) -> list[str]:
    text = text.strip()
    return [part.strip() for part in text.split(",")] if text else []


def read(text: str) -> Round:
    """Parse the text of a ``.pb`` file. Raises ``PabulibError`` on malformed input."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    meta: dict[str, str] = {}
    projects: list[PbProject] = []
    ballots: list[PbBallot] = []
    project_columns: list[str] = []
    vote_columns: list[str] = []
    by_id: dict[str, PbProject] = {}
    voter_ids: set[str] = set()
    section: str | None = None
    header: list[str] | None = None
    seen: list[str] = []
    meta_lines: dict[str, int] = {}
    line = 1  # where the current record starts (a quoted field may span lines)
    try:
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue
            first = row[0].strip().lower()
            if first in SECTIONS and not any(cell.strip() for cell in row[1:]):
                expected = SECTIONS[len(seen)] if len(seen) < len(SECTIONS) else None
                if first != expected:
                    where = f"expected {expected.upper()}" if expected else "after VOTES"
                    raise PabulibError(f"section {first.upper()} is out of place ({where})", line)
                if first == "projects":
                    _check_meta(meta, meta_lines, line)
                seen.append(first)
                section, header = first, None
                continue
            if section is None:
                raise PabulibError("the file must start with the META section", line)
            if header is None:
                if section == "meta":
                    header = _header(row, ("key", "value"), "META", line)
                    if header != ["key", "value"]:
                        raise PabulibError("the META header must be 'key;value'", line)
                elif section == "projects":
                    header = project_columns = _header(
                        row, ("project_id", "cost"), "PROJECTS", line
                    )
                else:
                    required = ["voter_id", "vote"]
                    if meta.get("vote_type") in POINT_VOTE_TYPES:
                        required.append("points")
                    header = vote_columns = _header(row, required, "VOTES", line)
                continue
            while len(row) > len(header) and not row[-1].strip():
                row.pop()  # trailing separators, as spreadsheets write them
            if len(row) != len(header):
                raise PabulibError(
                    f"{len(row)} fields where the {section.upper()} header has {len(header)}",
                    line,
                )
            cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
            if section == "meta":
                key = cells["key"]
                if not key:
                    raise PabulibError("empty META key", line)
                if key in meta:
                    raise PabulibError(f"META key {key!r} appears twice", line)
                meta[key] = cells["value"]
                meta_lines[key] = line
            elif section == "projects":
                project = _project(cells, line)
                if project.id in by_id:
                    raise PabulibError(f"project {project.id!r} appears twice", line)
                by_id[project.id] = project
                projects.append(project)
            else:
                ballot = _ballot(cells, meta["vote_type"], by_id, line)
                if ballot.voter_id in voter_ids:
                    raise PabulibError(f"voter {ballot.voter_id!r} appears twice", line)
                voter_ids.add(ballot.voter_id)
                ballots.append(ballot)
    except csv.Error as error:
        raise PabulibError(f"unreadable CSV: {error}", line) from None
    if len(seen) < len(SECTIONS):
        raise PabulibError(f"the section {SECTIONS[len(seen)].upper()} is missing")
    if header is None:
        raise PabulibError("the VOTES section has no header line")
    for key, count in (("num_projects", len(projects)), ("num_votes", len(ballots))):
        if key in meta and int(meta[key]) != count:
            raise PabulibError(
                f"META {key} is {meta[key]} but the file has {count}", meta_lines[key]
            )
    return Round(meta, projects, ballots, project_columns, vote_columns)


def _check_meta(meta: dict[str, str], lines: dict[str, int], end: int) -> None:
    """The required META keys, checked when the section ends (at line ``end``)."""
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibError(f"META lacks the key {key!r}", end)
    _whole(meta["budget"], "budget", lines["budget"])
    if meta["vote_type"] not in VOTE_TYPES:
        raise PabulibError(
            f"unknown vote_type {meta['vote_type']!r} (expected one of {', '.join(VOTE_TYPES)})",
            lines["vote_type"],
        )
    for key in ("num_projects", "num_votes"):
        if key in meta and not re.fullmatch(r"[0-9]+", meta[key]):
            raise PabulibError(f"META {key} must be a whole number", lines[key])


def _project(cells: dict[str, str], line: int) -> PbProject:
    project_id = cells["project_id"]
    if not project_id:
        raise PabulibError("empty project_id", line)
    if "," in project_id:
        raise PabulibError(f"project_id {project_id!r} contains a comma", line)
    extra = {k: v for k, v in cells.items() if k not in ("project_id", "cost", "name")}
    return PbProject(project_id, _whole(cells["cost"], "cost", line), cells.get("name", ""), extra)


def _ballot(
    cells: dict[str, str], vote_type: str, projects: Mapping[str, PbProject], line: int
) -> PbBallot:
    voter_id = cells["voter_id"]
    if not voter_id:
        raise PabulibError("empty voter_id", line)
    vote = _split_ids(cells["vote"])
    for project_id in vote:
        if project_id not in projects:
            raise PabulibError(f"vote names an unknown project {project_id!r}", line)
        if vote.count(project_id) > 1:
            raise PabulibError(f"vote names project {project_id!r} twice", line)
    points: list[int] | None = None
    extra = {k: v for k, v in cells.items() if k not in ("voter_id", "vote", "points")}
    if vote_type in POINT_VOTE_TYPES:
        texts = _split_ids(cells["points"])
        if not vote and texts == ["None"]:
            texts = []  # an empty ballot, as pabutools writes it
        if len(texts) != len(vote):
            raise PabulibError(f"{len(vote)} projects in vote but {len(texts)} points", line)
        for text in texts:
            if not _INTEGER.fullmatch(text):
                raise PabulibError(f"points must be whole numbers, got {text!r}", line)
        points = [int(text) for text in texts]
    elif "points" in cells:
        extra["points"] = cells["points"]
    return PbBallot(voter_id, vote, points, extra)


# --- writing -------------------------------------------------------------------------------


def write(round: Round) -> str:
    """The text of a ``.pb`` file for ``round``; ``num_projects`` and ``num_votes`` are set
    to the actual counts. ``read(write(round)) == round`` for a round with the required META
    keys."""
    for key in ("budget", "vote_type"):
        if key not in round.meta:
            raise ValueError(f"META lacks the key {key!r}")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(round.meta)
    meta["num_projects"] = str(len(round.projects))
    meta["num_votes"] = str(len(round.ballots))
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())

    required = ["project_id", "cost"] + (["name"] if any(p.name for p in round.projects) else [])
    columns = _columns(round.project_columns, required, round.projects)
    writer.writerow(["PROJECTS"])
    writer.writerow(columns)
    for project in round.projects:
        known = {"project_id": project.id, "cost": str(project.cost), "name": project.name}
        writer.writerow([known[c] if c in known else project.extra.get(c, "") for c in columns])

    points = round.meta["vote_type"] in POINT_VOTE_TYPES
    required = ["voter_id", "vote", "points"] if points else ["voter_id", "vote"]
    columns = _columns(round.vote_columns, required, round.ballots)
    writer.writerow(["VOTES"])
    writer.writerow(columns)
    for ballot in round.ballots:
        known = {"voter_id": ballot.voter_id, "vote": ",".join(ballot.vote)}
        if points:
            # pabutools reads an empty points cell as a number and fails: like it, write
            # "None" (a missing value) for an empty ballot.
            known["points"] = ",".join(str(p) for p in ballot.points or []) or "None"
        writer.writerow([known[c] if c in known else ballot.extra.get(c, "") for c in columns])
    return out.getvalue()


def _columns(
    declared: Sequence[str], required: Sequence[str], rows: Sequence[PbProject | PbBallot]
) -> list[str]:
    columns = list(declared)
    for name in required:
        if name not in columns:
            columns.append(name)
    for row in rows:
        for name in row.extra:
            if name not in columns:
                columns.append(name)
    return columns
