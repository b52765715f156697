"""Who is told what, for every event of the portal: the one place that decides it.

Each function is called by the service that makes the change, inside its transaction, after
the change is flushed; it writes notices and outbox rows and sends nothing. The person who
made the change is not told of it. Followers hear of what is public (sessions, published
actas, rounds, public commitments and initiatives, portfolios), members of everything of
their mesa, and each institution of its own commitments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale

from portal.accounts.models import User
from portal.commitments import labels as commitment_labels
from portal.commitments.models import (
    Commitment,
    DueDateChange,
    Observation,
    ProgressUpdate,
    Validation,
)
from portal.commitments.states import of as commitment_state
from portal.core.clock import today
from portal.core.links import external_url, path_for, site_host, site_url
from portal.core.mail import Attachment
from portal.extensions import db
from portal.initiatives import labels as initiative_labels
from portal.initiatives.models import Initiative, Status
from portal.meetings import calendar
from portal.meetings.models import AgendaItem, Agreement, Meeting
from portal.mesas.models import MANAGING_ROLES, Membership, Mesa, MesaKind, Person, Role
from portal.notifications import follows, notices, outbox, sms
from portal.notifications.models import Target
from portal.notifications.notices import notify, render_notice
from portal.plans.models import Measurement, PlanVersion
from portal.portfolios import labels as portfolio_labels
from portal.portfolios.models import FundingApproval, PortfolioStep, StepKind
from portal.rounds.models import Round
from portal.webhooks.emit import emit

# Recipients ------------------------------------------------------------------------------------


def seated(
    mesa_id: int, *, roles: Iterable[Role] | None = None, organization_id: int | None = None
) -> list[User]:
    """Active accounts seated today at the mesa (with ``roles``, or for ``organization_id``)."""
    query = (
        sa.select(User)
        .join(Person, Person.user_id == User.id)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.mesa_id == mesa_id, Membership.ended_on.is_(None), User.active.is_(True))
    )
    if roles is not None:
        query = query.where(Membership.role.in_(list(roles)))
    if organization_id is not None:
        query = query.where(Membership.organization_id == organization_id)
    return list(db.session.scalars(query.distinct().order_by(User.id)))


def managers(mesa_id: int) -> list[User]:
    return seated(mesa_id, roles=MANAGING_ROLES)


def representatives(commitment: Commitment) -> list[User]:
    """Whoever sits at the commitment's mesa for the institution that made it."""
    return seated(commitment.mesa_id, organization_id=commitment.organization_id)


def _mesa_targets(mesa: Mesa) -> list[tuple[Target, int]]:
    targets = [(Target.MESA, mesa.id)]
    if mesa.territory_id is not None:
        targets.append((Target.TERRITORY, mesa.territory_id))
    return targets


def tell(
    people: Iterable[User],
    kind: str,
    link: str,
    *,
    by: User | None = None,
    follow: list[tuple[Target, int]] | None = None,
    attachment: Callable[[], Attachment] | None = None,
    **context: object,
) -> int:
    """Notifies each person once (never ``by``), then the followers of ``follow`` who were not
    told already: accounts as "followed" notices, addresses by mail. Returns how many."""
    if notices.is_quiet():
        return 0
    told: set[int] = {by.id} if by is not None else set()
    count = 0
    for user in people:
        if user.id in told:
            continue
        told.add(user.id)
        notify(user, kind, link, attachment=attachment, **context)
        count += 1
    for found in follows.followers(follow or []):
        if found.user is not None:
            if found.user.id in told or not found.user.active:
                continue
            told.add(found.user.id)
            notify(found.user, "followed", link, template=kind, attachment=attachment, **context)
        else:
            subject, body = render_notice(None, kind, link=link, **context)
            with force_locale(outbox.locale_of(None)):
                footer = render_template(
                    "notifications/follow_footer.txt",
                    link=site_url(link),
                    stop=follows.stop_url(found),
                )
                made = attachment() if attachment is not None else None
            outbox.enqueue(
                found.email or "",
                subject,
                f"{body}\n\n{footer.strip()}\n",
                kind="followed",
                attachment=made,
                unsubscribe_url=follows.stop_url(found),
            )
        count += 1
    return count


# Sessions --------------------------------------------------------------------------------------


def _meeting_link(meeting: Meeting) -> str:
    return path_for("meetings.meeting", slug=meeting.mesa.slug, number=meeting.number)


def _invitation(meeting: Meeting) -> Callable[[], Attachment]:
    """The session as an .ics in the reader's language (called inside their locale)."""

    def made() -> Attachment:
        mesa = meeting.mesa
        cal = calendar.calendar(
            mesa,
            [meeting],
            host=site_host(),
            link=lambda m: external_url("meetings.meeting", slug=mesa.slug, number=m.number),
        )
        return Attachment(
            f"sesion-{meeting.number}.ics",
            "text/calendar; method=PUBLISH",
            cal.to_ical().decode("utf-8"),
        )

    return made


