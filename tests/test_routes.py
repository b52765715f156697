"""Every route with every role: the status each one gets. A new route without a row fails.

The roles are those of the permission policy: nobody logged in, a logged-in person who sits at
no mesa, the member, observer, public-service representative, secretary and chair of one mesa,
and the platform admin (who sits at none).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import permissions
from portal.accounts import coordination
from portal.accounts.models import User
from portal.accounts.services import NewAccount, create_user
from portal.api import tokens as api_tokens
from portal.commitments import services as commitment_services
from portal.commitments.models import Evidence
from portal.convenios import services as convenio_services
from portal.convenios.models import ConvenioKind
from portal.extensions import db as _db
from portal.initiatives.models import Comment, FundingSource, Stance
from portal.meetings import attachments
from portal.meetings.models import (
    AgendaItem,
    Guest,
    Meeting,
    Minutes,
    MinutesRevision,
    MinutesStatus,
)
from portal.mesas import services
from portal.mesas.models import ActorType, JoinRequest, Mesa, Organization, Role
from portal.notifications import follows, preferences
from portal.notifications.models import Target
from portal.places.models import Comuna, TerritoryComuna
from portal.plans import services as plan_services
from portal.plans.models import Direction, IndicatorKind, PeriodKind
from portal.portfolios.models import (
    LineFunding,
    Phase,
    Portfolio,
    PortfolioLine,
    PortfolioVersion,
)
from portal.reference.models import GapDimension, StrategicObjective
from portal.reference.services import load_default_gaps
from portal.rounds.models import Method, Round, RoundItem
from portal.webhooks.models import Subscriber
from tests import factories
from tests.conftest import PASSWORD, Client, savepoint, shared_data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES = ("anonymous", "user", "member", "observer", "service_rep", "secretary", "chair", "admin")
SEATED = {"member", "observer", "service_rep", "secretary", "chair"}

M = "/mesas/limari-choapa-ganaderia-caprina"
PUBLIC = (200,) * 8
MANAGERS = (302, 403, 403, 403, 403, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200, 200, 200)
POST_ONLY = (405,) * 8
# The member directory, and a session's record while its acta is not published.
INTERNAL = (302, 403, 200, 200, 200, 200, 200, 200)
S = M + "/sesiones/{number}"
PROPOSER = (302, 403, 200, 403, 403, 200, 200, 200)
ADMIN_ONLY = (302, 403, 403, 403, 403, 403, 403, 200)
# The institution's representative (the service_rep sits for INDAP, whose commitment it is),
# the secretary, the chair and the admin.
REPORTERS = (302, 403, 403, 403, 200, 200, 200, 200)
# The mesa's word: its chair and secretary only, not the platform admin.
VALIDATORS = (302, 403, 403, 403, 403, 200, 200, 403)
C = "/compromisos/{commitment}"
P = "/territorios/limari-choapa/plan"

# endpoint: (path, GET status for each role in ROLES). {placeholders} are filled per test.
ROUTES = {
    "public.home": ("/", PUBLIC),
    "public.territory": ("/territorios/arauco", PUBLIC),
    "plans.plan": ("/territorios/arauco/plan", PUBLIC),
    # The plan is prepared by the regional team: the coordinator and the mesa técnica
    # regional (nobody here sits there); the goat mesa's secretary does not.
    "plans.version": (P + "/{plan}/versiones/1", PUBLIC),
    "convenios.of_territory": ("/territorios/limari-choapa/convenios", PUBLIC),
    "api.territories": ("/api/v1/territories", PUBLIC),
    "api.territory_plan": ("/api/v1/territories/limari-choapa/plan", PUBLIC),
    "api.territory_portfolio": ("/api/v1/territories/limari-choapa/portfolio", PUBLIC),
    "api.portfolio_version": ("/api/v1/portfolios/{portfolio}/versions/1", PUBLIC),
    "api.portfolio_schema": ("/api/v1/schemas/portfolio.json", PUBLIC),
    "api.openapi": ("/api/v1/openapi.json", PUBLIC),
    "opendata.data": ("/datos", PUBLIC),
    "webhooks.subscribers": ("/admin/suscriptores", ADMIN_ONLY),
    "webhooks.register": ("/admin/suscriptores/nuevo", ADMIN_ONLY),
    "webhooks.subscriber": ("/admin/suscriptores/{subscriber}", ADMIN_ONLY),
    "webhooks.act": ("/admin/suscriptores/{subscriber}/clave", POST_ONLY),
    "opendata.download": ("/datos/compromisos.csv", PUBLIC),
    "api.mesas": ("/api/v1/mesas", PUBLIC),
    "api.organizations": ("/api/v1/organizations", PUBLIC),
    "api.organization_scorecard": ("/api/v1/organizations/{organization}/scorecard", PUBLIC),
    "api.memberships": ("/api/v1/memberships", PUBLIC),
    "api.sessions": ("/api/v1/sessions", PUBLIC),
    "api.agreements": ("/api/v1/agreements", PUBLIC),
    "api.initiatives": ("/api/v1/initiatives", PUBLIC),
    "api.rounds_list": ("/api/v1/rounds", PUBLIC),
    "api.convenios": ("/api/v1/convenios", PUBLIC),
    "api.commitments": ("/api/v1/commitments", PUBLIC),
    "api.commitment": ("/api/v1/commitments/{commitment}", PUBLIC),
    # Written with a key, never with a signed-in session: the GET is the plan's own page.
    "api.write_plan": ("/api/v1/territories/limari-choapa/plan", PUBLIC),
    "api.write_measurement": ("/api/v1/territories/limari-choapa/plan/measurements", POST_ONLY),
    "api.write_execution": ("/api/v1/initiatives/{initiative}/execution", POST_ONLY),
    "api_keys.keys": ("/admin/claves-api", ADMIN_ONLY),
    "api_keys.new_key": ("/admin/claves-api/nueva", ADMIN_ONLY),
    "api_keys.revoke": ("/admin/claves-api/{key}/revocar", POST_ONLY),
    "api.gap_coverage": ("/api/v1/territories/limari-choapa/gap-coverage", PUBLIC),
    "convenios.convenio": ("/convenios/{convenio}", PUBLIC),
    # Recorded by the regional team (the coordinator; nobody here sits at the regional mesa).
    "convenios.new": ("/territorios/limari-choapa/convenios/nuevo", ADMIN_ONLY),
    "plans.manage": (P + "/gestion", ADMIN_ONLY),
    "plans.new_indicator": (P + "/objetivos/{objective}/indicadores", ADMIN_ONLY),
    "plans.indicator": (P + "/indicadores/{indicator}", ADMIN_ONLY),
    "plans.open_plan": (P + "/periodos", POST_ONLY),
    "plans.add_objective": (P + "/objetivos", POST_ONLY),
    "plans.agree": (P + "/{plan}/versiones", POST_ONLY),
    "plans.sanction": (P + "/{plan}/sancion", POST_ONLY),
    "plans.set_total": (P + "/{plan}/inversion", POST_ONLY),
    "plans.set_target": (P + "/indicadores/{indicator}/metas", POST_ONLY),
    "plans.record_measurement": (P + "/indicadores/{indicator}/mediciones", POST_ONLY),
    "public.set_language": ("/idioma/en", (302,) * 8),
    "public.health": ("/salud", PUBLIC),
    "mesas.mesa": (M, PUBLIC),
    # Somebody who already sits there is sent back to the mesa page.
    "mesas.join": (f"{M}/unirme", (302, 200, 302, 302, 302, 302, 302, 200)),
    "mesas.withdraw_request": (f"{M}/unirme/retirar", POST_ONLY),
    "mesas.leave": (f"{M}/salir", (302, 403, 200, 200, 200, 200, 200, 403)),
    "mesas.directory": (f"{M}/integrantes", INTERNAL),
    "mesas.mine": ("/mis-mesas", SIGNED_IN),
    "mesas.manage": (f"{M}/gestion", MANAGERS),
    "mesas.decide": (M + "/solicitudes/{request}", MANAGERS),
    "mesas.add_member": (f"{M}/integrantes/nuevo", MANAGERS),
    "mesas.edit_membership": (M + "/integrantes/{record}", MANAGERS),
    "mesas.end_membership": (M + "/integrantes/{record}/termino", MANAGERS),
    "mesas.link_account": (M + "/integrantes/{record}/cuenta", MANAGERS),
    "mesas.invite": (f"{M}/invitar", MANAGERS),
    "mesas.cancel_invitation": (M + "/invitaciones/{invitation}/anular", POST_ONLY),
    "mesas.change_status": (f"{M}/estado", MANAGERS),
    "mesas.edit": (f"{M}/editar", MANAGERS),
    "mesas.invitation": ("/invitaciones/{token}", PUBLIC),
    "meetings.index": (f"{M}/sesiones", PUBLIC),
    "meetings.meeting": (S, PUBLIC),
    "meetings.schedule": (f"{M}/sesiones/nueva", MANAGERS),
    "meetings.edit": (S + "/editar", MANAGERS),
    "meetings.mark_held": (S + "/realizada", POST_ONLY),
    "meetings.start": (S + "/inicio", POST_ONLY),
    "meetings.cancel": (S + "/suspender", MANAGERS),
    "meetings.agenda": (S + "/tabla", MANAGERS),
    "meetings.send_agenda": (S + "/tabla/enviar", POST_ONLY),
    "meetings.move_item": (S + "/tabla/{item}/mover", POST_ONLY),
    "meetings.edit_item": (S + "/tabla/{item}", MANAGERS),
    "meetings.remove_item": (S + "/tabla/{item}/quitar", MANAGERS),
    "meetings.attendance": (S + "/asistencia", MANAGERS),
    "meetings.add_guest": (S + "/asistencia/invitados", POST_ONLY),
    "meetings.remove_guest": (S + "/asistencia/invitados/{guest}/quitar", POST_ONLY),
    "meetings.print_agenda": (S + "/imprimir", INTERNAL),
    "meetings.minutes": (S + "/acta", INTERNAL),
    "meetings.write_minutes": (S + "/acta/editar", MANAGERS),
    "meetings.revision": (S + "/acta/versiones/1", INTERNAL),
    "meetings.circulate": (S + "/acta/enviar", POST_ONLY),
    "meetings.approve": (S + "/acta/aprobar", MANAGERS),
    "meetings.publish": (S + "/acta/publicar", POST_ONLY),
    "meetings.print_minutes": (S + "/acta/imprimir", INTERNAL),
    "meetings.record_agreement": (S + "/acuerdos/nuevo", MANAGERS),
    "meetings.agreement": (M + "/acuerdos/{agreement}", INTERNAL),
    "meetings.withdraw": (M + "/acuerdos/{agreement}/retirar", MANAGERS),
    "meetings.published": (f"{M}/actas", PUBLIC),
    "meetings.meeting_ics": (S + "/calendario.ics", PUBLIC),
    "meetings.mesa_calendar": (f"{M}/calendario.ics", PUBLIC),
    "meetings.upload_attachment": (S + "/adjuntos", MANAGERS),
    "meetings.attachment": (S + "/adjuntos/{attachment}", INTERNAL),
    "initiatives.of_mesa": (f"{M}/iniciativas", PUBLIC),
    "initiatives.propose": (f"{M}/iniciativas/nueva", (302, 403, 200, 403, 200, 200, 200, 403)),
    "initiatives.similar": ("/iniciativas/parecidas?territorio=1&title=agua", PUBLIC),
    "initiatives.initiative": ("/iniciativas/{initiative}", PUBLIC),
    # The member proposed it: she may edit it and withdraw it.
    "initiatives.edit": ("/iniciativas/{initiative}/editar", PROPOSER),
    "initiatives.change_status": ("/iniciativas/{initiative}/estado", PROPOSER),
    "initiatives.of_territory": ("/territorios/limari-choapa/iniciativas", PUBLIC),
    "initiatives.comment": ("/iniciativas/{initiative}/comentarios", POST_ONLY),
    "initiatives.answer": ("/iniciativas/{initiative}/comentarios/{comment}/respuesta", POST_ONLY),
    "initiatives.support": ("/iniciativas/{initiative}/apoyo", POST_ONLY),
    "initiatives.hide": ("/iniciativas/{initiative}/comentarios/{comment}/ocultar", MANAGERS),
    "rounds.rounds_of": (f"{M}/rondas", PUBLIC),
    "rounds.open_round": (f"{M}/rondas/nueva", MANAGERS),
    "rounds.import_round": (f"{M}/rondas/importar", MANAGERS),
    "rounds.round_page": ("/rondas/{round}", PUBLIC),
    # Only a closed round is exported; the one here is open.
    "rounds.export": ("/rondas/{round}/pabulib.pb", (404,) * 8),
    "rounds.cast": ("/rondas/{round}/voto", POST_ONLY),
    "rounds.tallies": ("/rondas/{round}/conteo", POST_ONLY),
    "rounds.close": ("/rondas/{round}/cierre", POST_ONLY),
    "rounds.cancel": ("/rondas/{round}/anulacion", POST_ONLY),
    "portfolios.make_portfolio": ("/rondas/{round}/cartera", MANAGERS),
    "portfolios.territory_portfolio": ("/territorios/limari-choapa/cartera", PUBLIC),
    "portfolios.version": ("/carteras/{portfolio}/versiones/1", PUBLIC),
    # The portfolio is the mesa territorial's; nobody here manages that one but the admin.
    "portfolios.new_version": ("/carteras/{portfolio}/nueva-version", ADMIN_ONLY),
    "portfolios.record_step": ("/carteras/{portfolio}/pasos", ADMIN_ONLY),
    "portfolios.approve_funding": ("/carteras/{portfolio}/dinero/{funding}/aprobacion", ADMIN_ONLY),
    "portfolios.report_execution": ("/carteras/{portfolio}/dinero/{funding}/ejecucion", ADMIN_ONLY),
    "reference.gaps": ("/referencias/brechas", ADMIN_ONLY),
    "reference.new_gap": ("/referencias/brechas/nueva", ADMIN_ONLY),
    "reference.edit_gap": ("/referencias/brechas/{gap}", ADMIN_ONLY),
    "reference.objectives": ("/territorios/limari-choapa/objetivos", PUBLIC),
    "reference.import_objectives": ("/territorios/limari-choapa/objetivos/importar", ADMIN_ONLY),
    "commitments.new": (S + "/compromisos/nuevo", MANAGERS),
    "commitments.commitment": (C, PUBLIC),
    "commitments.report": (C + "/avance", REPORTERS),
    "commitments.reschedule": (C + "/nueva-fecha", REPORTERS),
    "commitments.evidence": (C + "/evidencias/{evidence}", PUBLIC),
    "commitments.validate": (C + "/validar", VALIDATORS),
    "commitments.cancel": (C + "/cancelar", MANAGERS),
    "commitments.observe": (C + "/observaciones", PUBLIC),
    "commitments.publish_observation": (C + "/observaciones/{observation}/publicar", POST_ONLY),
    "commitments.decline_observation": (C + "/observaciones/{observation}/rechazar", MANAGERS),
    # Only the commitment's institution answers, through whoever sits for it (INDAP's rep).
    "commitments.answer_observation": (
        C + "/observaciones/{observation}/responder",
        (302, 403, 403, 403, 200, 403, 403, 403),
    ),
    "commitments.territory_dashboard": ("/territorios/limari-choapa/compromisos", PUBLIC),
    "commitments.institution": ("/organizaciones/{organization}/compromisos", PUBLIC),
    "commitments.contributions": ("/territorios/limari-choapa/aportes", PUBLIC),
    "commitments.territory_feed": ("/territorios/limari-choapa/compromisos.atom", PUBLIC),
    "commitments.mesa_feed": (f"{M}/compromisos.atom", PUBLIC),
    "commitments.institution_feed": ("/organizaciones/{organization}/compromisos.atom", PUBLIC),
    "commitments.territory_report": ("/territorios/limari-choapa/cuenta-publica", PUBLIC),
    "commitments.mesa_report": (f"{M}/cuenta-publica", PUBLIC),
    "search.territory_search": ("/territorios/limari-choapa/buscar?q=camino", PUBLIC),
    "audit.log_page": ("/registro-de-cambios", PUBLIC),
    "audit.download": ("/registro-de-cambios.jsonl", PUBLIC),
    "audit.download_data": ("/registro-de-cambios/datos.jsonl", PUBLIC),
    "audit.script": ("/registro-de-cambios/verificar.sh", PUBLIC),
    "organizations.index": ("/organizaciones", PUBLIC),
    "organizations.organization": ("/organizaciones/{organization}", PUBLIC),
    "organizations.create": ("/organizaciones/nueva", MANAGERS),
    "organizations.edit": ("/organizaciones/{organization}/editar", MANAGERS),
    "accounts.register": ("/cuenta/registro", (200,) + (302,) * 7),
    "accounts.login": ("/cuenta/ingresar", (200,) + (302,) * 7),
    "accounts.logout": ("/cuenta/salir", POST_ONLY),
    "accounts.forgot_password": ("/cuenta/clave/olvido", PUBLIC),
    "accounts.reset_password": ("/cuenta/clave/nueva/not-a-token", (410,) * 8),
    "accounts.confirm": ("/cuenta/confirmar/not-a-token", (410,) * 8),
    # The second step of signing in, with no first step behind it: back to log in.
    "accounts.second_step": ("/cuenta/ingresar/codigo", (302,) * 8),
    "accounts.two_factor_page": ("/cuenta/dos-pasos", SIGNED_IN),
    "accounts.new_recovery_codes": ("/cuenta/dos-pasos/codigos", POST_ONLY),
    "accounts.two_factor_off": ("/cuenta/dos-pasos/desactivar", POST_ONLY),
    "accounts.profile": ("/cuenta/perfil", SIGNED_IN),
    "accounts.change_password": ("/cuenta/clave", SIGNED_IN),
    "accounts.notices": ("/cuenta/avisos", SIGNED_IN),
    "notifications.settings": ("/cuenta/avisos/preferencias", SIGNED_IN),
    "notifications.pending_page": ("/pendientes", SIGNED_IN),
    "notifications.printed_notices": (S + "/avisos-impresos", MANAGERS),
    "notifications.follow": ("/seguir/iniciativa/{initiative}", PUBLIC),
    # Links from a mail, with a signed token: the same for whoever opens them.
    "notifications.confirm_follow": ("/seguir/confirmar/{follow_confirm}", (302,) * 8),
    "notifications.stop_following": ("/seguir/dejar/{follow_stop}", PUBLIC),
    # A link from a mail: the signed token is the authority, whoever opens it.
    "notifications.unsubscribe": ("/avisos/dejar/{unsubscribe}", PUBLIC),
    "admin.index": ("/admin", ADMIN_ONLY),
    "admin.log": ("/admin/registro", ADMIN_ONLY),
    "admin.mail": ("/admin/correo", ADMIN_ONLY),
    "admin.territories": ("/admin/territorios?q=lim", ADMIN_ONLY),
    "admin.new_territory": ("/admin/territorios/nuevo?region=04", ADMIN_ONLY),
    "admin.territory": ("/admin/territorios/{territory}", ADMIN_ONLY),
    "admin.edit_territory": ("/admin/territorios/{territory}/editar", ADMIN_ONLY),
    "admin.new_stage": ("/admin/territorios/{territory}/etapa", ADMIN_ONLY),
    "admin.join_comuna": ("/admin/territorios/{territory}/comunas", ADMIN_ONLY),
    "admin.comuna_leaves": (
        "/admin/territorios/{territory}/comunas/{territory_comuna}/salida",
        ADMIN_ONLY,
    ),
    "admin.mesas_list": ("/admin/mesas?pagina=2", ADMIN_ONLY),
    "admin.new_mesa": ("/admin/mesas/nueva", ADMIN_ONLY),
    "admin.people": ("/admin/personas", ADMIN_ONLY),
    "admin.person": ("/admin/personas/{person}", ADMIN_ONLY),
    "admin.person_action": ("/admin/personas/{person}/desactivar", POST_ONLY),
    "admin.coordinate": ("/admin/personas/{person}/coordinacion", POST_ONLY),
    "admin.merge_organization": ("/admin/organizaciones/{organization}/fusionar", ADMIN_ONLY),
    "admin.stop_coordinating": (
        "/admin/personas/{coordinator}/coordinacion/{coordination}/fin",
        POST_ONLY,
    ),
}


# A POST with the form's token and nothing else, for each role: whoever may not act is sent to
# log in (302) or refused (403); whoever may is told what is missing (422), or the action is
# done (302/303) when it needs nothing more. GET-and-POST routes and POST-only ones alike.
POSTS = {
    "accounts.change_password": (302, 422, 422, 422, 422, 422, 422, 422),
    "accounts.forgot_password": (422,) * 8,
    "accounts.login": (422, 302, 302, 302, 302, 302, 302, 302),
    "accounts.logout": (302, 302, 302, 302, 302, 302, 302, 302),
    "accounts.profile": (302, 422, 422, 422, 422, 422, 422, 422),
    "accounts.register": (422, 302, 302, 302, 302, 302, 302, 302),
    "accounts.reset_password": (410, 410, 410, 410, 410, 410, 410, 410),
    "accounts.second_step": (302,) * 8,
    "notifications.settings": (302, 302, 302, 302, 302, 302, 302, 302),
    "notifications.unsubscribe": PUBLIC,
    "notifications.stop_following": PUBLIC,
    # Without an address nothing is asked (back to the page, saying why); signed in, it
    # follows.
    # A visitor without an address gets the form back with what to fix.
    "notifications.follow": (422, 303, 303, 303, 303, 303, 303, 303),
    "admin.new_territory": (302, 403, 403, 403, 403, 403, 403, 422),
    "admin.edit_territory": (302, 403, 403, 403, 403, 403, 403, 422),
    "admin.new_stage": (302, 403, 403, 403, 403, 403, 403, 422),
    "admin.join_comuna": (302, 403, 403, 403, 403, 403, 403, 422),
    "admin.comuna_leaves": (302, 403, 403, 403, 403, 403, 403, 422),
    "admin.new_mesa": (302, 403, 403, 403, 403, 403, 403, 422),
    # Without a reason nothing is done: back to the person's page, saying why.
    "admin.person_action": (302, 403, 403, 403, 403, 403, 403, 303),
    "admin.coordinate": (302, 403, 403, 403, 403, 403, 403, 303),
    "admin.merge_organization": (302, 403, 403, 403, 403, 403, 403, 422),
    "admin.stop_coordinating": (302, 403, 403, 403, 403, 403, 403, 303),
    # Without two steps on, the form asks for the code; the admin has them on (its page).
    "accounts.two_factor_page": (302, 422, 422, 422, 422, 422, 422, 200),
    # New codes and turning off need two steps on (else to the setup page) and the password;
    # an administrator never turns them off.
    "accounts.new_recovery_codes": (302, 302, 302, 302, 302, 302, 302, 422),
    "accounts.two_factor_off": (302, 302, 302, 302, 302, 302, 302, 403),
    "commitments.cancel": (302, 403, 403, 403, 403, 422, 422, 422),
    "commitments.decline_observation": (302, 403, 403, 403, 403, 422, 422, 422),
    "commitments.answer_observation": (302, 403, 403, 403, 422, 403, 403, 403),
    "commitments.new": (302, 403, 403, 403, 403, 422, 422, 422),
    "commitments.observe": (422, 422, 422, 422, 422, 422, 422, 422),
    "commitments.publish_observation": (302, 403, 403, 403, 403, 303, 303, 303),
    "commitments.report": (302, 403, 403, 403, 422, 422, 422, 422),
    "commitments.reschedule": (302, 403, 403, 403, 422, 422, 422, 422),
    "commitments.validate": (302, 403, 403, 403, 403, 422, 422, 403),
    "initiatives.answer": (302, 403, 422, 403, 403, 403, 403, 403),
    "rounds.cancel": (302, 403, 403, 403, 403, 422, 422, 422),
    "rounds.cast": (302, 403, 422, 403, 422, 422, 422, 403),
    "initiatives.change_status": (302, 403, 422, 403, 403, 422, 422, 422),
    "rounds.close": (302, 403, 403, 403, 403, 422, 422, 422),
    "initiatives.comment": (302, 403, 422, 403, 422, 422, 422, 403),
    "initiatives.edit": (302, 403, 422, 403, 403, 422, 422, 422),
    "reference.edit_gap": (302, 403, 403, 403, 403, 403, 403, 422),
    "initiatives.hide": (302, 403, 403, 403, 403, 422, 422, 422),
    "reference.import_objectives": (302, 403, 403, 403, 403, 403, 403, 422),
    "rounds.import_round": (302, 403, 403, 403, 403, 422, 422, 422),
    "portfolios.make_portfolio": (302, 403, 403, 403, 403, 422, 422, 422),
    "reference.new_gap": (302, 403, 403, 403, 403, 403, 403, 422),
    "portfolios.new_version": (302, 403, 403, 403, 403, 403, 403, 422),
    "rounds.open_round": (302, 403, 403, 403, 403, 422, 422, 422),
    "initiatives.propose": (302, 403, 422, 403, 422, 422, 422, 403),
    "portfolios.record_step": (302, 403, 403, 403, 403, 403, 403, 422),
    "portfolios.approve_funding": (302, 403, 403, 403, 403, 403, 403, 422),
    "portfolios.report_execution": (302, 403, 403, 403, 403, 403, 403, 422),
    **{
        f"plans.{name}": (302, 403, 403, 403, 403, 403, 403, 422)
        for name in (
            "open_plan",
            "add_objective",
            "agree",
            "sanction",
            "set_target",
            "record_measurement",
            "new_indicator",
        )
    },
    "convenios.new": (302, 403, 403, 403, 403, 403, 403, 422),
    "webhooks.register": (302, 403, 403, 403, 403, 403, 403, 422),
    # A session is no key: whoever is signed in, the write API answers 401.
    "api.write_plan": (401,) * 8,
    "api.write_measurement": (401,) * 8,
    "api.write_execution": (401,) * 8,
    "api_keys.new_key": (302, 403, 403, 403, 403, 403, 403, 422),
    "api_keys.revoke": (302, 403, 403, 403, 403, 403, 403, 422),
    "webhooks.act": (302, 403, 403, 403, 403, 403, 403, 422),
    # An empty amount is an answer: the investment is not known.
    "plans.set_total": (302, 403, 403, 403, 403, 403, 403, 302),
    "initiatives.support": (302, 403, 302, 403, 302, 302, 302, 403),
    "rounds.tallies": (302, 403, 403, 403, 403, 409, 409, 409),
    "meetings.add_guest": (302, 403, 403, 403, 403, 422, 422, 422),
    "meetings.agenda": (302, 403, 403, 403, 403, 422, 422, 422),
    # The session has started: too late to send its agenda, said on the agenda's page.
    "meetings.send_agenda": (302, 403, 403, 403, 403, 303, 303, 303),
    "meetings.approve": (302, 403, 403, 403, 403, 422, 422, 422),
    "meetings.attendance": (302, 403, 403, 403, 403, 302, 302, 302),
    "meetings.cancel": (302, 403, 403, 403, 403, 422, 422, 422),
    "meetings.circulate": (302, 403, 403, 403, 403, 303, 303, 303),
    "meetings.edit": (302, 403, 403, 403, 403, 422, 422, 422),
    "meetings.edit_item": (302, 403, 403, 403, 403, 302, 302, 302),
    "meetings.mark_held": (302, 403, 403, 403, 403, 303, 303, 303),
    "meetings.move_item": (302, 403, 403, 403, 403, 400, 400, 400),
    "meetings.publish": (302, 403, 403, 403, 403, 303, 303, 303),
    "meetings.record_agreement": (302, 403, 403, 403, 403, 422, 422, 422),
    "meetings.remove_guest": (302, 403, 403, 403, 403, 303, 303, 303),
    "meetings.remove_item": (302, 403, 403, 403, 403, 303, 303, 303),
    "meetings.schedule": (302, 403, 403, 403, 403, 422, 422, 422),
    "meetings.start": (302, 403, 403, 403, 403, 303, 303, 303),
    "meetings.upload_attachment": (302, 403, 403, 403, 403, 422, 422, 422),
    "meetings.withdraw": (302, 403, 403, 403, 403, 422, 422, 422),
    "meetings.write_minutes": (302, 403, 403, 403, 403, 422, 422, 422),
    "mesas.add_member": (302, 403, 403, 403, 403, 422, 422, 422),
    "mesas.cancel_invitation": (302, 403, 403, 403, 403, 302, 302, 302),
    "mesas.change_status": (302, 403, 403, 403, 403, 422, 422, 422),
    "mesas.decide": (302, 403, 403, 403, 403, 422, 422, 422),
    "mesas.directory": (302, 403, 302, 302, 302, 302, 302, 403),
    "mesas.edit": (302, 403, 403, 403, 403, 422, 422, 422),
    "mesas.edit_membership": (302, 403, 403, 403, 403, 422, 422, 422),
    "mesas.end_membership": (302, 403, 403, 403, 403, 422, 422, 422),
    # Only the account of the address it was sent to accepts it; anyone else is told so on
    # the invitation's page (303), and the anonymous visitor is sent to log in.
    "mesas.invitation": (303,) * 8,
    "mesas.invite": (302, 403, 403, 403, 403, 422, 422, 422),
    "mesas.join": (302, 302, 302, 302, 302, 302, 302, 302),
    "mesas.leave": (302, 403, 302, 302, 302, 302, 302, 403),
    "mesas.link_account": (302, 403, 403, 403, 403, 422, 422, 422),
    "mesas.withdraw_request": (302, 302, 302, 302, 302, 302, 302, 302),
    "organizations.create": (302, 403, 403, 403, 403, 422, 422, 422),
    "organizations.edit": (302, 403, 403, 403, 403, 422, 422, 422),
}


def test_every_route_has_a_row_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(ROUTES)


def test_every_row_has_a_status_for_every_role():
    assert all(len(statuses) == len(ROLES) for _, statuses in ROUTES.values())


def test_every_action_asked_for_is_in_the_policy():
    """A misspelt action would fail only when its page is opened; the policy knows them all,
    and a state is kept only for an action it has."""
    root = Path(__file__).resolve().parents[1]
    asked = re.compile(r"""(?:can\(\s*[\w.]+,\s*|require\(\s*)["']([a-z_]+\.[a-z_]+)["']""")
    files = [*(root / "portal").rglob("*.py"), *(root / "templates").rglob("*.html")]
    actions = {a for f in files for a in asked.findall(f.read_text(encoding="utf-8"))}
    assert {"meeting.prepare", "agreement.withdraw", "mesa.decide_request"} <= actions
    assert actions <= set(permissions.RULES)
    assert set(permissions.STATES) <= set(permissions.RULES)


def held_session(db, mesa: Mesa, secretary: User) -> tuple[Meeting, dict]:  # type: ignore[no-untyped-def]
    """Session 1, held last March, with an agenda item, a guest, a draft acta, an
    agreement and a file: its record is not public yet."""
    meeting = factories.meeting(db, mesa, starts_at=dt.datetime(2025, 3, 14, 13, tzinfo=dt.UTC))
    item = AgendaItem(meeting=meeting, position=1, title="Cuenta de la secretaría")
    guest = Guest(meeting=meeting, name="Invitado", organization="Municipalidad")
    minutes = Minutes(meeting=meeting, status=MinutesStatus.DRAFT)
    revision = MinutesRevision(
        minutes=minutes, number=1, text="Se abre la sesión.", status_then=MinutesStatus.DRAFT
    )
    db.add_all([item, guest, minutes, revision])
    agreement = factories.agreement(db, meeting, statement="Pedir una visita técnica.")
    attachment = attachments.store(
        meeting, io.BytesIO(PDF), "hoja.pdf", "Hoja de asistencia", secretary
    )
    return meeting, {
        "item": item.id,
        "guest": guest.id,
        "agreement": f"{agreement.year}/{agreement.number}",
        "attachment": attachment.id,
    }


def followed_commitment(meeting: Meeting, institution: Organization, secretary: User):  # type: ignore[no-untyped-def]
    """INDAP's public commitment of session 1, with an update carrying a photo and an
    observation waiting for the secretary."""
    commitment = commitment_services.record(
        meeting,
        commitment_services.CommitmentData(
            organization=institution, deliverable="Asesoría técnica.", due_on=dt.date(2025, 9, 30)
        ),
        secretary,
    )
    photo = attachments.receive(io.BytesIO(PDF), "informe.pdf")
    commitment_services.report(
        commitment,
        commitment_services.UpdateData(
            reported_on=dt.date(2025, 4, 1), text="Primera visita.", files=[photo]
        ),
        secretary,
    )
    observation = commitment_services.observe(commitment, "Veo avances.", None, "")
    _db.session.commit()
    evidence = _db.session.scalars(sa.select(Evidence)).one()
    return commitment, evidence, observation


def build_world(db, make_user):  # type: ignore[no-untyped-def]
    """The goat mesa with one account per role, a member kept on record, a pending request
    and an open invitation. Returns the values for the paths' placeholders and the users."""
    mesa = factories.goat_mesa(db)
    users: dict[str, User] = {"user": make_user(), "admin": make_user(is_admin=True)}
    # An administrator signs in with two steps: with them on, the admin reaches every page.
    factories.two_factor_on(users["admin"])
    # The regional team's coordinator of Coquimbo, the region of the mesa, with two steps on.
    users["coordinator"] = make_user()
    coordinates = coordination.start(users["coordinator"], mesa.territory.region_id)
    factories.two_factor_on(users["coordinator"])
    indap = factories.demo_organization(db, "INDAP")
    # Seated since March 2025, all as social actors (the service_rep too, for INDAP).
    terms = {"since": dt.date(2025, 3, 1), "actor_type": ActorType.SOCIAL}
    for role in sorted(SEATED):
        users[role] = make_user()
        institution = indap if role == "service_rep" else None
        factories.seat(db, mesa, users[role], role, institution, **terms)
    record = factories.seat(db, mesa, "Socio sin cuenta", Role.MEMBER, **terms)
    asking = make_user()
    request = JoinRequest(mesa=mesa, user=asking)
    db.add(request)
    token = services.invite(
        mesa,
        "invitada@demo.example",
        "Invitada",
        services.Seat(Role.MEMBER, None, ActorType.SOCIAL),
        users["secretary"],
    )
    db.flush()
    invitation = services.find_invitation(token)
    meeting, extra = held_session(db, mesa, users["secretary"])
    initiative = factories.initiative(
        db, mesa, "Agua para los crianceros", summary="Estanques.", proposer=users["member"]
    )
    comment = Comment(
        initiative=initiative, author=users["service_rep"], stance=Stance.QUESTION, body="¿Y?"
    )
    prioritization = Round(
        mesa=mesa, title="Prioridades", method=Method.DOTS, points=10, created_by_id=None
    )
    prioritization.items = [RoundItem(initiative=initiative, position=1)]
    territorial = db.scalar(sa.select(Mesa).where(Mesa.slug == "mesa-territorial-limari-choapa"))
    portfolio = Portfolio(
        territory_id=mesa.territory_id, mesa=territorial, title="Cartera", phase=Phase.ANNUAL
    )
    version = PortfolioVersion(portfolio=portfolio, number=1)
    version.lines = [PortfolioLine(position=1, initiative=initiative)]
    funding = LineFunding(source=FundingSource.FNDR, amount=1000, approver="CORE")
    version.lines[0].funding = [funding]
    db.add_all([comment, prioritization, portfolio, version])
    load_default_gaps()
    objective = StrategicObjective(territory_id=mesa.territory_id, code="OE1", title="Agua")
    db.add(objective)
    db.flush()
    indicator = plan_services.add_indicator(
        objective,
        plan_services.IndicatorData(
            code="I1.1",
            name="Hogares con agua",
            kind=IndicatorKind.FOCUS,
            unit="%",
            direction=Direction.UP,
            source="DOH",
            baseline_value=Decimal("60"),
            baseline_on=dt.date(2023, 6, 30),
            baseline_source="DOH 2023",
        ),
    )
    plan_services.set_target(indicator, 2027, Decimal("80"))
    plan = plan_services.open_plan(mesa.territory, PeriodKind.TRIENNIAL, 2025, users["admin"])
    convenio = convenio_services.record(
        mesa.territory,
        convenio_services.ConvenioData(
            kind=ConvenioKind.PROTOCOLO,
            title="Protocolo",
            purpose="",
            signed_on=dt.date(2026, 1, 5),
            starts_on=dt.date(2026, 1, 5),
            ends_on=None,
            renewal_on=None,
            document="Resolución 1",
            parties=[
                convenio_services.Party(indap.id, "Director regional"),
                convenio_services.Party(factories.organization(db, "Cooperativa").id, "Presidenta"),
            ],
        ),
        users["admin"],
    )
    key, _secret = api_tokens.create(
        "Módulo del plan", mesa.territory, ["plan"], "Prueba", users["admin"]
    )
    subscriber = Subscriber(
        name="Módulo del plan", url="https://plan.example.cl/e", events="plan.agreed", secret="x"
    )
    db.add(subscriber)
    agreed = factories.agreement(db, factories.meeting(db, territorial), statement="El plan.")
    plan_services.agree(plan, agreed, "", users["admin"])
    db.commit()
    commitment, evidence, observation = followed_commitment(meeting, indap, users["secretary"])
    asked = follows.ask_by_mail("vecina@demo.example", Target.MESA, mesa.id)
    db.commit()
    values = {
        **extra,
        "number": meeting.number,
        "initiative": initiative.id,
        "comment": comment.id,
        "round": prioritization.id,
        "portfolio": portfolio.id,
        "funding": funding.id,
        "objective": objective.id,
        "indicator": indicator.id,
        "plan": plan.id,
        "convenio": convenio.id,
        "subscriber": subscriber.id,
        "key": key.id,
        "gap": db.scalar(sa.select(GapDimension.id).where(GapDimension.code == "D1")),
        "request": request.id,
        "record": record.id,
        "invitation": invitation.id,  # type: ignore[union-attr]
        "token": token,
        "organization": indap.id,
        "commitment": commitment.id,
        "evidence": evidence.id,
        "observation": observation.id,
        "territory": mesa.territory_id,
        "territory_comuna": db.scalar(
            sa.select(TerritoryComuna.id).where(TerritoryComuna.territory_id == mesa.territory_id)
        ),
        "person": users["member"].id,
        "coordinator": users["coordinator"].id,
        "coordination": coordinates.id,
        "unsubscribe": preferences.unsubscribe_token(users["member"], "meeting_scheduled"),
        "follow_confirm": follows.confirm_url(asked).rsplit("/", 1)[1],
        "follow_stop": follows.stop_url(asked).rsplit("/", 1)[1],
    }
    return values, users


def _user_maker(db):  # type: ignore[no-untyped-def]
    counter = iter(range(1, 1000))
    comuna = db.scalar(sa.select(Comuna.id).where(Comuna.name == "Combarbalá"))

    def make(**overrides) -> User:  # type: ignore[no-untyped-def]
        n = next(counter)
        values = {
            "name": f"Persona de la tabla {n}",
            "email": f"tabla{n}@demo.example",
            "password": PASSWORD,
            "comuna_id": comuna,
            "verified": True,
            **overrides,
        }
        user = create_user(NewAccount(**values))
        db.commit()
        return user

    return make


@pytest.fixture(scope="module")
def world(app):  # type: ignore[no-untyped-def]
    """Built once for the whole table (``shared_data``); each test runs inside a savepoint of
    its own (``as_role``), so what one request changes is gone for the next. Values for the
    placeholders, and each role's login id."""
    with shared_data(app) as connection:
        values, users = build_world(_db.session, _user_maker(_db.session))
        logins = {role: user.login_id for role, user in users.items()}
        _db.session.remove()
        yield connection, values, logins


@pytest.fixture(scope="module")
def browsers(app, world):  # type: ignore[no-untyped-def]
    """One browser per role for the whole table, each with the form token of its session
    (fetched again when an action, such as logging out, ended that session)."""
    app.test_client_class = Client
    return {}, {}


@pytest.fixture
def as_role(app, world, browsers):  # type: ignore[no-untyped-def]
    connection, values, logins = world
    clients, tokens = browsers
    with savepoint(app, connection):

        def become(role: str):  # type: ignore[no-untyped-def]
            client = clients.setdefault(role, app.test_client())
            with client.session_transaction() as session:
                session.pop("_flashes", None)
                if role == "anonymous":
                    session.pop("_user_id", None)
                else:
                    session["_user_id"] = logins[role]
                    session["_fresh"] = True
                if "csrf_token" not in session:
                    tokens.pop(role, None)
            return client

        def token(role: str) -> str:
            if role not in tokens:
                page = become(role).get(
                    "/cuenta/ingresar" if role == "anonymous" else "/cuenta/perfil"
                )
                found = re.search(
                    r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)
                )
                assert found is not None
                tokens[role] = found.group(1)
            return tokens[role]

        yield become, token, values


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_each_role_gets_the_expected_status(as_role, endpoint, role):
    become, _token, values = as_role
    path, statuses = ROUTES[endpoint]
    client = become(role)
    response = client.get(path.format(**values))
    assert response.status_code == statuses[ROLES.index(role)]
    if response.status_code == 302 and role == "anonymous" and statuses == MANAGERS:
        assert "/cuenta/ingresar?next=" in response.location


def test_every_route_that_takes_a_post_has_a_row_for_it(app):
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
    assert posts == set(POSTS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(POSTS))
def test_each_role_gets_the_expected_status_for_a_post(as_role, endpoint, role):
    become, token, values = as_role
    form_token = token(role)
    response = become(role).post(
        ROUTES[endpoint][0].format(**values),
        data={"csrf_token": form_token},
        headers={"Referer": "https://localhost/"},
    )
    assert response.status_code == POSTS[endpoint][ROLES.index(role)]


# Links mailed with a signed token that a mail program posts with one click (RFC 8058): the
# token is the authority, and a forged request without it gets a 404.
SIGNED_LINKS = {"notifications.unsubscribe", "notifications.stop_following"}
# The write API's key, in a header, is its authority (no cookie, so no CSRF token).
KEYED_WRITES = {"api.write_plan", "api.write_measurement", "api.write_execution"}


@pytest.mark.parametrize("role", ROLES)
def test_every_form_refuses_a_post_without_its_token(app, as_role, role):
    become, _token, values = as_role
    client = become(role)
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()) and rule.endpoint not in SIGNED_LINKS | KEYED_WRITES:
            path = ROUTES[rule.endpoint][0].format(**values)
            assert client.post(path, data={"x": "1"}).status_code == 400, path


# The regional coordinator of the mesa's region runs its mesas as their secretary does, and the
# console's territory and mesa parts; where it differs from the secretary, and why:
TAKES_NO_PART = 403  # proposes, comments, supports, votes, validates: the mesa's own people
COORDINATOR_GET = {
    **{e: 200 for e in ROUTES if e.startswith("admin.")},
    # People, the console's log and the outbox are the platform admin's.
    "admin.people": 403,
    "admin.person": 403,
    "admin.log": 403,
    "admin.mail": 403,
    "admin.merge_organization": 403,
    "webhooks.act": 405,
    "api_keys.revoke": 405,
    "admin.person_action": 405,
    "admin.coordinate": 405,
    "admin.stop_coordinating": 405,
    "commitments.validate": TAKES_NO_PART,
    "initiatives.propose": TAKES_NO_PART,
    # Not seated: may ask to join; has no seat to leave.
    "mesas.join": 200,
    "mesas.leave": 403,
    # Portfolios: the coordinator runs the mesa territorial's too.
    "portfolios.new_version": 200,
    "portfolios.record_step": 200,
    "portfolios.approve_funding": 200,
    "portfolios.report_execution": 200,
    # The plan: the coordinator is the regional team.
    **{e: 200 for e in ("plans.manage", "plans.new_indicator", "plans.indicator")},
    "convenios.new": 200,
}
COORDINATOR_POST = {
    **{e: 422 for e in POSTS if e.startswith("admin.")},
    "admin.person_action": 403,
    "admin.merge_organization": 403,
    "webhooks.register": 403,
    "webhooks.act": 403,
    "api_keys.new_key": 403,
    "api_keys.revoke": 403,
    "admin.coordinate": 403,
    "admin.stop_coordinating": 403,
    # Two steps are on and required, as for the admin.
    "accounts.new_recovery_codes": 422,
    "accounts.two_factor_off": 403,
    "accounts.two_factor_page": 200,
    "commitments.validate": TAKES_NO_PART,
    "initiatives.comment": TAKES_NO_PART,
    "initiatives.propose": TAKES_NO_PART,
    "initiatives.support": TAKES_NO_PART,
    "rounds.cast": TAKES_NO_PART,
    "mesas.directory": 403,
    "mesas.leave": 403,
    "portfolios.new_version": 422,
    "portfolios.record_step": 422,
    "portfolios.approve_funding": 422,
    "portfolios.report_execution": 422,
    **{e: 422 for e in POSTS if e.startswith("plans.")},
    "plans.set_total": 302,
    "convenios.new": 422,
}


def _as_secretary(table: dict, endpoint: str, overrides: dict) -> int:
    statuses = table[endpoint][1] if table is ROUTES else table[endpoint]
    return overrides.get(endpoint, statuses[ROLES.index("secretary")])


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_the_regional_coordinator_gets_the_expected_status(as_role, endpoint):
    become, _token, values = as_role
    response = become("coordinator").get(ROUTES[endpoint][0].format(**values))
    assert response.status_code == _as_secretary(ROUTES, endpoint, COORDINATOR_GET)


@pytest.mark.parametrize("endpoint", sorted(POSTS))
def test_the_regional_coordinator_gets_the_expected_status_for_a_post(as_role, endpoint):
    become, token, values = as_role
    response = become("coordinator").post(
        ROUTES[endpoint][0].format(**values),
        data={"csrf_token": token("coordinator")},
        headers={"Referer": "https://localhost/"},
    )
    assert response.status_code == _as_secretary(POSTS, endpoint, COORDINATOR_POST)
