"""Benchmark data at the size of the whole country, written the way the application writes.

``build(scale)`` fills an empty database (with the places of Chile already loaded, as
``portal db upgrade`` or ``portal.places.reference.sync_places`` leave them) with invented
territories, mesas, people, sessions with their published actas and agreements, initiatives,
portfolios, plans with their indicators, commitments and their progress updates. At scale 1:

- 60 territories spread over the regions, each with 3 to 6 comunas;
- 600 mesas (10 per territory: the territorial and 9 thematic ones);
- the 40 institutions of ``INSTITUTIONS`` (the same at every scale: they are the country's);
- 30,000 people (records without an account) and 31,080 memberships: about 50 per mesa, each
  with its chair, secretary, public-service representatives, members and observers, and 2
  delegates of each thematic mesa at its territory's mesa territorial;
- 3,000 sessions held in the past (5 per mesa), each with its acta published (one revision of
  Markdown) and 1 to 3 agreements (6,000 in all);
- 30,000 initiatives in every status of their path, each with its status changes;
- one portfolio per territory: a version agreed by the mesa territorial, 20 lines and their
  money by source;
- one triennial plan per territory, agreed and sanctioned: 3 or 4 strategic objectives with 2
  to 4 indicators each, their targets for each year of the plan and 1 to 3 measurements;
- 100,000 commitments of weighted institutions in weighted territories, taken in those
  sessions (most under one of their agreements), their new due dates, the mesa's validation
  of those that ended;
- 500,000 progress updates.

Every number but the institutions' is proportional to ``scale`` (``counts_for`` says them all;
at least one of each). Everything goes through the application's ORM session, in batches
flushed and committed a few thousand objects at a time: the flush hooks fill the change log
(``portal.audit.chain``), the search index (``portal.search.index``) and the data version
(``portal.pagecache.version``) exactly as when the application writes, and the database gives
every id. Only the rows of the association tables (a commitment's or an initiative's comunas,
a commitment's initiatives), which no hook watches and no model maps, are plain inserts through
the same session. After each batch the session is emptied: only ids are kept, so memory stays
flat at any scale.

Names of people, territories and places are invented ("Persona 00012", "Territorio de banco
07", "Los Boldos"); the texts are Spanish, so that the search has words to find. The data is
seeded: the same ``seed`` on an empty database gives the same rows.

With ``password``, three accounts are made for a load test to sign in with: the chair and the
secretary of the mesa with the most commitments, and a representative of the public service
with the most open commitments there. ``Counts.accounts`` holds their emails in that order
(empty without a password).

``bench_data_command`` is the ``portal bench-data`` command that runs ``build``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal.accounts.services import NewAccount, create_user
from portal.commitments.models import (
    OPEN_STATUSES,
    Commitment,
    CommitmentStatus,
    DueDateChange,
    ProgressUpdate,
    Validation,
    commitment_comunas,
    commitment_initiatives,
)
from portal.core import clock
from portal.extensions import db
from portal.initiatives.models import (
    BeneficiaryUnit,
    EvaluationResult,
    FundingLine,
    FundingSource,
    Initiative,
    InitiativeKind,
    Ownership,
    Stage,
    Status,
    StatusChange,
    initiative_comunas,
)
from portal.meetings.models import (
    Agreement,
    ApprovalMode,
    DecisionMode,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    MinutesStatus,
    Modality,
)
from portal.mesas.models import (
    ActorType,
    FoundingInstrument,
    Membership,
    Mesa,
    MesaKind,
    MesaStatus,
    Organization,
    Person,
    Role,
)
from portal.mesas.models import OrganizationKind as Kind
from portal.places.models import (
    Comuna,
    Province,
    Region,
    Territory,
    TerritoryComuna,
    TerritoryPhase,
    TerritoryStage,
    TerritoryStatus,
)
from portal.plans.models import (
    Direction,
    Indicator,
    IndicatorKind,
    IndicatorTarget,
    Measurement,
    PeriodKind,
    Plan,
    PlanVersion,
)
from portal.plans.services import matrix_of
from portal.portfolios.models import (
    LineFunding,
    Phase,
    Portfolio,
    PortfolioLine,
    PortfolioStep,
    PortfolioVersion,
    StepKind,
)
from portal.reference.models import StrategicObjective

SEED = 2026
MAX_SCALE = 2.0
# Objects added to the session between two commits.
BATCH = 4000
# What scale 1 holds; ``counts_for`` derives the rest.
NATIONAL = {
    "territories": 60,
    "mesas": 600,
    "people": 30_000,
    "sessions": 3_000,
    "initiatives": 30_000,
    "commitments": 100_000,
    "updates": 500_000,
}
LINES_PER_PORTFOLIO = 20
# Members of each thematic mesa who also sit at their territory's mesa territorial.
DELEGATES = 2
PLAN_YEARS = 3
TARGETS_PER_INDICATOR = PLAN_YEARS
# Commitments written per batch (with their updates and the rest, about 3,500 objects).
COMMITMENTS_PER_BATCH = 500
EMPTY_ONLY = "bench-data fills an empty database; use a database of its own."
ACCOUNT_EMAILS = (
    "presidencia@banco.example",
    "secretaria@banco.example",
    "servicio@banco.example",
)

# (name, kind, actor type, weight: how many commitments it takes, relatively); bench/dashboard.py
# builds its institutions from this list too.
INSTITUTIONS = [
    ("Dirección de Vialidad", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 12),
    ("Dirección de Obras Hidráulicas", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 8),
    ("INDAP", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 12),
    ("SERCOTEC", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 6),
    ("CORFO", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 5),
    ("FOSIS", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 5),
    ("SAG", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 4),
    ("CONAF", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 3),
    ("CONADI", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 3),
    ("SERNATUR", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 4),
    ("JUNAEB", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 2),
    ("SERVIU", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 4),
    ("ENAMI", Kind.PUBLIC_SERVICE, ActorType.PUBLIC, 2),
    ("Gobierno Regional", Kind.REGIONAL_GOVERNMENT, ActorType.PUBLIC, 10),
    *(
        (f"Municipalidad {n}", Kind.MUNICIPALITY, ActorType.PUBLIC, 3)
        for n in ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N")
    ),
    *((f"Empresa {n}", Kind.COMPANY, ActorType.PRIVATE, 1) for n in "ABCDE"),
    *((f"Cooperativa {n}", Kind.COOPERATIVE, ActorType.SOCIAL, 1) for n in "ABC"),
    *((f"Junta de vecinos {n}", Kind.COMMUNITY_ORGANIZATION, ActorType.SOCIAL, 1) for n in "AB"),
    ("Universidad de banco", Kind.UNIVERSITY, ActorType.KNOWLEDGE, 1),
    ("INIA", Kind.PUBLIC_SERVICE, ActorType.KNOWLEDGE, 1),
]

# Words for the texts ---------------------------------------------------------------------------

THEMES = (
    "ganadería caprina",
    "turismo rural",
    "berries",
    "minería artesanal",
    "agua potable rural",
    "conectividad",
    "pesca artesanal",
    "apicultura",
    "vitivinicultura campesina",
    "leña y energía",
    "educación rural",
    "salud rural",
)
# Invented localities (common Chilean place words; no address is meant).
LOCALITIES = (
    "El Maitén",
    "Los Boldos",
    "La Quebrada",
    "Las Cardas",
    "El Romeral",
    "Los Quillayes",
    "La Higuera Alta",
    "El Espinal",
    "Las Mollacas",
    "Cerro Blanco",
    "El Tambo",
    "Los Aromos",
    "La Vega Norte",
    "El Chañar",
    "Las Palmas",
    "Piedra Colgada",
    "Los Peumos",
    "El Manzano",
    "La Totora",
    "Agua Amarga",
)
WORKS = (
    "estanque de acumulación de agua potable rural",
    "camino vecinal",
    "sede social",
    "sala de ordeña caprina",
    "sistema de riego tecnificado",
    "posta de salud rural",
    "puente peatonal",
    "paradero de buses",
    "invernadero comunitario",
    "centro de acopio de leña seca",
    "señalética turística",
    "cierre perimetral de praderas",
    "planta de tratamiento de aguas servidas",
    "antena de telefonía móvil",
    "cancha multiuso",
    "taller de procesamiento de berries",
    "bodega de insumos apícolas",
    "mirador turístico",
    "red de alumbrado público",
    "pozo profundo",
)
SUBJECTS = (
    "manejo sanitario del ganado caprino",
    "riego tecnificado",
    "comercialización de miel",
    "turismo rural",
    "postulación a fondos concursables",
    "inocuidad alimentaria",
    "cosecha de aguas lluvia",
    "formalización de faenas mineras",
    "venta directa de productos campesinos",
    "eficiencia energética en las viviendas",
)
VERBS = (
    "Construir",
    "Mejorar",
    "Reparar",
    "Habilitar",
    "Ampliar",
    "Diseñar",
    "Licitar",
    "Financiar",
)
NOUNS = (
    "Construcción de",
    "Mejoramiento de",
    "Reposición de",
    "Ampliación de",
    "Habilitación de",
    "Estudio de prefactibilidad de",
    "Diseño de",
    "Conservación de",
)
DELIVERABLES = (
    "{verb} {work} en el sector {place}",
    "{verb} {work} de {place} antes del invierno",
    "{verb} {work} para {n} familias de {place}",
    "Asistencia técnica a {n} productores de {place} en {subject}",
    "Capacitación de {n} personas de {place} en {subject}",
    "Postular {work} de {place} al Fondo Nacional de Desarrollo Regional",
)
STATEMENTS = (
    "Solicitar a {institution} un informe sobre {work} de {place} para la próxima sesión.",
    "Priorizar la iniciativa de {work} en {place} para la cartera del territorio.",
    "Conformar una comisión de trabajo sobre {subject}, con tres integrantes de la mesa.",
    "Invitar a {institution} a exponer sobre {subject} en la próxima sesión.",
    "Realizar una visita a terreno a {place} para revisar {work}.",
    "Pedir a {institution} que informe el avance de {work} de {place}.",
    "Aprobar el programa de trabajo de la mesa sobre {subject} para este año.",
)
PLAN_STATEMENT = (
    "La mesa territorial aprueba el plan trienal del territorio, con sus objetivos,"
    " indicadores y metas, y la cartera de iniciativas que lo acompaña."
)
UPDATES = (
    "Se elaboraron las bases de licitación.",
    "Se publicó la licitación en Mercado Público.",
    "Se adjudicó la obra; el contrato está en firma.",
    "La empresa contratista inició las faenas.",
    "Se entregaron los materiales a las familias beneficiarias.",
    "Avance de obra según la carta Gantt; la inspección técnica no tiene observaciones.",
    "Se realizó la visita técnica a terreno con integrantes de la mesa.",
    "Se firmó el convenio de transferencia con la municipalidad.",
    "Se obtuvo la recomendación favorable (RS) del Ministerio de Desarrollo Social.",
    "Las lluvias atrasaron los trabajos; el plazo se recupera el próximo mes.",
    "Se recibió la obra en forma provisoria.",
    "Se capacitó al primer grupo de productores.",
)
RESCHEDULE_REASONS = (
    "La licitación se declaró desierta y se volvió a publicar.",
    "Las lluvias del invierno impidieron trabajar en terreno.",
    "El convenio con la municipalidad tardó en tramitarse.",
    "El presupuesto del año se aprobó más tarde de lo previsto.",
)
CANCEL_REASONS = (
    "La comunidad prefirió otra solución, acordada en la mesa.",
    "La iniciativa quedó cubierta por un programa sectoral.",
    "El terreno no cuenta con los permisos necesarios.",
)
OFFICIALS = {
    Kind.PUBLIC_SERVICE: ("Director regional", "Jefa de área", "Encargado de fomento"),
    Kind.MUNICIPALITY: ("Alcaldesa", "Director de Desarrollo Comunitario", "Secplan"),
    Kind.REGIONAL_GOVERNMENT: ("Jefa de la División de Planificación", "Gobernador regional"),
    Kind.COMPANY: ("Gerente de sustentabilidad",),
    Kind.COOPERATIVE: ("Presidenta de la cooperativa",),
    Kind.COMMUNITY_ORGANIZATION: ("Presidente de la junta de vecinos",),
    Kind.UNIVERSITY: ("Directora de vinculación con el medio",),
}
OBJECTIVES = (
    "Asegurar el acceso al agua potable y al riego",
    "Mejorar la conectividad física y digital de las localidades aisladas",
    "Fortalecer la producción y la comercialización de los productores locales",
    "Desarrollar el turismo rural con identidad local",
    "Mejorar el acceso a la salud y a la educación rural",
)
# name, kind, unit, direction, source, baseline (from, to)
INDICATORS = (
    ("Hogares rurales con agua potable segura", "focus", "%", "up", "Catastro DOH", (40, 70)),
    ("Hectáreas con riego tecnificado", "operational", "ha", "up", "Registro CNR", (100, 600)),
    ("Localidades con internet móvil", "focus", "localidades", "up", "Subtel", (5, 30)),
    ("Kilómetros de caminos mejorados", "operational", "km", "up", "Vialidad", (10, 120)),
    ("Productores con resolución sanitaria", "operational", "productores", "up", "SEREMI", (5, 60)),
    ("Tiempo de viaje a la capital comunal", "focus", "minutos", "down", "Vialidad", (40, 120)),
    (
        "Emprendimientos turísticos registrados",
        "operational",
        "registros",
        "up",
        "Sernatur",
        (8, 50),
    ),
    ("Hogares bajo la línea de pobreza", "focus", "%", "down", "Encuesta Casen", (12, 30)),
)


# Counts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """How many of each ``build`` writes (``counts_for``: how many it will write). ``accounts``
    holds the emails of the accounts made (chair, secretary, service representative), or
    nothing when no password was given; ``counts_for`` leaves it empty."""

    territories: int
    territory_comunas: int
    mesas: int
    organizations: int
    people: int
    memberships: int
    sessions: int
    agreements: int
    initiatives: int
    portfolios: int
    portfolio_lines: int
    plans: int
    objectives: int
    indicators: int
    targets: int
    measurements: int
    commitments: int
    updates: int
    accounts: tuple[str, ...] = ()

    def summary(self) -> str:
        return ", ".join(
            f"{getattr(self, field.name):,} {field.name.replace('_', ' ')}"
            for field in dataclasses.fields(self)
            if field.name != "accounts"
        )


def _spread(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` as even as can be, the larger parts first."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _comunas_of(t: int) -> int:
    return 3 + t % 4


def _objectives_of(t: int) -> int:
    return 3 + t % 2


def _indicators_of(t: int, o: int) -> int:
    return 2 + (t + o) % 3


def _measurements_of(t: int, o: int, i: int) -> int:
    return 1 + (t + o + i) % 3


@dataclass(frozen=True)
class _Layout:
    """How the counts fall on each territory, mesa and session (no randomness: ``counts_for``
    and ``build`` read the same layout)."""

    territories: int
    mesas_of: list[int]  # per territory; the first of each is its mesa territorial
    people_of: list[int]  # per mesa, in the order of the territories
    sessions_of: list[int]  # per mesa
    agreements_in: list[int]  # per session, before ``build`` shuffles them
    initiatives_of: list[int]  # per territory
    commitments: int
    updates: int


def _count(name: str, scale: float) -> int:
    return max(1, round(NATIONAL[name] * scale))


def _layout(scale: float) -> _Layout:
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"the scale must be above 0 and at most {MAX_SCALE:g}, not {scale}")
    territories = _count("territories", scale)
    mesas = max(territories, _count("mesas", scale))
    # At least a chair, a secretary and one service representative at each mesa.
    people = max(3 * mesas, _count("people", scale))
    sessions = max(mesas, _count("sessions", scale))
    initiatives = max(territories, _count("initiatives", scale))
    return _Layout(
        territories=territories,
        mesas_of=_spread(mesas, territories),
        people_of=_spread(people, mesas),
        sessions_of=_spread(sessions, mesas),
        agreements_in=[1 + k % 3 for k in range(sessions)],
        initiatives_of=_spread(initiatives, territories),
        commitments=_count("commitments", scale),
        updates=_count("updates", scale),
    )


def counts_for(scale: float) -> Counts:
    """What ``build(scale)`` writes. Scale 1 is the national dataset; the scale must be above
    0 and at most ``MAX_SCALE`` (ValueError otherwise)."""
    layout = _layout(scale)
    t_range = range(layout.territories)
    indicators = [
        (t, o, i)
        for t in t_range
        for o in range(_objectives_of(t))
        for i in range(_indicators_of(t, o))
    ]
    thematic = sum(layout.mesas_of) - layout.territories
    return Counts(
        territories=layout.territories,
        territory_comunas=sum(_comunas_of(t) for t in t_range),
        mesas=sum(layout.mesas_of),
        organizations=len(INSTITUTIONS),
        people=sum(layout.people_of),
        memberships=sum(layout.people_of) + DELEGATES * thematic,
        sessions=sum(layout.sessions_of),
        agreements=sum(layout.agreements_in),
        initiatives=sum(layout.initiatives_of),
        portfolios=layout.territories,
        portfolio_lines=sum(min(LINES_PER_PORTFOLIO, n) for n in layout.initiatives_of),
        plans=layout.territories,
        objectives=sum(_objectives_of(t) for t in t_range),
        indicators=len(indicators),
        targets=TARGETS_PER_INDICATOR * len(indicators),
        measurements=sum(_measurements_of(t, o, i) for t, o, i in indicators),
        commitments=layout.commitments,
        updates=layout.updates,
    )


# Building --------------------------------------------------------------------------------------


@dataclass
class _Mesa:
    id: int
    territory: int  # index of the territory
    kind: MesaKind
    name: str
    # (meeting id, its day, its agreement ids), in order, once the sessions are written.
    meetings: list[tuple[int, dt.date, list[int]]] = dataclasses.field(default_factory=list)


class _Builder:
    def __init__(
        self, scale: float, seed: int, echo: Callable[[str], None], password: str | None
    ) -> None:
        self.layout = _layout(scale)
        self.rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
        self.echo = echo
        self.password = password
        self.now = clock.now()
        self.today = clock.today()
        self.pending = 0
        # Kept between batches: ids and small facts only.
        self.organizations: list[tuple[int, Kind, ActorType, int]] = []
        self.territories: list[tuple[int, str]] = []  # (id, name)
        self.comunas_of: list[list[int]] = []
        self.mesas: list[_Mesa] = []
        self.mesas_of: list[list[_Mesa]] = []
        self.plan_agreement: list[tuple[int, dt.date]] = []  # per territory
        self.objectives_of: list[list[int]] = []
        self.initiatives_of: list[list[int]] = []
        self.portfolio_money: list[list[tuple[int, list[tuple[FundingSource, int]]]]] = []
        self.built: dict[str, int] = {}

    # Writing in batches ---------------------------------------------------------------------

    def add(self, objects: Sequence[Any]) -> None:
        db.session.add_all(objects)
        self.pending += len(objects)

    def due(self) -> bool:
        return self.pending >= BATCH

    def commit(self) -> None:
        """Ends the batch: everything flushed (hooks run), committed, and let go of."""
        db.session.flush()
        db.session.commit()
        db.session.expunge_all()
        self.pending = 0

    def at(self, day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
        """That local time of ``day``, in UTC, never later than now."""
        moment = dt.datetime.combine(day, dt.time(hour, minute), clock.SANTIAGO)
        return min(moment.astimezone(dt.UTC), self.now)

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randrange(low, high))

    def words(self) -> dict[str, Any]:
        rng = self.rng
        return {
            "verb": rng.choice(VERBS),
            "work": rng.choice(WORKS),
            "place": rng.choice(LOCALITIES),
            "subject": rng.choice(SUBJECTS),
            "n": rng.randrange(8, 120),
            "institution": rng.choice(INSTITUTIONS)[0],
        }

    # The steps ------------------------------------------------------------------------------

    def run(self) -> Counts:
        if db.session.scalar(sa.select(Territory.id).limit(1)) is not None:
            raise ValueError(EMPTY_ONLY)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("institutions", self.institutions),
            ("territories and mesas", self.territories_and_mesas),
            ("people and memberships", self.people),
            ("sessions, actas and agreements", self.sessions),
            ("plans and indicators", self.plans),
            ("initiatives", self.initiatives),
            ("portfolios", self.portfolios),
            ("commitments and progress updates", self.commitments),
        ]
        for label, step in steps:
            started = time.perf_counter()
            step()
            self.echo(f"  {label}: {time.perf_counter() - started:.1f} s")
        accounts = self.accounts() if self.password is not None else ()
        return Counts(**self.built, accounts=accounts)

    def institutions(self) -> None:
        rows = [
            Organization(name=name, short_name="", kind=kind, actor_type=actor, created_at=self.now)
            for name, kind, actor, _ in INSTITUTIONS
        ]
        self.add(rows)
        db.session.flush()
        self.organizations = [
            (org.id, kind, actor, weight)
            for org, (_, kind, actor, weight) in zip(rows, INSTITUTIONS, strict=True)
        ]
        self.commit()
        self.built["organizations"] = len(rows)

    def _regions(self) -> list[list[int]]:
        """The comunas of each region, north to south."""
        rows = db.session.execute(
            sa.select(Region.id, Comuna.id)
            .join(Province, Province.region_id == Region.id)
            .join(Comuna, Comuna.province_id == Province.id)
            .order_by(Region.position, Comuna.code)
        ).all()
        by_region: dict[int, list[int]] = {}
        for region_id, comuna_id in rows:
            by_region.setdefault(region_id, []).append(comuna_id)
        if not by_region:
            raise LookupError(
                "The places of Chile are missing: run `portal db upgrade` (or sync_places) first."
            )
        return list(by_region.values())

    def territories_and_mesas(self) -> None:
        rng = self.rng
        regions = self._regions()
        region_ids = dict(
            db.session.execute(
                sa.select(Comuna.id, Province.region_id).join(
                    Province, Province.id == Comuna.province_id
                )
            ).all()
        )
        unused = [list(comunas) for comunas in regions]
        turn = 0
        rows: list[tuple[Territory, list[Mesa]]] = []
        for t, n_mesas in enumerate(self.layout.mesas_of):
            wanted = _comunas_of(t)
            # Round the regions north to south, passing over those with too few comunas left;
            # once every region is used up (only above scale 1), comunas are shared.
            for step in range(len(regions)):
                r = (turn + step) % len(regions)
                if len(unused[r]) >= wanted:
                    break
            else:
                r = turn % len(regions)
            turn = r + 1
            comunas = unused[r][:wanted]
            del unused[r][:wanted]
            for comuna in regions[r]:
                if len(comunas) == wanted:
                    break
                if comuna not in comunas:
                    comunas.append(comuna)
            number = t + 1
            decree_on = dt.date(2014, 8, 2) + dt.timedelta(days=7 * t)
            territory = Territory(
                name=f"Territorio de banco {number:02d}",
                slug=f"banco-{number:02d}",
                region_id=region_ids[comunas[0]],
                phase=TerritoryPhase.TRIENNIAL_PLAN,
                status=TerritoryStatus.LAGGING,
                decree=f"Decreto de banco N° {number}",
                decree_on=decree_on,
                created_at=self.now,
            )
            territory.memberships = [
                TerritoryComuna(comuna_id=c, valid_from=decree_on, note="") for c in comunas
            ]
            stage = TerritoryStage(
                territory=territory,
                phase=TerritoryPhase.TRIENNIAL_PLAN,
                status=TerritoryStatus.LAGGING,
                since=decree_on,
                decree=territory.decree,
                decree_on=decree_on,
                reason="Declarado territorio rezagado.",
            )
            mesas = []
            for k in range(n_mesas):
                founded = self.days_ago(1_000, 1_400)
                if k == 0:
                    kind, theme = MesaKind.TERRITORIAL, ""
                    name = f"Mesa territorial del {territory.name}"
                    chair_title = "Delegado/a Presidencial Provincial"
                else:
                    kind, theme = MesaKind.THEMATIC, THEMES[(k - 1) % len(THEMES)]
                    name = f"Mesa de {theme} del {territory.name}"
                    if k > len(THEMES):
                        name += f" ({k // len(THEMES) + 1})"
                    chair_title = ""
                mesas.append(
                    Mesa(
                        slug=f"banco-{number:02d}-mesa-{k + 1:02d}",
                        name=name,
                        kind=kind,
                        theme=theme,
                        territory=territory,
                        description=(
                            f"Mesa de trabajo de {theme or 'todo el territorio'}: productores,"
                            " organizaciones sociales y servicios públicos acuerdan y siguen las"
                            " iniciativas del plan."
                        ),
                        status=MesaStatus.ACTIVE,
                        status_since=founded,
                        pre_existing=rng.random() < 0.2,
                        founding_instrument=FoundingInstrument.CONSTITUTIVE_MINUTES,
                        founded_on=founded,
                        chair_title=chair_title,
                        created_at=self.at(founded),
                    )
                )
            self.add([territory, stage, *territory.memberships, *mesas])
            rows.append((territory, mesas))
            self.comunas_of.append(comunas)
        db.session.flush()
        for t, (territory, mesas) in enumerate(rows):
            self.territories.append((territory.id, territory.name))
            own = [_Mesa(m.id, t, m.kind, m.name) for m in mesas]
            self.mesas_of.append(own)
            self.mesas.extend(own)
        self.commit()
        self.built["territories"] = len(self.territories)
        self.built["territory_comunas"] = sum(len(c) for c in self.comunas_of)
        self.built["mesas"] = len(self.mesas)

    def people(self) -> None:
        rng = self.rng
        public = [
            o
            for o in self.organizations
            if o[1] == Kind.PUBLIC_SERVICE and o[2] == ActorType.PUBLIC
        ]
        municipal = [o for o in self.organizations if o[1] == Kind.MUNICIPALITY]
        regional = next(o for o in self.organizations if o[1] == Kind.REGIONAL_GOVERNMENT)
        social = [o for o in self.organizations if o[2] in (ActorType.SOCIAL, ActorType.PRIVATE)]
        knowledge = [o for o in self.organizations if o[2] == ActorType.KNOWLEDGE]
        number = 0
        people = memberships = 0
        people_of = iter(self.layout.people_of)
        for mesas in self.mesas_of:
            # Who of each thematic mesa sits at the mesa territorial: its chair and a member.
            delegates: dict[int, tuple[Person, Person]] = {}
            objects: list[Any] = []
            sizes = [next(people_of) for _ in mesas]
            # The thematic mesas first: their delegates then sit at the mesa territorial.
            for k in [*range(1, len(mesas)), 0]:
                mesa, size = mesas[k], sizes[k]
                started = self.days_ago(900, 1_000)
                reps = max(1, min(8, (size - 2) // 6))
                observers = 2 if size >= 12 else 0
                services = rng.sample(public, min(reps, len(public)))
                roster: list[Person] = []
                for i in range(size):
                    number += 1
                    person = Person(name=f"Persona {number:05d}", created_at=self.at(started))
                    if i == 0:
                        role = Role.CHAIR
                        org = regional if mesa.kind == MesaKind.TERRITORIAL else None
                        actor = ActorType.PUBLIC if org else ActorType.SOCIAL
                    elif i == 1:
                        role, org, actor = Role.SECRETARY, rng.choice(municipal), ActorType.PUBLIC
                    elif i < 2 + reps:
                        role, org = Role.SERVICE_REP, services[(i - 2) % len(services)]
                        actor = ActorType.PUBLIC
                    elif i >= size - observers:
                        role, org = Role.OBSERVER, rng.choice(knowledge)
                        actor = ActorType.KNOWLEDGE
                    else:
                        role = Role.MEMBER
                        org = rng.choice(social) if rng.random() < 0.3 else None
                        actor = org[2] if org else ActorType.SOCIAL
                    objects.append(person)
                    objects.append(
                        Membership(
                            mesa_id=mesa.id,
                            person=person,
                            role=role,
                            organization_id=org[0] if org else None,
                            actor_type=actor,
                            started_on=started,
                            share_email=rng.random() < 0.5,
                            share_phone=rng.random() < 0.3,
                            created_at=self.at(started),
                        )
                    )
                    roster.append(person)
                delegates[k] = (roster[0], roster[min(2 + reps, size - 1)])
                people += size
                memberships += size
            territorial = mesas[0]
            for k in range(1, len(mesas)):
                for person in delegates[k][:DELEGATES]:
                    started = self.days_ago(700, 900)
                    objects.append(
                        Membership(
                            mesa_id=territorial.id,
                            person=person,
                            role=Role.MEMBER,
                            actor_type=ActorType.SOCIAL,
                            is_delegate=True,
                            started_on=started,
                            created_at=self.at(started),
                        )
                    )
                    memberships += 1
            self.add(objects)
            if self.due():
                self.commit()
        self.commit()
        self.built["people"] = people
        self.built["memberships"] = memberships

    def sessions(self) -> None:
        rng = self.rng
        per_session = list(self.layout.agreements_in)
        rng.shuffle(per_session)
        counts = iter(per_session)
        batch: list[tuple[_Mesa, list[tuple[Meeting, dt.date, list[Agreement]]]]] = []
        sessions = agreements = 0
        end = self.today - dt.timedelta(days=21)
        for mesa, n in zip(self.mesas, self.layout.sessions_of, strict=True):
            start = self.today - dt.timedelta(days=900 - rng.randrange(0, 60))
            span = (end - start).days
            step = span // n
            numbers: dict[int, int] = {}
            held: list[tuple[Meeting, dt.date, list[Agreement]]] = []
            objects: list[Any] = []
            for k in range(n):
                day = start + dt.timedelta(days=step * k + rng.randrange(0, max(1, step // 3)))
                starts = self.at(day, 15)
                place = rng.choice(LOCALITIES)
                meeting = Meeting(
                    mesa_id=mesa.id,
                    number=k + 1,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=2, minutes=30),
                    place=f"Sede social de {place}",
                    modality=rng.choices(
                        (Modality.IN_PERSON, Modality.HYBRID, Modality.ONLINE), (70, 20, 10)
                    )[0],
                    kind=MeetingKind.CONSTITUTIVE if k == 0 else MeetingKind.ORDINARY,
                    status=MeetingStatus.HELD,
                    unnamed_attendees=rng.randrange(0, 15),
                    agenda_sent_at=starts - dt.timedelta(days=5),
                    created_at=starts - dt.timedelta(days=12),
                    updated_at=starts + dt.timedelta(days=1),
                )
                found = []
                for a in range(next(counts)):
                    numbers[day.year] = numbers.get(day.year, 0) + 1
                    words = self.words()
                    plan = mesa.kind == MesaKind.TERRITORIAL and k == n - 1 and a == 0
                    vote = rng.random() < 0.2
                    found.append(
                        Agreement(
                            mesa_id=mesa.id,
                            meeting=meeting,
                            year=day.year,
                            number=numbers[day.year],
                            statement=PLAN_STATEMENT
                            if plan
                            else rng.choice(STATEMENTS).format(**words),
                            decision_mode=DecisionMode.VOTE if vote else DecisionMode.CONSENSUS,
                            votes_for=rng.randrange(10, 30) if vote else None,
                            votes_against=rng.randrange(0, 5) if vote else None,
                            votes_abstaining=rng.randrange(0, 4) if vote else None,
                            dissent=(
                                "Dos integrantes piden esperar el informe técnico antes de decidir."
                                if vote and rng.random() < 0.5
                                else ""
                            ),
                            created_at=meeting.ends_at,
                        )
                    )
                held.append((meeting, day, found))
                objects.append(meeting)
                objects.extend(found)
            for k, (meeting, day, found) in enumerate(held):
                later = held[k + 1] if k + 1 < len(held) else None
                approved_on = later[1] if later else min(self.today, day + dt.timedelta(days=10))
                minutes = Minutes(
                    meeting=meeting,
                    status=MinutesStatus.PUBLISHED,
                    circulated_at=self.at(day + dt.timedelta(days=3), 10),
                    approval_mode=ApprovalMode.IN_SESSION if later else ApprovalMode.BY_CHAIR,
                    approved_on=approved_on,
                    approved_in=later[0] if later else None,
                    published_at=self.at(approved_on + dt.timedelta(days=1), 11),
                    created_at=self.at(day + dt.timedelta(days=1), 10),
                )
                text = self.acta(mesa, meeting, found)
                revision = MinutesRevision(
                    minutes=minutes,
                    number=1,
                    text=text,
                    status_then=MinutesStatus.DRAFT,
                    created_at=minutes.created_at,
                )
                objects += [minutes, revision]
            self.add(objects)
            batch.append((mesa, held))
            sessions += len(held)
            agreements += sum(len(found) for _, _, found in held)
            if self.due():
                self._keep_sessions(batch)
        self._keep_sessions(batch)
        for mesas in self.mesas_of:
            _meeting, day, found = mesas[0].meetings[-1]
            self.plan_agreement.append((found[0], day))
        self.built["sessions"] = sessions
        self.built["agreements"] = agreements

    def _keep_sessions(
        self, batch: list[tuple[_Mesa, list[tuple[Meeting, dt.date, list[Agreement]]]]]
    ) -> None:
        db.session.flush()
        for mesa, held in batch:
            mesa.meetings = [(m.id, day, [a.id for a in found]) for m, day, found in held]
        batch.clear()
        self.commit()

    def acta(self, mesa: _Mesa, meeting: Meeting, found: list[Agreement]) -> str:
        rng = self.rng
        words = self.words()
        agreed = "\n".join(f"{n}. {a.statement}" for n, a in enumerate(found, start=1))
        return (
            f"## Acta de la sesión {meeting.number}\n\n"
            f"**Mesa:** {mesa.name}  \n**Lugar:** {meeting.place}  \n"
            f"**Asistentes:** {rng.randrange(12, 40)} integrantes y"
            f" {meeting.unnamed_attendees} vecinas y vecinos.\n\n"
            "### Tabla\n\n"
            "1. Lectura y aprobación del acta anterior.\n"
            f"2. Avance de {words['work']} de {words['place']}.\n"
            f"3. Exposición sobre {words['subject']}.\n"
            "4. Varios.\n\n"
            "### Desarrollo\n\n"
            f"La secretaría da cuenta de los compromisos vigentes. {words['institution']}"
            f" informa el estado de {words['work']} y responde las consultas de la mesa.\n\n"
            f"### Acuerdos\n\n{agreed}\n"
        )

    def plans(self) -> None:
        rng = self.rng
        first_year = self.today.year - 1
        years = range(first_year, first_year + PLAN_YEARS)
        baseline_on = dt.date(first_year - 2, 12, 31)
        made = dict.fromkeys(("plans", "objectives", "indicators", "targets", "measurements"), 0)
        for t, (territory_id, _name) in enumerate(self.territories):
            objectives = []
            for o in range(_objectives_of(t)):
                objective = StrategicObjective(
                    territory_id=territory_id,
                    code=f"OE{o + 1}",
                    title=OBJECTIVES[(t + o) % len(OBJECTIVES)],
                    position=o,
                )
                objectives.append(objective)
                for i in range(_indicators_of(t, o)):
                    name, kind, unit, direction, source, (low, high) = INDICATORS[
                        (t + 2 * o + i) % len(INDICATORS)
                    ]
                    base = Decimal(rng.randrange(low, high))
                    step = max(Decimal(1), (base * Decimal("0.08")).quantize(Decimal(1)))
                    sign = 1 if direction == "up" else -1
                    targets = [
                        IndicatorTarget(year=y, value=base + sign * step * (y - first_year + 1))
                        for y in years
                    ]
                    measured = [
                        Measurement(
                            measured_on=baseline_on + dt.timedelta(days=180 * (j + 1)),
                            value=base + sign * Decimal(rng.randrange(0, 2 * int(step) + 1)),
                            source=f"{source}, medición {j + 1}",
                            created_at=self.at(baseline_on + dt.timedelta(days=180 * (j + 1) + 20)),
                        )
                        for j in range(_measurements_of(t, o, i))
                    ]
                    self.add(
                        [
                            Indicator(
                                objective=objective,
                                code=f"I{o + 1}.{i + 1}",
                                name=name,
                                kind=IndicatorKind(kind),
                                unit=unit,
                                direction=Direction(direction),
                                source=source,
                                baseline_value=base,
                                baseline_on=baseline_on,
                                baseline_source=f"{source}, {baseline_on.year}",
                                position=i,
                                targets=targets,
                                measurements=measured,
                            ),
                            *targets,
                            *measured,
                        ]
                    )
                    made["indicators"] += 1
                    made["targets"] += len(targets)
                    made["measurements"] += len(measured)
            plan = Plan(
                territory_id=territory_id,
                kind=PeriodKind.TRIENNIAL,
                first_year=years[0],
                last_year=years[-1],
                planned_total=rng.randrange(5, 40) * 1_000_000_000,
                created_at=self.at(self.today - dt.timedelta(days=400)),
            )
            self.add([*objectives, plan])
            db.session.flush()
            # The frozen matrix, exactly as the plan's own service freezes it.
            matrix = matrix_of(db.session.get(Territory, territory_id), plan)
            agreement_id, day = self.plan_agreement[t]
            self.add(
                [
                    PlanVersion(
                        plan=plan,
                        number=1,
                        matrix=json.dumps(matrix, ensure_ascii=False, sort_keys=True),
                        agreement_id=agreement_id,
                        sanctioned_on=min(self.today, day + dt.timedelta(days=20)),
                        sanction_document="Acta de la mesa técnica regional",
                        created_at=self.at(day, 18),
                    )
                ]
            )
            self.objectives_of.append([o.id for o in objectives])
            made["plans"] += 1
            made["objectives"] += len(objectives)
            if self.due():
                self.commit()
        self.commit()
        self.built.update(made)

    def initiatives(self) -> None:
        rng = self.rng
        statuses = (
            (Status.DRAFT, 5),
            (Status.PROPOSED, 20),
            (Status.IN_DELIBERATION, 15),
            (Status.PRIORITIZED, 12),
            (Status.PRESENTED, 10),
            (Status.IN_PORTFOLIO, 8),
            (Status.APPROVED, 8),
            (Status.IN_EXECUTION, 10),
            (Status.COMPLETED, 5),
            (Status.WITHDRAWN, 4),
            (Status.DISCARDED, 3),
        )
        in_portfolio = (Status.IN_PORTFOLIO, Status.APPROVED, Status.IN_EXECUTION)
        stage_of = {
            Status.DRAFT: Stage.IDEA,
            Status.PROPOSED: Stage.IDEA,
            Status.IN_DELIBERATION: Stage.PROFILE,
            Status.PRIORITIZED: Stage.PROFILE,
            Status.PRESENTED: Stage.PROFILE,
            Status.IN_PORTFOLIO: Stage.DESIGN,
            Status.APPROVED: Stage.DESIGN,
            Status.IN_EXECUTION: Stage.EXECUTION,
            Status.COMPLETED: Stage.FINISHED,
            Status.WITHDRAWN: Stage.IDEA,
            Status.DISCARDED: Stage.PROFILE,
        }
        choices, weights = zip(*statuses, strict=True)
        cumulative = list(accumulate(weights))
        responsible = [o[0] for o in self.organizations if o[2] == ActorType.PUBLIC]
        proposing = [o[0] for o in self.organizations if o[2] != ActorType.PUBLIC]
        batch: list[tuple[int, Initiative, list[tuple[FundingSource, int]], int | None]] = []
        total = 0
        for t, n in enumerate(self.layout.initiatives_of):
            territory_id = self.territories[t][0]
            mesas = self.mesas_of[t][1:] or self.mesas_of[t]
            lines = min(LINES_PER_PORTFOLIO, n)
            self.initiatives_of.append([])
            self.portfolio_money.append([])
            for k in range(n):
                words = self.words()
                portfolio = k < lines
                status = (
                    rng.choice(in_portfolio)
                    if portfolio
                    else rng.choices(choices, cum_weights=cumulative)[0]
                )
                kind = InitiativeKind.INVESTMENT if portfolio else rng.choice(list(InitiativeKind))
                cost = rng.randrange(20, 2_000) * 1_000_000
                created = self.days_ago(200, 1_000)
                title = f"{rng.choice(NOUNS)} {words['work']} de {words['place']}"
                initiative = Initiative(
                    mesa_id=rng.choice(mesas).id,
                    territory_id=territory_id,
                    title=title,
                    # Short texts: indexing them (stemming every word, in Python) is most of
                    # what an initiative costs to write.
                    summary=f"Para {words['n']} familias de {words['place']}.",
                    description=(
                        f"**Propuesta.** Con apoyo de {words['institution']}.\n\n"
                        f"- Tema: {words['subject']}\n"
                    ),
                    kind=kind,
                    ownership=rng.choices(list(Ownership), (80, 10, 10))[0],
                    objective_id=rng.choice(self.objectives_of[t]) if rng.random() < 0.8 else None,
                    localities=words["place"],
                    beneficiaries=words["n"],
                    beneficiary_unit=BeneficiaryUnit.FAMILIES,
                    estimated_cost=cost if kind == InitiativeKind.INVESTMENT else None,
                    responsible_id=rng.choice(responsible) if rng.random() < 0.6 else None,
                    proposing_organization_id=rng.choice(proposing) if rng.random() < 0.3 else None,
                    evaluation_result=EvaluationResult.RS
                    if portfolio
                    else EvaluationResult.PENDING,
                    stage=stage_of[status],
                    status=status,
                    created_at=self.at(created),
                    updated_at=self.at(created + dt.timedelta(days=60)),
                )
                money: list[tuple[FundingSource, int]] = []
                if portfolio:
                    sources = rng.sample(
                        (FundingSource.FNDR, FundingSource.SECTORAL, FundingSource.COMMUNITY),
                        rng.randrange(1, 3),
                    )
                    money = [(s, rng.randrange(10, 900) * 1_000_000) for s in sources]
                    initiative.funding = [
                        FundingLine(
                            source=s,
                            amount=a,
                            ministry="Ministerio de Agricultura"
                            if s == FundingSource.SECTORAL
                            else "",
                        )
                        for s, a in money
                    ]
                changes = [
                    StatusChange(
                        initiative=initiative,
                        previous_status=None,
                        status=Status.DRAFT if status == Status.DRAFT else Status.PROPOSED,
                        created_at=self.at(created),
                    )
                ]
                if status not in (Status.DRAFT, Status.PROPOSED):
                    changes.append(
                        StatusChange(
                            initiative=initiative,
                            previous_status=Status.PROPOSED,
                            status=status,
                            reason="Acordado por la mesa."
                            if status not in (Status.WITHDRAWN, Status.DISCARDED)
                            else "La mesa prefirió otra solución para el mismo problema.",
                            created_at=self.at(created + dt.timedelta(days=60)),
                        )
                    )
                comuna = rng.choice(self.comunas_of[t]) if rng.random() < 0.6 else None
                self.add([initiative, *initiative.funding, *changes])
                batch.append((t, initiative, money, comuna))
                total += 1
                if self.due():
                    self._keep_initiatives(batch)
        self._keep_initiatives(batch)
        self.built["initiatives"] = total

    def _keep_initiatives(
        self, batch: list[tuple[int, Initiative, list[tuple[FundingSource, int]], int | None]]
    ) -> None:
        db.session.flush()
        links = []
        for t, initiative, money, comuna in batch:
            self.initiatives_of[t].append(initiative.id)
            if money:
                self.portfolio_money[t].append((initiative.id, money))
            if comuna is not None:
                links.append({"initiative_id": initiative.id, "comuna_id": comuna})
        if links:
            db.session.execute(sa.insert(initiative_comunas), links)
        batch.clear()
        self.commit()

    def portfolios(self) -> None:
        approvers = {
            FundingSource.FNDR: "Consejo Regional",
            FundingSource.SECTORAL: "Ministerio de Agricultura",
            FundingSource.COMMUNITY: "Organizaciones de la comunidad",
        }
        lines_made = 0
        for t, (territory_id, name) in enumerate(self.territories):
            agreement_id, day = self.plan_agreement[t]
            portfolio = Portfolio(
                territory_id=territory_id,
                mesa_id=self.mesas_of[t][0].id,
                title=f"Cartera trienal del {name}",
                phase=Phase.TRIENNIAL,
                created_at=self.at(day - dt.timedelta(days=30)),
            )
            version = PortfolioVersion(portfolio=portfolio, number=1, created_at=self.at(day, 18))
            step = PortfolioStep(
                version=version,
                kind=StepKind.AGREED,
                on=day,
                agreement_id=agreement_id,
                created_at=self.at(day, 18),
            )
            objects: list[Any] = [portfolio, version, step]
            for position, (initiative_id, money) in enumerate(self.portfolio_money[t], start=1):
                line = PortfolioLine(
                    version=version, position=position, initiative_id=initiative_id
                )
                objects.append(line)
                objects.extend(
                    LineFunding(line=line, source=s, amount=a, approver=approvers[s])
                    for s, a in money
                )
                lines_made += 1
            self.add(objects)
            if self.due():
                self.commit()
        self.commit()
        self.built["portfolios"] = len(self.territories)
        self.built["portfolio_lines"] = lines_made

    # Commitments ----------------------------------------------------------------------------

    def _allocate(self, total: int, n: int) -> list[int]:
        """``total`` updates over ``n`` commitments, at least one each, unevenly."""
        if total <= n:
            return [1] * total + [0] * (n - total)
        weights = [self.rng.uniform(0.2, 1.8) for _ in range(n)]
        factor = (total - n) / sum(weights)
        shares = [w * factor for w in weights]
        counts = [1 + int(s) for s in shares]
        short = total - sum(counts)
        by_fraction = sorted(range(n), key=lambda i: shares[i] - int(shares[i]), reverse=True)
        for i in by_fraction[:short]:
            counts[i] += 1
        return counts

    def commitments(self) -> None:
        rng = self.rng
        layout = self.layout
        flagged = [rng.random() < 0.8 for _ in range(layout.commitments)]
        if not any(flagged):
            flagged[0] = True
        allocated = iter(self._allocate(layout.updates, sum(flagged)))
        updates_of = [next(allocated) if f else 0 for f in flagged]
        del flagged
        territory_weights = list(accumulate(rng.uniform(0.5, 1.5) for _ in self.territories))
        org_weights = list(accumulate(o[3] for o in self.organizations))
        written = updates = 0
        report_every = max(1, layout.commitments // 10)
        for start in range(0, layout.commitments, COMMITMENTS_PER_BATCH):
            made = []
            for n_updates in updates_of[start : start + COMMITMENTS_PER_BATCH]:
                t = rng.choices(range(len(self.territories)), cum_weights=territory_weights)[0]
                org = rng.choices(self.organizations, cum_weights=org_weights)[0]
                made.append(self.commitment(t, org, n_updates))
            self.add([c for c, *_ in made])
            db.session.flush()
            children: list[Any] = []
            comunas, initiatives = [], []
            for commitment, later, comuna, initiative in made:
                for obj in later:
                    obj.commitment_id = commitment.id
                children.extend(later)
                if comuna is not None:
                    comunas.append({"commitment_id": commitment.id, "comuna_id": comuna})
                if initiative is not None:
                    initiatives.append(
                        {"commitment_id": commitment.id, "initiative_id": initiative}
                    )
                updates += sum(isinstance(obj, ProgressUpdate) for obj in later)
            self.add(children)
            if comunas:
                db.session.execute(sa.insert(commitment_comunas), comunas)
            if initiatives:
                db.session.execute(sa.insert(commitment_initiatives), initiatives)
            self.commit()
            before, written = written, written + len(made)
            if written // report_every != before // report_every and written < layout.commitments:
                self.echo(f"    {written:,} of {layout.commitments:,} commitments")
        self.built["commitments"] = written
        self.built["updates"] = updates

    def _status(self, past: bool, reported: bool) -> CommitmentStatus:
        s = CommitmentStatus
        if reported and past:
            options = ((s.FULFILLED, 50), (s.PARTLY_FULFILLED, 10), (s.NOT_FULFILLED, 8))
            options += ((s.CANCELLED, 4), (s.IN_PROGRESS, 28))
        elif reported:
            options = ((s.IN_PROGRESS, 85), (s.FULFILLED, 10), (s.CANCELLED, 5))
        elif past:
            options = ((s.PENDING, 35), (s.FULFILLED, 35), (s.NOT_FULFILLED, 20))
            options += ((s.CANCELLED, 10),)
        else:
            options = ((s.PENDING, 92), (s.CANCELLED, 8))
        statuses, weights = zip(*options, strict=True)
        return self.rng.choices(statuses, weights)[0]

    def commitment(
        self, t: int, org: tuple[int, Kind, ActorType, int], n_updates: int
    ) -> tuple[Commitment, list[Any], int | None, int | None]:
        """A commitment, the rows that hang from it (their ``commitment_id`` still to set),
        and the comuna and initiative it names, if any."""
        rng, today = self.rng, self.today
        mesa = rng.choice(self.mesas_of[t])
        meeting_id, committed_on, agreements = rng.choice(mesa.meetings)
        original = committed_on + dt.timedelta(days=rng.randrange(30, 540))
        due = original + dt.timedelta(days=rng.choice((0, 0, 0, 0, 60, 120)))
        status = self._status(due < today, n_updates > 0)
        day = dt.timedelta(days=1)
        done = cancelled = None
        if status in (CommitmentStatus.FULFILLED, CommitmentStatus.PARTLY_FULFILLED):
            done = original + dt.timedelta(days=rng.randrange(-60, 120))
            done = max(committed_on + day, min(done, today))
        elif status == CommitmentStatus.CANCELLED:
            cancelled = min(today, committed_on + dt.timedelta(days=rng.randrange(10, 200)))
        later: list[Any] = []
        last_at = self.at(committed_on, 18)
        if due != original:
            # While it was still open: before it was done or cancelled.
            midway = committed_on + (original - committed_on) // 2
            changed_on = min(done or today, cancelled or today, midway)
            later.append(
                DueDateChange(
                    previous_due_on=original,
                    new_due_on=due,
                    reason=rng.choice(RESCHEDULE_REASONS),
                    changed_at=self.at(changed_on, 17),
                )
            )
            last_at = max(last_at, self.at(changed_on, 17))
        # Progress updates, from a few weeks after the session to the end (or today).
        first_update = progress = reported_done = None
        if n_updates:
            end = done or cancelled or today
            if status == CommitmentStatus.NOT_FULFILLED:
                end = min(today, due + dt.timedelta(days=30))
            first = min(end, committed_on + dt.timedelta(days=rng.randrange(5, 60)))
            span = (end - first).days
            final = {
                CommitmentStatus.FULFILLED: 100,
                CommitmentStatus.PARTLY_FULFILLED: rng.randrange(50, 95, 5),
                CommitmentStatus.NOT_FULFILLED: rng.randrange(0, 45, 5),
                CommitmentStatus.CANCELLED: rng.randrange(0, 35, 5),
            }.get(status, rng.randrange(10, 95, 5))
            tells_done = done is not None or (
                status == CommitmentStatus.IN_PROGRESS and rng.random() < 0.05
            )
            for j in range(n_updates):
                reported_on = first + dt.timedelta(days=span * j // max(1, n_updates - 1))
                percent = round(final * (j + 1) / n_updates / 5) * 5
                last = j == n_updates - 1
                done_on = (done or reported_on) if last and tells_done else None
                created = self.at(reported_on, 18)
                later.append(
                    ProgressUpdate(
                        reported_on=reported_on,
                        text=f"{rng.choice(UPDATES)} Avance informado: {percent} %.",
                        percent=percent,
                        done_on=done_on,
                        created_at=created,
                    )
                )
                if done_on is not None:
                    reported_done = done_on
            first_update, progress = first, final
            last_at = max(last_at, created)
        validated_at = cancelled_at = None
        if status in (
            CommitmentStatus.FULFILLED,
            CommitmentStatus.PARTLY_FULFILLED,
            CommitmentStatus.NOT_FULFILLED,
        ):
            after = done or due
            validated_on = min(today, after + dt.timedelta(days=rng.randrange(3, 40)))
            session = next(
                (m for m in reversed(mesa.meetings) if m[1] <= validated_on), (meeting_id,)
            )
            validated_at = self.at(validated_on, 19)
            later.append(
                Validation(
                    outcome=status,
                    done_on=done,
                    meeting_id=session[0],
                    note="La mesa revisó el informe y la visita a terreno.",
                    validated_at=validated_at,
                )
            )
            if status == CommitmentStatus.FULFILLED:
                progress = 100
            last_at = max(last_at, validated_at)
        elif cancelled is not None:
            cancelled_at = self.at(cancelled, 12)
            last_at = max(last_at, cancelled_at)
        words = self.words()
        commitment = Commitment(
            mesa_id=mesa.id,
            territory_id=self.territories[t][0],
            meeting_id=meeting_id,
            agreement_id=rng.choice(agreements) if agreements and rng.random() < 0.85 else None,
            organization_id=org[0],
            official=rng.choice(OFFICIALS.get(org[1], ("Representante",))),
            deliverable=rng.choice(DELIVERABLES).format(**words),
            amount=rng.randrange(1, 500) * 1_000_000 if rng.random() < 0.6 else None,
            original_due_on=original,
            due_on=due,
            status=status,
            status_reason=rng.choice(CANCEL_REASONS) if cancelled else "",
            progress=progress,
            reported_done_on=reported_done,
            done_on=done,
            validated_at=validated_at,
            cancelled_at=cancelled_at,
            first_update_on=first_update,
            is_public=rng.random() < 0.95,
            created_at=self.at(committed_on, 18),
            committed_on=committed_on,
            updated_at=last_at,
        )
        comuna = rng.choice(self.comunas_of[t]) if rng.random() < 0.7 else None
        initiative = (
            rng.choice(self.initiatives_of[t])
            if self.initiatives_of[t] and rng.random() < 0.3
            else None
        )
        return commitment, later, comuna, initiative

    # Accounts -------------------------------------------------------------------------------

    def accounts(self) -> tuple[str, ...]:
        """The chair and secretary of the mesa with the most commitments, and the
        representative there of the institution with the most open ones."""
        assert self.password is not None
        mesa_id = db.session.scalar(
            sa.select(Commitment.mesa_id)
            .group_by(Commitment.mesa_id)
            .order_by(sa.func.count().desc(), Commitment.mesa_id)
            .limit(1)
        )
        mesa = db.session.get(Mesa, mesa_id)
        comuna_id = self.comunas_of[next(m.territory for m in self.mesas if m.id == mesa_id)][0]

        def seat(role: Role, organization_id: int | None = None) -> Person:
            query = (
                sa.select(Person)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.mesa_id == mesa_id, Membership.role == role)
                .order_by(Membership.id)
                .limit(1)
            )
            if organization_id is not None:
                query = query.where(Membership.organization_id == organization_id)
            return db.session.scalars(query).one()

        served = (
            sa.select(Commitment.organization_id)
            .join(
                Membership,
                sa.and_(
                    Membership.organization_id == Commitment.organization_id,
                    Membership.mesa_id == Commitment.mesa_id,
                    Membership.role == Role.SERVICE_REP,
                ),
            )
            .where(Commitment.mesa_id == mesa_id, Commitment.status.in_(OPEN_STATUSES))
            .group_by(Commitment.organization_id)
            .order_by(sa.func.count().desc(), Commitment.organization_id)
            .limit(1)
        )
        service = db.session.scalar(served)
        people = (seat(Role.CHAIR), seat(Role.SECRETARY), seat(Role.SERVICE_REP, service))
        for email, person in zip(ACCOUNT_EMAILS, people, strict=True):
            user = create_user(
                NewAccount(
                    name=person.name,
                    email=email,
                    password=self.password,
                    comuna_id=comuna_id,
                    verified=True,
                )
            )
            person.user_id = user.id
        db.session.commit()
        self.echo(f"  accounts at {mesa.name}: {', '.join(ACCOUNT_EMAILS)}")
        db.session.expunge_all()
        return ACCOUNT_EMAILS


def build(
    scale: float,
    seed: int = SEED,
    echo: Callable[[str], None] = print,
    password: str | None = None,
) -> Counts:
    """Writes the benchmark data at ``scale`` (1: the national dataset) into the database of
    the current app, which must hold the places of Chile and nothing else (ValueError when it
    holds territories, LookupError when it has no places); ``echo`` hears each step and its
    time. With ``password``, the three accounts (see the module's docstring) are made with it.
    Commits batch by batch: on failure, what was committed stays. Returns what was written,
    the accounts' emails included."""
    return _Builder(scale, seed, echo, password).run()


def analyze() -> None:
    """Fresh statistics for the query planner, as a database in use would have them."""
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


# The command -----------------------------------------------------------------------------------


def _scale(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    if not 0 < value <= MAX_SCALE:
        raise click.BadParameter(
            f"give a number above 0 and at most {MAX_SCALE:g}: 1 is the national dataset,"
            " 0.1 a tenth of it."
        )
    return value


@click.command("bench-data")
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    callback=_scale,
    help="Size of the data: 1 is the national dataset (60 territories, 100,000 commitments).",
)
@click.option("--seed", type=int, default=SEED, show_default=True, help="Same seed, same data.")
@click.option(
    "--password",
    envvar="PORTAL_BENCH_PASSWORD",
    show_envvar=True,
    default=None,
    help="Password of three accounts for a load test to sign in with (none without it).",
)
@with_appcontext
def bench_data_command(scale: float, seed: int, password: str | None) -> None:
    """Fill an empty database with benchmark data, through the application's own session (its
    change log, search index and data version included)."""
    if db.session.scalar(sa.select(Territory.id).limit(1)) is not None:
        raise click.UsageError(EMPTY_ONLY)
    if db.session.scalar(sa.select(Region.id).limit(1)) is None:
        raise click.UsageError(
            "The database has no places of Chile yet: run `portal db upgrade` first."
        )
    started = time.perf_counter()
    counts = build(scale, seed=seed, echo=click.echo, password=password)
    analyze()
    elapsed = time.perf_counter() - started
    click.echo(f"Built in {elapsed:.0f} s (scale {scale:g}, seed {seed}): {counts.summary()}.")
    if counts.accounts:
        click.echo("Accounts (with the password given): " + ", ".join(counts.accounts) + ".")
    db.session.remove()