def on_record_with_phone(mesa_id: int) -> list[Person]:
    """Members the secretary keeps on record, with a phone and no account."""
    return list(
        db.session.scalars(
            sa.select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.mesa_id == mesa_id,
                Membership.ended_on.is_(None),
                Person.user_id.is_(None),
                Person.phone.is_not(None),
                Person.phone != "",
            )
            .distinct()
            .order_by(Person.id)
        )
    )


def _session_event(meeting: Meeting, kind: str, by: User | None, **context: object) -> int:
    mesa = meeting.mesa
    if sms.available():
        # Members without an account hear of their sessions by text, when a provider exists.
        subject, _body = render_notice(None, kind, link="", meeting=meeting, mesa=mesa, **context)
        text = f"{subject}. {meeting.place}" if meeting.place else subject
        for person in on_record_with_phone(mesa.id):
            outbox.enqueue_sms(person.phone or "", text, kind=kind)
    return tell(
        seated(mesa.id),
        kind,
        _meeting_link(meeting),
        by=by,
        follow=_mesa_targets(mesa),
        attachment=_invitation(meeting),
        meeting=meeting,
        mesa=mesa,
        **context,
    )


def meeting_scheduled(meeting: Meeting, by: User) -> int:
    return _session_event(meeting, "meeting_scheduled", by)


def meeting_moved(
    meeting: Meeting, before_at: dt.datetime, before_place: str, by: User | None
) -> int:
    """``before_at`` and ``before_place``: when and where the session was to be."""
    return _session_event(
        meeting, "meeting_moved", by, before_at=before_at, before_place=before_place
    )


def meeting_cancelled(meeting: Meeting, by: User | None) -> int:
    return _session_event(meeting, "meeting_cancelled", by)


def agenda_published(meeting: Meeting, items: list[AgendaItem], by: User) -> int:
    return tell(
        seated(meeting.mesa_id),
        "agenda_published",
        _meeting_link(meeting),
        by=by,
        meeting=meeting,
        mesa=meeting.mesa,
        items=items,
    )


def minutes_event(meeting: Meeting, kind: str, by: User | None) -> int:
    """``minutes_approved`` for the members; ``minutes_published`` for followers too."""
    mesa = meeting.mesa
    public = kind == "minutes_published"
    if public:
        _agreements_published(meeting)
    return tell(
        seated(mesa.id),
        kind,
        path_for("meetings.minutes", slug=mesa.slug, number=meeting.number),
        by=by,
        follow=_mesa_targets(mesa) if public else None,
        meeting=meeting,
        mesa=mesa,
    )


def _agreements_published(meeting: Meeting) -> None:
    """Its agreements become public with the acta: an event for each."""
    mesa = meeting.mesa
    found = db.session.scalars(
        sa.select(Agreement).where(Agreement.meeting_id == meeting.id).order_by(Agreement.id)
    )
    for agreement in found:
        emit(
            "agreement.published",
            territory=mesa.territory,
            data={
                "agreement_id": agreement.id,
                "identifier": agreement.label,
                "mesa": mesa.slug,
                "session_id": meeting.id,
            },
            api=path_for("api.agreements", mesa=mesa.slug),
            page=path_for(
                "meetings.agreement", slug=mesa.slug, year=agreement.year, number=agreement.number
            ),
        )


def agreement_recorded(agreement: Agreement, by: User) -> int:
    mesa = agreement.mesa
    return tell(
        seated(mesa.id),
        "agreement_recorded",
        path_for(
            "meetings.agreement", slug=mesa.slug, year=agreement.year, number=agreement.number
        ),
        by=by,
        agreement=agreement,
        mesa=mesa,
    )


# Rounds, initiatives, portfolios -----------------------------------------------------------


def round_opened(found: Round, by: User) -> int:
    mesa = found.mesa
    return tell(
        seated(mesa.id),
        "round_opened",
        path_for("rounds.round_page", round_id=found.id),
        by=by,
        follow=_mesa_targets(mesa),
        round=found,
        mesa=mesa,
    )


def round_closed(found: Round, chosen: list[str], by: User) -> int:
    mesa = found.mesa
    return tell(
        seated(mesa.id),
        "round_closed",
        path_for("rounds.round_page", round_id=found.id),
        by=by,
        follow=_mesa_targets(mesa),
        round=found,
        mesa=mesa,
        chosen=chosen,
    )


