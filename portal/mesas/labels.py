"""What each kind, status and type is called in the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.mesas.models import (
    ActorType,
    FoundingInstrument,
    MesaKind,
    MesaStatus,
    OrganizationKind,
    QuorumRule,
    RequestStatus,
    Role,
)

MESA_KIND = {
    MesaKind.THEMATIC: _l("Thematic mesa"),
    MesaKind.TERRITORIAL: _l("Territorial mesa"),
    MesaKind.REGIONAL: _l("Regional technical mesa"),
}
MESA_KIND_EXPLAINED = {
    MesaKind.THEMATIC: _l(
        "Producers, entrepreneurs, workers and craftspeople of one activity and their "
        "organizations. Its initiatives are the main input to the territory's plan."
    ),
    MesaKind.TERRITORIAL: _l(
        "Delegates of the thematic mesas, the mayors of the territory and public services. "
        "It discusses and prioritizes the initiatives and agrees the territory's plan."
    ),
    MesaKind.REGIONAL: _l(
        "The regional authority with the regional secretaries and heads of public services. "
        "It reviews the plans of the region's territories and adjusts public resources."
    ),
}
MESA_STATUS = {
    MesaStatus.FORMING: _l("Being formed"),
    MesaStatus.ACTIVE: _l("Active"),
    MesaStatus.DORMANT: _l("Not meeting"),
    MesaStatus.CLOSED: _l("Closed"),
}
FOUNDING_INSTRUMENT = {
    FoundingInstrument.CONSTITUTIVE_MINUTES: _l("Founding minutes"),
    FoundingInstrument.AGREEMENT: _l("Agreement (convenio)"),
    FoundingInstrument.PROTOCOL: _l("Protocol"),
    FoundingInstrument.ORDINANCE: _l("Municipal ordinance"),
}
ORGANIZATION_KIND = {
    OrganizationKind.PUBLIC_SERVICE: _l("Public service"),
    OrganizationKind.MUNICIPALITY: _l("Municipality"),
    OrganizationKind.REGIONAL_GOVERNMENT: _l("Regional government"),
    OrganizationKind.PRODUCERS_ASSOCIATION: _l("Producers' association"),
    OrganizationKind.COOPERATIVE: _l("Cooperative"),
    OrganizationKind.COMMUNITY_ORGANIZATION: _l("Community organization"),
    OrganizationKind.INDIGENOUS_COMMUNITY: _l("Indigenous community"),
    OrganizationKind.COMPANY: _l("Company"),
    OrganizationKind.UNIVERSITY: _l("University or research centre"),
    OrganizationKind.NGO: _l("Foundation or NGO"),
    OrganizationKind.OTHER: _l("Other"),
}
# The one name and meaning of each kind of actor, on every page that classifies one.
ACTOR_TYPE = {
    ActorType.PUBLIC: _l("Public sector"),
    ActorType.PRIVATE: _l("Private sector"),
    ActorType.SOCIAL: _l("Community"),
    ActorType.KNOWLEDGE: _l("Knowledge"),
}
ACTOR_TYPE_EXPLAINED = {
    ActorType.PUBLIC: _l("Public services, municipalities and the regional government."),
    ActorType.PRIVATE: _l("Companies, cooperatives and producers' associations."),
    ActorType.SOCIAL: _l("Neighbourhood councils, community groups and indigenous communities."),
    ActorType.KNOWLEDGE: _l("Universities, research centres and local wisdom."),
}
ROLE = {
    Role.CHAIR: _l("Chair"),
    Role.SECRETARY: _l("Secretary"),
    Role.MEMBER: _l("Member"),
    Role.SERVICE_REP: _l("Public service representative"),
    Role.OBSERVER: _l("Observer"),
}
QUORUM_RULE = {
    QuorumRule.MAJORITY: _l("More than half of the active members"),
    QuorumRule.TWO_THIRDS: _l("Two thirds of the active members"),
    QuorumRule.ONE_THIRD: _l("One third of the active members"),
}
REQUEST_STATUS = {
    RequestStatus.PENDING: _l("Waiting for an answer"),
    RequestStatus.APPROVED: _l("Approved"),
    RequestStatus.DECLINED: _l("Declined"),
    RequestStatus.WITHDRAWN: _l("Withdrawn"),
}


def role_count(role: Role, n: int) -> str:
    """ "3 members": how many people sit in a role whose names the public does not see."""
    if role == Role.MEMBER:
        return ngettext("%(num)d member", "%(num)d members", n)
    if role == Role.OBSERVER:
        return ngettext("%(num)d observer", "%(num)d observers", n)
    if role == Role.SERVICE_REP:
        return ngettext(
            "%(num)d public service representative", "%(num)d public service representatives", n
        )
    if role == Role.SECRETARY:
        return ngettext("%(num)d secretary", "%(num)d secretaries", n)
    return ngettext("%(num)d chair", "%(num)d chairs", n)