def initiative_status(initiative: Initiative, before: Status, reason: str, by: User) -> int:
    proposer = [initiative.proposer] if initiative.proposer is not None else []
    follow = [(Target.INITIATIVE, initiative.id)] if initiative.is_public else None
    return tell(
        [u for u in proposer if u.active],
        "initiative_status",
        path_for("initiatives.initiative", initiative_id=initiative.id),
        by=by,
        follow=follow,
        initiative=initiative,
        # Lazy: the template says them in each reader's language.
        before=initiative_labels.STATUS[before],
        after=initiative_labels.STATUS[initiative.status],
        reason=reason,
    )


def portfolio_step(step: PortfolioStep, by: User) -> int:
    version = step.version
    portfolio = version.portfolio
    kind = "portfolio_agreed" if step.kind == StepKind.AGREED else "portfolio_step"
    emit(
        "portfolio.step",
        territory=portfolio.territory,
        data={"portfolio_id": portfolio.id, "version": version.number, "step": step.kind.value},
        api=path_for("api.portfolio_version", portfolio_id=portfolio.id, number=version.number),
        page=path_for("portfolios.version", portfolio_id=portfolio.id, number=version.number),
    )
    return tell(
        seated(portfolio.mesa_id),
        kind,
        path_for("portfolios.version", portfolio_id=portfolio.id, number=version.number),
        by=by,
        follow=[(Target.TERRITORY, portfolio.territory_id)],
        portfolio=portfolio,
        version=version,
        step=step,
        step_label=portfolio_labels.STEP_KIND[step.kind],
        source_label=portfolio_labels.FUNDING_SOURCE[step.source] if step.source else None,
    )


def funding_decided(approval: FundingApproval, by: User) -> int:
    """The approver's decision on a line's money: the mesa that carries the portfolio, and the
    territory's followers."""
    funding = approval.funding
    version = funding.line.version
    portfolio = version.portfolio
    emit(
        "funding.decided",
        territory=portfolio.territory,
        data={
            "portfolio_id": portfolio.id,
            "version": version.number,
            "initiative_id": funding.line.initiative_id,
            "source": funding.source.value,
            "decision": approval.decision.value,
            "amount": approval.amount,
        },
        api=path_for("api.portfolio_version", portfolio_id=portfolio.id, number=version.number),
        page=path_for("portfolios.version", portfolio_id=portfolio.id, number=version.number),
    )
    return tell(
        seated(portfolio.mesa_id),
        "funding_decided",
        path_for("portfolios.version", portfolio_id=portfolio.id, number=version.number)
        + f"#dinero-{funding.line.id}",
        by=by,
        follow=[(Target.TERRITORY, portfolio.territory_id)],
        portfolio=portfolio,
        initiative=funding.line.initiative,
        funding=funding,
        approval=approval,
        decision_label=portfolio_labels.DECISION[approval.decision],
    )


# The plan ----------------------------------------------------------------------------------------


def _regional_mesas(region_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Mesa.id).where(Mesa.kind == MesaKind.REGIONAL, Mesa.region_id == region_id)
        )
    )


def _territorial_mesas(territory_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Mesa.id).where(
                Mesa.kind == MesaKind.TERRITORIAL, Mesa.territory_id == territory_id
            )
        )
    )


def _plan_event(kind: str, version: PlanVersion) -> None:
    territory = version.plan.territory
    emit(
        kind,
        territory=territory,
        data={"plan_id": version.plan_id, "version": version.number},
        api=path_for("api.territory_plan", code=territory.slug),
        page=path_for(
            "plans.version", slug=territory.slug, plan_id=version.plan_id, number=version.number
        ),
    )


def measurement_recorded(measurement: Measurement) -> int:
    """A new measurement of an indicator: no one is told but the subscribed systems."""
    indicator = measurement.indicator
    territory = indicator.objective.territory
    return emit(
        "measurement.recorded",
        territory=territory,
        data={
            "objective": indicator.objective.code,
            "indicator": indicator.code,
            "date": measurement.measured_on.isoformat(),
            "value": format(measurement.value.normalize(), "f"),
        },
        api=path_for("api.territory_plan", code=territory.slug),
        page=path_for("plans.plan", slug=territory.slug),
    )


def plan_agreed(version: PlanVersion, by: User) -> int:
    """A version of the plan was agreed: the mesa técnica regional, which sanctions it, and
    the territory's followers."""
    plan = version.plan
    territory = plan.territory
    _plan_event("plan.agreed", version)
    return tell(
        [u for mesa_id in _regional_mesas(territory.region_id) for u in managers(mesa_id)],
        "plan_agreed",
        path_for("plans.version", slug=territory.slug, plan_id=plan.id, number=version.number),
        by=by,
        follow=[(Target.TERRITORY, territory.id)],
        territory=territory,
        plan=plan,
        version=version,
    )


def plan_sanctioned(version: PlanVersion, by: User) -> int:
    """The plan is in force: the mesa territorial's people, and the territory's followers."""
    plan = version.plan
    territory = plan.territory
    _plan_event("plan.sanctioned", version)
    return tell(
        [u for mesa_id in _territorial_mesas(territory.id) for u in seated(mesa_id)],
        "plan_sanctioned",
        path_for("plans.plan", slug=territory.slug),
        by=by,
        follow=[(Target.TERRITORY, territory.id)],
        territory=territory,
        plan=plan,
        version=version,
    )


# Commitments -----------------------------------------------------------------------------------


def _commitment_link(commitment: Commitment) -> str:
    return path_for("commitments.commitment", commitment_id=commitment.id)


def _commitment_targets(commitment: Commitment) -> list[tuple[Target, int]] | None:
    if not commitment.is_public:
        return None
    targets = [(Target.COMMITMENT, commitment.id), (Target.MESA, commitment.mesa_id)]
    if commitment.territory_id is not None:
        targets.append((Target.TERRITORY, commitment.territory_id))
    return targets


def _commitment_changed(commitment: Commitment, change: str) -> None:
    """A public commitment changed: an event with its state today."""
    if not commitment.is_public:
        return
    emit(
        "commitment.changed",
        territory=commitment.territory,
        data={
            "commitment_id": commitment.id,
            "change": change,
            "state": commitment_state(commitment, today()).value,
            "due_on": commitment.due_on.isoformat(),
        },
        api=path_for("api.commitment", commitment_id=commitment.id),
        page=_commitment_link(commitment),
    )


def commitment_cancelled(commitment: Commitment, by: User) -> int:
    _commitment_changed(commitment, "cancelled")
    return 0


def _commitment_context(commitment: Commitment) -> dict[str, object]:
    return {
        "commitment": commitment,
        "mesa": commitment.mesa,
        "organization": commitment.organization,
    }


def commitment_assigned(commitment: Commitment, by: User) -> int:
    _commitment_changed(commitment, "made")
    return tell(
        representatives(commitment),
        "commitment_assigned",
        _commitment_link(commitment),
        by=by,
        follow=_commitment_targets(commitment),
        **_commitment_context(commitment),
    )


def commitment_reported(commitment: Commitment, update: ProgressUpdate, by: User) -> int:
    """To the mesa's managers, who validate a delivery; and to the commitment's followers."""
    _commitment_changed(commitment, "progress")
    return tell(
        managers(commitment.mesa_id),
        "commitment_reported",
        _commitment_link(commitment),
        by=by,
        follow=[(Target.COMMITMENT, commitment.id)] if commitment.is_public else None,
        update=update,
        **_commitment_context(commitment),
    )


def commitment_validated(commitment: Commitment, validation: Validation, by: User) -> int:
    _commitment_changed(commitment, "validated")
    return tell(
        representatives(commitment),
        "commitment_validated",
        _commitment_link(commitment),
        by=by,
        follow=_commitment_targets(commitment),
        validation=validation,
        outcome=commitment_labels.STATUS[validation.outcome],
        **_commitment_context(commitment),
    )


def commitment_rescheduled(commitment: Commitment, change: DueDateChange, by: User) -> int:
    _commitment_changed(commitment, "rescheduled")
    return tell(
        representatives(commitment) + managers(commitment.mesa_id),
        "commitment_rescheduled",
        _commitment_link(commitment),
        by=by,
        follow=_commitment_targets(commitment),
        change=change,
        **_commitment_context(commitment),
    )


def observation_waiting(observation: Observation) -> int:
    commitment = observation.commitment
    return tell(
        managers(commitment.mesa_id),
        "observation_waiting",
        _commitment_link(commitment) + "#observaciones",
        by=observation.author,
        observation=observation,
        **_commitment_context(commitment),
    )


def observation_replied(observation: Observation, by: User) -> int:
    """The institution's answer: to the observation's author, and to the commitment's
    followers (it is public)."""
    return _to_author(
        observation,
        "observation_replied",
        by,
        follow=[(Target.COMMITMENT, observation.commitment_id)],
    )


def observation_answered(observation: Observation, by: User) -> int:
    """The secretary's review: to its author, their account or the address they left."""
    return _to_author(observation, "observation_answered", by)


def _to_author(
    observation: Observation,
    kind: str,
    by: User,
    follow: list[tuple[Target, int]] | None = None,
) -> int:
    """To the observation's author: their account, or the address they left (in Spanish)."""
    commitment = observation.commitment
    link = _commitment_link(commitment) + "#observaciones"
    context = {"observation": observation, **_commitment_context(commitment)}
    author = [observation.author] if observation.author is not None else []
    told = tell(author, kind, link, by=by, follow=follow, **context)
    if observation.author is None and observation.author_email and not notices.is_quiet():
        subject, body = render_notice(None, kind, link=link, **context)
        outbox.enqueue(
            observation.author_email, subject, f"{body}\n\n{site_url(link)}\n", kind=kind
        )
        told += 1
    return told
